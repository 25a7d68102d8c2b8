package testtoken

import (
	"bufio"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// Hold starts cmd, a process that takes a lock, prints "held" and keeps it
// until its standard input closes (the tests' holder of a token's turn),
// and waits until it holds it. Closing the returned writer lets it go; the
// process is killed at the end of the test if still there.
func Hold(t testing.TB, cmd *exec.Cmd) io.WriteCloser {
	t.Helper()
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); strings.TrimSpace(line) != "held" {
		t.Fatalf("holder %v: %q", cmd.Args, line)
	}
	return in
}
