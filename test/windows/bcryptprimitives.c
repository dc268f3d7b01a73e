/*
 * A test-only bcryptprimitives.dll for Wine 8.0, which lacks ProcessPrng:
 * Go 1.22 and later take their random bytes from it and will not start
 * without it. Built from this source by test/windows/wine.sh into a Wine
 * prefix of the test's own; never shipped.
 */
#include <windows.h>

/* RtlGenRandom, exported by advapi32 under this name. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
