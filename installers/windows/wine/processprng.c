/* TEST ONLY, never shipped in the MSI: a stand-in bcryptprimitives.dll for running
 * devidence.exe under Wine 8 (Debian 12) in .ci/check-windows.
 *
 * Rust's std (1.78 and later) gets its random numbers (HashMap seeds, ...) from
 * ProcessPrng in bcryptprimitives.dll, which every supported Windows (10 and later) has.
 * Wine 8 has no bcryptprimitives.dll at all, so the exe does not start there. This DLL
 * exports ProcessPrng and fills the buffer from RtlGenRandom (advapi32's SystemFunction036),
 * which Wine implements.
 *
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -s -o bcryptprimitives.dll processprng.c -ladvapi32
 */
#include <windows.h>
#include <ntsecapi.h> /* RtlGenRandom (SystemFunction036) */

/* Like Windows' own, it never fails (Rust's std relies on that); a failing RtlGenRandom
 * ends the process rather than hand out unfilled memory. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk))
            ExitProcess(0xC000000DL);
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
