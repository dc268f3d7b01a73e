/*
 * A test-only bcryptprimitives.dll for Debian's Wine 8.0. Built from this
 * source by test/windows/wine.sh into a Wine prefix of the test's own;
 * never shipped. It mends three things Wine 8.0 lacks that every Go 1.22+
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
 * 3. NtSetInformationFile(FileDispositionInformationEx), with which Go
 *    deletes: Wine 8.0 fails it for a directory with a status Go does not
 *    expect (so os.RemoveAll, and every t.TempDir, fails "Invalid
 *    function"). The hook turns that failure into STATUS_NOT_SUPPORTED,
 *    on which Go falls back to the older FileDispositionInformation that
 *    Wine has. Patched only where the function is the syscall thunk Wine
 *    8.0's ntdll has; the trampoline is a copy of that thunk.
 */
#include <winsock2.h>
#include <windows.h>
#include <winternl.h>
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

/* detour points entry at hook, and returns a trampoline that runs the
 * original: the first keep bytes of entry copied, then (when resume) a
 * jump back to entry + keep. NULL, and nothing touched, when it cannot. */
static void *detour(unsigned char *entry, size_t keep, int resume, void *hook)
{
	unsigned char *tramp = VirtualAlloc(NULL, 64, MEM_COMMIT | MEM_RESERVE, PAGE_EXECUTE_READWRITE);
	DWORD old;
	if (!tramp)
		return NULL;
	memcpy(tramp, entry, keep);
	if (resume)
		jump(tramp + keep, entry + keep);
	if (!VirtualProtect(entry, 12, PAGE_EXECUTE_READWRITE, &old))
		return NULL;
	jump(entry, hook);
	VirtualProtect(entry, 12, old, &old);
	FlushInstructionCache(GetCurrentProcess(), entry, 12);
	return tramp;
}

static void patch_wsaioctl(void)
{
	HMODULE ws2 = LoadLibraryA("ws2_32.dll");
	unsigned char *entry = ws2 ? (unsigned char *)GetProcAddress(ws2, "WSAIoctl") : NULL;
	if (entry && memcmp(entry, prologue, sizeof prologue) == 0)
		wine_wsaioctl = (wsaioctl_fn)detour(entry, sizeof prologue, 1, (void *)hooked_wsaioctl);
}

#define FILE_DISPOSITION_INFORMATION_EX_CLASS 64
#define STATUS_NOT_SUPPORTED_CODE ((NTSTATUS)0xC00000BBL)
#define STATUS_INVALID_INFO_CLASS_CODE ((NTSTATUS)0xC0000003L)
#define STATUS_INVALID_PARAMETER_CODE ((NTSTATUS)0xC000000DL)

typedef NTSTATUS(NTAPI *setinfo_fn)(HANDLE, PIO_STATUS_BLOCK, PVOID, ULONG, ULONG);
static setinfo_fn wine_setinfo;

static NTSTATUS NTAPI hooked_setinfo(HANDLE h, PIO_STATUS_BLOCK iosb, PVOID info, ULONG len, ULONG class)
{
	NTSTATUS status = wine_setinfo(h, iosb, info, len, class);
	if (class == FILE_DISPOSITION_INFORMATION_EX_CLASS && status < 0 && status != STATUS_INVALID_INFO_CLASS_CODE &&
	    status != STATUS_INVALID_PARAMETER_CODE)
		return STATUS_NOT_SUPPORTED_CODE;
	return status;
}

/* Wine 8.0's ntdll syscall thunk: mov r10, rcx; mov eax, N; test byte
 * [0x7ffe0308], 1; jne +3; syscall; ret; jmp +1; ret; call [0x7ffe1000];
 * ret. Position independent, so a copy of it is the original. */
static const unsigned char thunk_head[4] = {0x4c, 0x8b, 0xd1, 0xb8};
static const unsigned char thunk_tail[24] = {0xf6, 0x04, 0x25, 0x08, 0x03, 0xfe, 0x7f, 0x01, 0x75, 0x03, 0x0f, 0x05,
					     0xc3, 0xeb, 0x01, 0xc3, 0xff, 0x14, 0x25, 0x00, 0x10, 0xfe, 0x7f, 0xc3};

static void patch_setinfo(void)
{
	HMODULE ntdll = GetModuleHandleA("ntdll.dll");
	unsigned char *entry = ntdll ? (unsigned char *)GetProcAddress(ntdll, "NtSetInformationFile") : NULL;
	if (entry && memcmp(entry, thunk_head, sizeof thunk_head) == 0 && memcmp(entry + 8, thunk_tail, sizeof thunk_tail) == 0)
		wine_setinfo = (setinfo_fn)detour(entry, 8 + sizeof thunk_tail, 0, (void *)hooked_setinfo);
}

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved)
{
	(void)self;
	(void)reserved;
	if (reason == DLL_PROCESS_ATTACH) {
		patch_wsaioctl();
		patch_setinfo();
	}
	return TRUE;
}
