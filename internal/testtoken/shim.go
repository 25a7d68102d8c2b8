package testtoken

import (
	_ "embed"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

//go:embed testdata/shim.c
var shimSource []byte

// Shim kinds: a PKCS#11 module that misbehaves the way vendor middleware
// can, built from testdata/shim.c by BuildShim. These are test doubles: no
// real module here hangs or crashes on purpose.
const (
	ShimOK              = ""                 // a one-slot token ("Shim Token", PIN 4..8) refusing every PIN
	ShimHangInitialize  = "HANG_INITIALIZE"  // C_Initialize waits until Release
	ShimHangSlotList    = "HANG_SLOTLIST"    // C_GetSlotList waits until Release
	ShimHangLogin       = "HANG_LOGIN"       // C_Login waits until Release
	ShimHangSetPIN      = "HANG_SETPIN"      // C_SetPIN waits until Release
	ShimNullList        = "NULL_LIST"        // C_GetFunctionList returns CKR_OK and a NULL list
	ShimCrashInitialize = "CRASH_INITIALIZE" // C_Initialize writes through NULL
	ShimChatty          = "CHATTY"           // a working module that prints a banner on stdout
	// For BuildWrapShim: a real module whose C_Login or C_Sign crashes.
	ShimCrashLogin = "CRASH_LOGIN" // C_Login writes through NULL
	ShimCrashSign  = "CRASH_SIGN"  // C_Sign writes through NULL
	// C_Login answers CKR_USER_PIN_NOT_INITIALIZED, checking nothing, while
	// the token's flags say its PIN is set: what SoftHSM2 does when its
	// token file was unreadable at C_Initialize (a race, token/reread.go).
	ShimLoginPINNotInit = "LOGIN_PIN_NOT_INIT"
)

// Shim is a built misbehaving module.
type Shim struct {
	Path    string
	release string
}

// Release lets a hanging call return.
func (s *Shim) Release(t testing.TB) {
	t.Helper()
	must(t, os.WriteFile(s.release, nil, 0o600))
}

var pkcs11Headers = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/miekg/pkcs11").Output()
	return strings.TrimSpace(string(out)), err
})

// PINCalls is the standalone shim's C_Login and C_SetPIN calls so far, in
// order, each noted as it starts (unbuffered: a call in a process killed
// while it hangs is counted).
func (s *Shim) PINCalls() []string {
	b, _ := os.ReadFile(s.release + ".calls")
	return strings.Fields(string(b))
}

// BuildShim compiles the shim module with gcc for kind (one of the Shim…
// constants) into a temporary directory. ~0.1 s.
func BuildShim(t testing.TB, kind string) *Shim {
	t.Helper()
	needPrivateCache(t)
	return buildShim(t, kind)
}

// BuildWrapShim builds a module that is real (every function of the
// library at real, e.g. SoftHSM2's) except the one kind (ShimCrashLogin,
// ShimCrashSign, ShimLoginPINNotInit) makes crash or fail: a vendor driver
// that fails after the PIN or during the signature, or SoftHSM2 losing a
// race, which no real token does on purpose or on demand (a test double).
func BuildWrapShim(t testing.TB, kind, real string) *Shim {
	t.Helper()
	return buildShim(t, kind, "-DWRAP", "-DREAL_MODULE=\""+real+"\"", "-ldl")
}

func buildShim(t testing.TB, kind string, extra ...string) *Shim {
	t.Helper()
	Need(t, "gcc", "go")
	inc, err := pkcs11Headers()
	if err != nil || inc == "" {
		t.Fatalf("testtoken: cannot find miekg/pkcs11's headers: %v", err)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "shim.c")
	must(t, os.WriteFile(src, shimSource, 0o600))
	s := &Shim{Path: filepath.Join(dir, "libshim"+strings.ToLower(strings.ReplaceAll(kind, "_", ""))+".so"),
		release: filepath.Join(dir, "release")}
	args := []string{"-shared", "-fPIC", "-O1", "-I", inc, "-DRELEASE_FILE=\"" + s.release + "\"", "-o", s.Path, src}
	if kind != "" {
		args = append(args, "-D"+kind)
	}
	args = append(args, extra...)
	if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	return s
}

// WrongArch writes fake library files of another architecture into dir and
// returns their paths by kind: "elf32" (a 32-bit i386 ELF shared object),
// "pe32" (a 32-bit Windows DLL), "macho-x86_64" (an Intel-only dylib).
// Only their headers are real: enough for the loader to refuse them and for
// discovery to say why.
func WrongArch(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	// ELF32, i386, ET_DYN
	e := make([]byte, 52)
	copy(e, "\x7fELF")
	e[4], e[5], e[6] = 1, 1, 1
	e[16], e[18], e[20] = 3, 3, 1 // ET_DYN, EM_386, EV_CURRENT
	e[40] = 52                    // e_ehsize
	out["elf32"] = filepath.Join(dir, "libvendor32.so")
	must(t, os.WriteFile(out["elf32"], e, 0o644))
	// PE32: MZ stub, PE header, machine i386, a 32-bit optional header
	p := make([]byte, 1024)
	copy(p, "MZ")
	p[0x3c] = 0x40
	copy(p[0x40:], "PE\x00\x00")
	p[0x44], p[0x45] = 0x4c, 0x01 // IMAGE_FILE_MACHINE_I386
	p[0x54] = 0xe0                // SizeOfOptionalHeader
	p[0x56], p[0x57] = 0x02, 0x21 // executable, 32-bit, DLL
	p[0x58], p[0x59] = 0x0b, 0x01 // PE32 magic
	p[0x58+92] = 16               // NumberOfRvaAndSizes
	out["pe32"] = filepath.Join(dir, "vendor32.dll")
	must(t, os.WriteFile(out["pe32"], p, 0o644))
	// Mach-O 64-bit, x86_64, MH_DYLIB
	m := make([]byte, 32)
	copy(m, []byte{0xcf, 0xfa, 0xed, 0xfe, 0x07, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00, 0x06})
	out["macho-x86_64"] = filepath.Join(dir, "libvendor_intel.dylib")
	must(t, os.WriteFile(out["macho-x86_64"], m, 0o644))
	return out
}
