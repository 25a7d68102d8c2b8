//go:build linux

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

	"golang.org/x/sys/unix"
)

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
			// A terminal, as a person has: the prompt is reached when it
			// stops echoing (the copy starts long before, beside the check:
			// its file is no sign of the prompt). The PIN never comes.
			_, tty := openPTY(t)
			cmd.Stdin = tty
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			for deadline := time.Now().Add(20 * time.Second); ; {
				tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
				if err == nil && tio.Lflag&unix.ECHO == 0 {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					<-done
					t.Fatalf("the PIN prompt never came; stderr:\n%s", stderr.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			if tmp, _ := filepath.Glob(filepath.Join(dir, ".contrat-signed.pdf.*.tmp")); len(tmp) == 0 {
				t.Error("no temporary copy at the PIN prompt: the case tests less than it says")
			}
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			var err error
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
