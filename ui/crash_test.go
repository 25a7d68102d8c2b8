package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/token"
)

// This test binary stands in for the app's as the pkcs11-worker child
// (token.SetWorkerCommand), as it does in cmd/certigna-desktop.
func init() {
	if len(os.Args) == 3 && os.Args[1] == "pkcs11-worker" {
		os.Exit(token.WorkerServe(os.Args[2]))
	}
}

// TestDriverCrashKeepsWindow (issue #23): with the token's driver in a
// worker child, as the app runs it, a driver that crashes inside C_Login or
// C_Sign (SoftHSM2 behind a crashing shim: a test double) does not take the
// window down: the signature fails with the sentence naming the driver, no
// file is written, the form is usable again, and the token screen still
// reads the token (a new worker).
func TestDriverCrashKeepsWindow(t *testing.T) {
	for _, tc := range []struct{ kind, call string }{
		{testtoken.ShimCrashLogin, "C_Login"},
		{testtoken.ShimCrashSign, "C_Sign"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			token.SetWorkerCommand(os.Args[0], "pkcs11-worker")
			t.Cleanup(func() { token.SetWorkerCommand() })
			tok := softhsm(t)
			shim := testtoken.BuildWrapShim(t, tc.kind, tok.ModulePath)
			h := startModule(t, tok, shim.Path, "fr", nil)
			h.app.show(screenSign)
			v := h.app.signView()
			v.sampleNow()
			h.settle()
			if v.inputPath == "" {
				t.Fatalf("no sample: %q", v.status.Text)
			}
			h.settle() // the document's pre-PIN check
			test.Type(v.pin, tok.PIN)
			test.Tap(v.submit)
			h.settle()
			if v.output != "" {
				t.Fatalf("signed through a crashing driver: %s", v.output)
			}
			if !strings.Contains(v.status.Text, "arrêté brutalement") || !strings.Contains(v.status.Text, tc.call) ||
				!strings.Contains(v.status.Text, filepath.Base(shim.Path)) {
				t.Fatalf("status %q", v.status.Text)
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(v.inputPath), "*signé*")); len(left) != 0 {
				t.Fatalf("output left: %v", left)
			}
			if v.pin.Disabled() {
				t.Fatal("the form stays disabled")
			}
			// The window goes on: the token screen reads the token again.
			h.app.show(screenToken)
			h.app.refresh()
			h.settle()
			mustShow(t, h.win, "Jeton Tests UI")
		})
	}
}
