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
