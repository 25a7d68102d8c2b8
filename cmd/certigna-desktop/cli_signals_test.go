package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// envTestAsMain makes this test binary run main() (TestMain): a real CLI
// process, with main's signal handling.
const envTestAsMain = "CERTIGNA_TEST_AS_MAIN"

// A real CLI process waiting at the PIN prompt — the copy of the input
// already made beside the output, as `.contrat-signed.pdf.NNN.tmp` — gets
// SIGHUP (terminal closed), SIGTERM or SIGINT: it ends and leaves no file
// but the input.
func TestCLISignalsAtPINPromptRemoveTempFiles(t *testing.T) {
	_, mod, _ := ltvToken(t)
	for _, c := range []struct {
		sig  syscall.Signal
		code int
	}{
		{syscall.SIGHUP, 128 + int(syscall.SIGHUP)},
		{syscall.SIGTERM, 128 + int(syscall.SIGTERM)},
		{syscall.SIGINT, exitFailure}, // sign handles Ctrl-C itself: "cancelled"
	} {
		t.Run(c.sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			in := samplePDF(t, dir)
			cmd := exec.Command(os.Args[0], "--lang", "fr", "--module", mod, "sign", in, "--cert", "10")
			cmd.Env = append(os.Environ(), envTestAsMain+"=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdin, err := cmd.StdinPipe() // held open: the PIN never comes
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Wait for the copy made while the PIN is typed.
			var tmp []string
			for deadline := time.Now().Add(20 * time.Second); len(tmp) == 0; {
				tmp, _ = filepath.Glob(filepath.Join(dir, ".contrat-signed.pdf.*.tmp"))
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("no temporary copy appeared; stderr:\n%s", stderr.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond) // at the prompt, reading stdin
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 20 s after %v", c.sig)
			}
			var ee *exec.ExitError
			code := 0
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			if code != c.code {
				t.Errorf("exit %d after %v, want %d; stderr:\n%s", code, c.sig, c.code, stderr.String())
			}
			if strings.Contains(stderr.String(), "goroutine ") {
				t.Errorf("a Go trace:\n%s", stderr.String())
			}
			assertOnlyFiles(t, dir, "contrat.pdf")
		})
	}
}
