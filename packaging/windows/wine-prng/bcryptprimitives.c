/*
 * Test-only shim for Wine 8.0, never shipped in an installer.
 *
 * Go 1.24+ executables take their random bytes from ProcessPrng in
 * bcryptprimitives.dll, which every supported Windows has but Wine 8.0
 * (Debian bookworm) does not: the runtime aborts at start-up. This DLL exports
 * ProcessPrng and fills the buffer from RtlGenRandom (advapi32's
 * SystemFunction036), which Wine implements. scripts/wine-smoke.sh copies it
 * into the throwaway Wine prefix's system32 before running the app.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    /* RtlGenRandom takes a ULONG length: feed large requests in chunks. */
    while (size > 0) {
        ULONG n = size > 0x40000000 ? 0x40000000 : (ULONG)size;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        size -= n;
    }
    return TRUE;
}
