package main

import (
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/token"
)

// TestCLITokenTurnExit: another process holds our lock on the token's
// library (token/turns.go) for longer than this run will wait. `sign`
// then ends with exit 11 and the turn's sentence — not "the driver did not
// answer" (exit 6), which is what it said when the probe child was killed
// while it waited for the lock (TestProbeSaysBusy) — with no C_Login (counted by
// pkcs11-spy) and no file; once the holder lets go, the same command signs
// with one C_Login. The holder is util-linux's flock(1) on the run's own
// lock file: a real process, the real lock (flock(2), as ours).
func TestCLITokenTurnExit(t *testing.T) {
	testtoken.Need(t, "flock")
	tok := softToken(t, testtoken.WithoutEC())
	cache := t.TempDir() // this test's own locks directory, to find its lock file
	t.Setenv("XDG_CACHE_HOME", cache)
	spy := testtoken.NewSpy(t, tok.ModulePath)
	spy.Setenv(t)
	dir := t.TempDir()
	in := samplePDF(t, dir)
	cert := hex.EncodeToString(tok.RSAID)

	if code, _, errs := cli(t, "", "--module", spy.Path, "status"); code != exitOK {
		t.Fatalf("status: exit %d: %s", code, errs)
	}
	locks, _ := filepath.Glob(filepath.Join(cache, "certigna-desktop", "locks", "*.lock"))
	if len(locks) != 1 {
		t.Fatalf("lock files %v: want the module's one", locks)
	}

	holder := exec.Command("flock", "--exclusive", locks[0], "sh", "-c", "echo held; exec cat >/dev/null")
	release := testtoken.Hold(t, holder)

	outPDF := filepath.Join(dir, "signed.pdf")
	mark := spy.Mark()
	start := time.Now()
	code, _, errs := cli(t, tok.PIN+"\n", "--lang", "fr", "--module", spy.Path, "sign", in, "-o", outPDF, "--cert", cert)
	took := time.Since(start)
	if code != exitBusy {
		t.Fatalf("sign while another process held the token: exit %d, want %d: %s", code, exitBusy, errs)
	}
	if !strings.Contains(errs, "occupé par une autre fenêtre ou commande") || !strings.Contains(errs, "Aucun essai du code PIN") {
		t.Errorf("message: %q", errs)
	}
	if n := spy.CountSince(mark, "C_Login"); n != 0 {
		t.Errorf("%d C_Login while the token was busy", n)
	}
	if _, err := os.Stat(outPDF); !os.IsNotExist(err) {
		t.Errorf("a file was left: %v", err)
	}
	// It waited for its turn, and gave up within the named module's trial
	// deadline (token/trial.go), not at a call's own (60 s for C_Initialize).
	if took < token.ProbeDeadline/2 || took > token.ProbeDeadline+2*time.Second {
		t.Errorf("took %v: want from %v to %v", took, token.ProbeDeadline/2, token.ProbeDeadline+2*time.Second)
	}

	_ = release.Close() // the holder exits, and the lock with it
	_ = holder.Wait()
	mark = spy.Mark()
	if code, _, errs := cli(t, tok.PIN+"\n", "--lang", "fr", "--module", spy.Path, "sign", in, "-o", outPDF, "--cert", cert); code != exitOK {
		t.Fatalf("sign once the holder let go: exit %d: %s", code, errs)
	}
	if n := spy.CountSince(mark, "C_Login"); n != 1 {
		t.Errorf("%d C_Login, want 1", n)
	}
}
