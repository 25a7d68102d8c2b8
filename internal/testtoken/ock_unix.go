//go:build unix

package testtoken

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// opencryptoki's software token, as scripts/opencryptoki.sh configures it.
const (
	OCKModule   = "/usr/lib/x86_64-linux-gnu/opencryptoki/libopencryptoki.so.0"
	OCKSlot     = 0
	OCKLabel    = "Certigna OCK"
	OCKPIN      = "135790"                                     // user PIN (opencryptoki: 4 to 8 characters)
	OCKSOPIN    = "24680246"                                   // SO PIN
	ockDefault  = "87654321"                                   // opencryptoki's factory SO PIN
	ockLockFile = "/var/lib/opencryptoki/.certigna-tests.lock" // private to a run under scripts/opencryptoki.sh run
	ockTokDir   = "/var/lib/opencryptoki/swtok"
)

// OpenCryptoki re-initialises opencryptoki's software token — label
// OCKLabel, SO PIN OCKSOPIN, user PIN OCKPIN, an RSA-2048 key and its
// certificate at RSAID — and holds a lock on it for the rest of the test:
// the token is one per machine and tests of several packages run in
// parallel processes. Needs pkcsslotd running (scripts/opencryptoki.sh start,
// which `bash scripts/test.sh` does and which sets CERTIGNA_OCK=1). Skips when
// CERTIGNA_OCK is not 1, except under CI where it fails.
//
// Open the module after this call and close it before the test ends: the
// token is re-initialised underneath by the next test.
func OpenCryptoki(t testing.TB) *Token {
	t.Helper()
	needPrivateCache(t)
	if os.Getenv("CERTIGNA_OCK") != "1" {
		Missing(t, "opencryptoki is not started: run scripts/opencryptoki.sh start and set CERTIGNA_OCK=1 (bash scripts/test.sh does both)")
	}
	Need(t, "pkcsconf", "pkcs11-tool", "openssl")
	if _, err := os.Stat(OCKModule); err != nil {
		Missing(t, "opencryptoki's library is missing: "+OCKModule)
	}
	lock, err := os.OpenFile(ockLockFile, os.O_CREATE|os.O_RDWR, 0o666)
	must(t, err)
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		lock.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
		lock.Close()
	})
	dir := t.TempDir()
	tok := &Token{
		ModulePath: OCKModule, Dir: dir, Label: OCKLabel, Slot: OCKSlot, PIN: OCKPIN, SOPIN: OCKSOPIN,
		Holder: Holder, RSAID: []byte{0x01}, CAID: []byte{0xca}, env: os.Environ(),
	}
	slot := "0"
	// Start from nothing: re-initialising over an earlier state is unreliable
	// (C_InitToken with a changed SO PIN leaves a token whose SO login fails),
	// and the SO PIN may have been left blocked. pkcsslotd keeps no copy of
	// these files, so removing them while it runs is safe.
	for _, f := range []string{"NVTOK.DAT", "MK_SO", "MK_USER"} {
		_ = os.Remove(filepath.Join(ockTokDir, f))
	}
	objs, _ := filepath.Glob(filepath.Join(ockTokDir, "TOK_OBJ", "*"))
	for _, f := range objs {
		_ = os.Remove(f)
	}
	tok.run(t, []byte(OCKLabel+"\n"), "pkcsconf", "-I", "-c", slot, "-S", ockDefault)
	tok.run(t, nil, "pkcsconf", "-P", "-c", slot, "-S", ockDefault, "-n", OCKSOPIN)
	tok.run(t, nil, "pkcsconf", "-u", "-c", slot, "-S", OCKSOPIN, "-n", OCKPIN)
	tok.newCA(t)
	tok.addKey(t, tok.RSAID, "rsa:2048", "RSA signature", false)
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", tok.CAPath, "--type", "cert", "--id", "ca", "--label", "Test CA")
	return tok
}
