package main

import (
	"strings"
	"testing"
	"unsafe"
)

// TestSecretOneBufferWiped (issue #23): a code read from standard input is
// held in one buffer of ours — the string handed to the token is a view of it,
// not a copy — and wipeSecrets leaves zeros there; the line ending is zeroed
// too, and the rest of the input is not consumed.
func TestSecretOneBufferWiped(t *testing.T) {
	in := strings.NewReader("Zq7#Pin9\r\nnext line\n")
	env := &Env{Lang: "en", Stdin: in, Stderr: &strings.Builder{}}
	pin, err := env.readSecret("PIN:")
	if err != nil || pin != "Zq7#Pin9" {
		t.Fatalf("read %q, %v", pin, err)
	}
	if len(env.secrets) != 1 {
		t.Fatalf("%d buffers kept", len(env.secrets))
	}
	buf := env.secrets[0]
	if unsafe.StringData(pin) != &buf[0] {
		t.Fatal("the PIN string is a copy, not a view of the buffer")
	}
	if full := buf[:cap(buf)]; strings.Contains(string(full[len(pin):]), "\r") || strings.Contains(string(full[len(pin):]), "\n") {
		t.Errorf("line ending left in the buffer: %q", full[len(pin):])
	}
	if rest := in.Len(); rest != len("next line\n") {
		t.Errorf("read past the code's line: %d bytes left", rest)
	}
	env.wipeSecrets()
	for i, c := range buf[:cap(buf)] {
		if c != 0 {
			t.Fatalf("byte %d not wiped: %q", i, c)
		}
	}
	if pin != strings.Repeat("\x00", len("Zq7#Pin9")) {
		t.Fatalf("the view still reads %q after the wipe", pin)
	}
	// A refused line (a file name) is wiped the same way.
	env = &Env{Lang: "en", Stdin: strings.NewReader("Report.PDF\n"), Stderr: &strings.Builder{}}
	if _, err := env.readSecret("PIN:"); err == nil {
		t.Fatal("a file name was taken as a code")
	}
	b := env.secrets[0]
	env.wipeSecrets()
	if strings.Trim(string(b[:cap(b)]), "\x00") != "" {
		t.Fatal("refused line not wiped")
	}
}
