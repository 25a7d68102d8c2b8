package token

import (
	"encoding/binary"
	"os"
	"runtime"
	"testing"
)

// writeELF writes a minimal 64-bit ELF shared-object header for AArch64 (or
// x86-64 when the tests run on arm64): enough for debug/elf to read the machine.
func writeELF(t *testing.T, path string) {
	t.Helper()
	h := make([]byte, 64)
	copy(h, "\x7fELF")
	h[4], h[5], h[6] = 2, 1, 1               // 64-bit, little-endian, version 1
	binary.LittleEndian.PutUint16(h[16:], 3) // ET_DYN
	machine := uint16(183)                   // EM_AARCH64
	if runtime.GOARCH == "arm64" {
		machine = 62 // EM_X86_64
	}
	binary.LittleEndian.PutUint16(h[18:], machine)
	binary.LittleEndian.PutUint32(h[20:], 1)
	binary.LittleEndian.PutUint16(h[52:], 64) // ehsize
	if err := os.WriteFile(path, h, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writePE writes a minimal PE/COFF header for a machine other than ours.
func writePE(t *testing.T, path string) {
	t.Helper()
	h := make([]byte, 1024) // debug/pe reads past the headers
	copy(h, "MZ")
	binary.LittleEndian.PutUint32(h[0x3c:], 0x40)
	copy(h[0x40:], "PE\x00\x00")
	machine := uint16(0xaa64) // ARM64
	if runtime.GOARCH == "arm64" {
		machine = 0x8664
	}
	binary.LittleEndian.PutUint16(h[0x44:], machine)
	if err := os.WriteFile(path, h, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeMachO writes a minimal thin Mach-O dylib header for another CPU.
func writeMachO(t *testing.T, path string) {
	t.Helper()
	h := make([]byte, 32)
	binary.LittleEndian.PutUint32(h[0:], 0xfeedfacf)
	cpu := uint32(0x0100000c) // arm64
	if runtime.GOARCH == "arm64" {
		cpu = 0x01000007 // x86-64
	}
	binary.LittleEndian.PutUint32(h[4:], cpu)
	binary.LittleEndian.PutUint32(h[12:], 6) // MH_DYLIB
	if err := os.WriteFile(path, h, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDiagnoseOtherFormats(t *testing.T) {
	dir := t.TempDir()
	pePath := dir + "/module.dll"
	writePE(t, pePath)
	if got := diagnoseLoad(pePath); got != "library for another system" {
		t.Errorf("PE on this system: %q", got)
	}
	// the same DLL on Windows: built for the other processor family
	if got := diagnoseFor(pePath, "windows", runtime.GOARCH); got != archWord(runtime.GOARCH, runtime.GOARCH == "arm64") {
		t.Errorf("PE for another machine: %q", got)
	}
	mo := dir + "/module.dylib"
	writeMachO(t, mo)
	if got := diagnoseLoad(mo); got != "library for another system" {
		t.Errorf("Mach-O on this system: %q", got)
	}
	if got := diagnoseFor(mo, "darwin", runtime.GOARCH); got != archWord(runtime.GOARCH, runtime.GOARCH == "arm64") {
		t.Errorf("Mach-O for another CPU: %q", got)
	}
	if got := diagnoseLoad(dir + "/absent.so"); got != "missing file" {
		t.Errorf("missing: %q", got)
	}
	if got := diagnoseLoad(dir); got != "not a PKCS#11 library" {
		t.Errorf("directory: %q", got)
	}
}
