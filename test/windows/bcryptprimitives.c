/*
 * A test-only bcryptprimitives.dll for Debian's Wine 8.0. Built from this
 * source by test/windows/wine.sh into a Wine prefix of the test's own;
 * never shipped. It mends two things Wine 8.0 lacks that every Go 1.22+
 * program needs:
 *
 * 1. ProcessPrng, Go's source of random bytes: the program will not start
 *    without it. Here it is RtlGenRandom.
 * 2. WSAIoctl(SIO_UDP_NETRESET), which Go asks of every UDP socket and Wine
 *    refuses (WSAEOPNOTSUPP), so no UDP socket opens. When the library
 *    loads, WSAIoctl's entry in Wine's ws2_32 is pointed at a hook that
 *    answers that one request and passes every other to Wine. The patch is
 *    made only where WSAIoctl starts with the eight pushes Wine 8.0's build
 *    has, which the trampoline replays; anywhere else nothing is touched.
 */
#include <winsock2.h>
#include <windows.h>
#include <string.h>

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

#define SIO_UDP_NETRESET_CODE 0x9800000F /* _WSAIOW(IOC_VENDOR, 15) */

typedef int(WINAPI *wsaioctl_fn)(SOCKET, DWORD, LPVOID, DWORD, LPVOID, DWORD, LPDWORD, LPWSAOVERLAPPED,
				 LPWSAOVERLAPPED_COMPLETION_ROUTINE);
static wsaioctl_fn wine_wsaioctl;

static int WINAPI hooked_wsaioctl(SOCKET s, DWORD code, LPVOID in, DWORD inlen, LPVOID out, DWORD outlen,
				  LPDWORD returned, LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE done)
{
	if (code == SIO_UDP_NETRESET_CODE) {
		if (returned)
			*returned = 0;
		return 0;
	}
	return wine_wsaioctl(s, code, in, inlen, out, outlen, returned, ov, done);
}

/* push r15; push r14; push r13; push r12; push rbp; push rdi; push rsi; push rbx */
static const unsigned char prologue[12] = {0x41, 0x57, 0x41, 0x56, 0x41, 0x55, 0x41, 0x54, 0x55, 0x57, 0x56, 0x53};

/* jump writes "mov rax, target; jmp rax" (12 bytes) at p. */
static void jump(unsigned char *p, void *target)
{
	p[0] = 0x48;
	p[1] = 0xB8;
	memcpy(p + 2, &target, 8);
	p[10] = 0xFF;
	p[11] = 0xE0;
}

static void patch_wsaioctl(void)
{
	HMODULE ws2 = LoadLibraryA("ws2_32.dll");
	unsigned char *entry = ws2 ? (unsigned char *)GetProcAddress(ws2, "WSAIoctl") : NULL;
	unsigned char *tramp;
	DWORD old;
	if (!entry || memcmp(entry, prologue, sizeof prologue) != 0)
		return;
	tramp = VirtualAlloc(NULL, 64, MEM_COMMIT | MEM_RESERVE, PAGE_EXECUTE_READWRITE);
	if (!tramp)
		return;
	memcpy(tramp, prologue, sizeof prologue); /* the pushes, then on into Wine's body */
	jump(tramp + sizeof prologue, entry + sizeof prologue);
	wine_wsaioctl = (wsaioctl_fn)tramp;
	if (!VirtualProtect(entry, sizeof prologue, PAGE_EXECUTE_READWRITE, &old))
		return;
	jump(entry, (void *)hooked_wsaioctl);
	VirtualProtect(entry, sizeof prologue, old, &old);
	FlushInstructionCache(GetCurrentProcess(), entry, sizeof prologue);
}

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved)
{
	(void)self;
	(void)reserved;
	if (reason == DLL_PROCESS_ATTACH)
		patch_wsaioctl();
	return TRUE;
}
