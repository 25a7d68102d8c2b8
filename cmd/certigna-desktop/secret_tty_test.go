//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: what the program reads from (the
// terminal) and the other side, where a person's keys go in and the
// terminal's echo comes out.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// --pin-fd 0 with standard input on a terminal: the code is read without
// echo (it was echoed: the terminal showed the PIN), and a code with a
// trailing space typed there is still only a string to check, never sent
// here.
func TestPinFDOnTerminalDoesNotEcho(t *testing.T) {
	master, tty := openPTY(t)
	var stderr bytes.Buffer
	e := &Env{Lang: "fr", Stdin: strings.NewReader(""), Stdout: &stderr, Stderr: &stderr, pinFile: tty, pinFD: 0}
	const pin = "73915284"
	go func() {
		// type only once the terminal stopped echoing, as a person
		// typing after the prompt; give up after 5 s (the read then
		// echoes, and the test says so)
		for i := 0; i < 500; i++ {
			tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
			if err == nil && tio.Lflag&unix.ECHO == 0 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		master.Write([]byte(pin + "\n"))
	}()
	got, err := e.readSecret("Code PIN :")
	if err != nil || got != pin {
		t.Fatalf("read %q, %v", got, err)
	}
	// everything the terminal showed, up to a marker written after the read
	tty.Write([]byte("END-OF-SCREEN\n"))
	var screen []byte
	buf := make([]byte, 256)
	for !bytes.Contains(screen, []byte("END-OF-SCREEN")) {
		n, err := master.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		screen = append(screen, buf[:n]...)
	}
	if bytes.Contains(screen, []byte(pin)) {
		t.Fatalf("the terminal echoed the PIN: %q", screen)
	}
	if !strings.Contains(stderr.String(), "Code PIN :") {
		t.Fatalf("no prompt on the terminal's stderr: %q", stderr.String())
	}
}
