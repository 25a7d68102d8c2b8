package main

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/testtoken"
)

// TestCLIDriverCrashContained (issue #23): a driver that crashes inside
// C_Login or C_Sign (SoftHSM2 behind a shim that writes through NULL there:
// a test double, no real token crashes on purpose) runs in the pkcs11-worker
// child, so the CLI — run as a process of its own — exits 6 with a sentence
// naming the driver and the call, no Go crash dump, and leaves only the
// input in the folder (no output, no temporary copy).
func TestCLIDriverCrashContained(t *testing.T) {
	tok := softToken(t)
	for _, tc := range []struct{ kind, call string }{
		{testtoken.ShimCrashLogin, "C_Login"},
		{testtoken.ShimCrashSign, "C_Sign"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			shim := testtoken.BuildWrapShim(t, tc.kind, tok.ModulePath)
			dir := t.TempDir()
			in := samplePDF(t, dir)
			r := runChild(t, nil, strings.NewReader(tok.PIN+"\n"), nil,
				"--lang", "en", "--module", shim.Path, "sign", in, "--cert", hex.EncodeToString(tok.RSAID))
			if r.code != exitNoModule {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, exitNoModule, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, "stopped unexpectedly") || !strings.Contains(r.stderr, tc.call) ||
				!strings.Contains(r.stderr, shim.Path) {
				t.Errorf("message: %q", r.stderr)
			}
			for _, s := range []string{"SIGSEGV", "signal", "fatal error", "CKR_", tok.PIN} {
				if strings.Contains(r.stderr+r.stdout, s) {
					t.Errorf("%q in the output: %s", s, r.stderr)
				}
			}
			assertOnlyFiles(t, dir, "contrat.pdf")
		})
	}
}
