//go:build linux

package main

import (
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestCLIWorkerEndsWithTheCLI: the pkcs11-worker child of a CLI run is
// there while the CLI waits for the PIN (`sign` on SoftHSM2 behind a
// pass-through shim, a library path of this test's own), and gone once the
// CLI has exited (here: standard input closed instead of a PIN, exit 2): no
// driver process is left behind.
func TestCLIWorkerEndsWithTheCLI(t *testing.T) {
	tok := softToken(t)
	shim := testtoken.BuildWrapShim(t, "", tok.ModulePath)
	dir := t.TempDir()
	in := samplePDF(t, dir)
	pr, pw := io.Pipe()
	seen := make(chan bool, 1)
	go func() {
		defer pw.Close() // no PIN: the CLI ends
		for i := 0; i < 400; i++ {
			if len(workersOf(shim.Path)) > 0 {
				seen <- true
				return
			}
			time.Sleep(25 * time.Millisecond)
		}
		seen <- false
	}()
	r := runChild(t, nil, pr, nil, "--lang", "en", "--module", shim.Path, "sign", in, "--cert", hex.EncodeToString(tok.RSAID))
	if !<-seen {
		t.Fatal("no pkcs11-worker process seen while the CLI waited for the PIN")
	}
	if r.code != exitUsage {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for i := 0; ; i++ {
		left := workersOf(shim.Path)
		if len(left) == 0 {
			break
		}
		if i > 100 {
			t.Fatalf("worker processes left after the CLI exited: %v", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
	assertOnlyFiles(t, dir, "contrat.pdf")
}

// workersOf lists the pids whose command line is `… pkcs11-worker path`.
func workersOf(path string) []string {
	var pids []string
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		if len(args) >= 3 && args[len(args)-2] == "pkcs11-worker" && args[len(args)-1] == path {
			pids = append(pids, d.Name())
		}
	}
	return pids
}
