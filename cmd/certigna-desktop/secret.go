package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/term"
)

// errNoInput: standard input ended before a code was given.
var errNoInput = errors.New("standard input ended")

// maxCodeLine: no PIN or admin code is longer (PKCS#11 tokens stop far
// below); a longer line is not read further.
const maxCodeLine = 256

// codeError: the line read cannot be a code; nothing is sent to the token.
type codeError struct{ why string }

func (e *codeError) Error() string { return "not a code: " + e.why }

// readSecret reads one PIN or code. On a terminal it prompts on stderr and
// reads without echo; otherwise it takes exactly one line of the code source
// (standard input, or the descriptor of --pin-fd), reading byte by byte so
// that nothing past that line is consumed: a script's loop over standard
// input keeps the rest of its list. A line that cannot be a code (empty,
// control characters, a PDF's header, a file name) is refused before any
// token is asked. PINs never come from argv, and the returned string is
// never printed or logged by the caller.
//
// The code is held in one buffer of ours ([]byte, issue #23), wiped by
// wipeSecrets when the verb ends (run defers it): the string returned is a
// view of that buffer (no copy), valid until then, and must not be kept.
// Copies we cannot avoid: the C string miekg/pkcs11 makes for C_Login /
// C_SetPIN / C_InitPIN (freed, not wiped, by the library), and the
// terminal's read buffer of x/term.
func (e *Env) readSecret(prompt string) (string, error) {
	src := e.Stdin
	if e.pinFile != nil {
		src = e.pinFile
	}
	// A terminal never echoes a code, whichever descriptor it comes
	// through (--pin-fd 0 is the terminal too).
	if f, ok := src.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.Stderr, prompt+" ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.Stderr)
		e.secrets = append(e.secrets, b)
		if err != nil {
			return "", err
		}
		return secretView(b), checkCodeLine(secretView(b))
	}
	line, err := readOneLine(src)
	e.secrets = append(e.secrets, line)
	if err != nil {
		return "", err
	}
	return secretView(line), checkCodeLine(secretView(line))
}

// secretView is b as a string without copying it: the code stays in the one
// buffer wipeSecrets clears.
func secretView(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// wipeSecrets overwrites every code read, once the verb is done with them.
func (e *Env) wipeSecrets() {
	for _, b := range e.secrets {
		clear(b[:cap(b)])
	}
	e.secrets = nil
}

// readOneLine reads up to and including the next '\n', one byte per read
// (no buffer keeps what follows), at most maxCodeLine bytes, into one buffer
// allocated once (growing it would leave copies behind); the line ending is
// wiped from it.
func readOneLine(r io.Reader) ([]byte, error) {
	line := make([]byte, 0, maxCodeLine+1)
	for {
		n, err := r.Read(line[len(line) : len(line)+1])
		if n == 1 {
			line = line[:len(line)+1]
			if line[len(line)-1] == '\n' {
				return trimEOL(line), nil
			}
			if len(line) > maxCodeLine {
				clear(line)
				return nil, &codeError{why: "long"}
			}
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(line) == 0 {
				return nil, errNoInput
			}
			return trimEOL(line), nil
		}
		if err != nil {
			clear(line)
			return nil, err
		}
	}
}

// trimEOL drops a final "\n" and "\r", zeroing them in place.
func trimEOL(b []byte) []byte {
	for _, c := range []byte{'\n', '\r'} {
		if len(b) > 0 && b[len(b)-1] == c {
			b[len(b)-1] = 0
			b = b[:len(b)-1]
		}
	}
	return b
}

// checkCodeLine refuses what cannot be a PIN or an admin code.
func checkCodeLine(s string) error {
	switch {
	case s == "":
		return &codeError{why: "empty"}
	case strings.HasPrefix(s, "%PDF"):
		return &codeError{why: "pdf"}
	case len(s) > maxCodeLine:
		return &codeError{why: "long"}
	case !utf8.ValidString(s):
		return &codeError{why: "control"}
	case len(s) >= 4 && strings.EqualFold(s[len(s)-4:], ".pdf"): // ToLower would copy the code
		return &codeError{why: "file"}
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) {
			return &codeError{why: "control"}
		}
	}
	return nil
}

// readSecrets reads several codes in order; on failure it reports the error
// translated and returns the exit code to use.
func (e *Env) readSecrets(prompts ...string) ([]string, int, bool) {
	out := make([]string, 0, len(prompts))
	for _, p := range prompts {
		s, err := e.readSecret(p)
		if err != nil {
			var ce *codeError
			switch {
			case errors.As(err, &ce):
				return nil, e.fail(exitUsage, e.T("hostile.cli.code_refused", map[string]any{
					"Source": e.codeSourceName(), "Why": e.T("hostile.why." + ce.why)})), false
			case errors.Is(err, errNoInput):
				return nil, e.fail(exitUsage, e.T("cli.stdin_closed")), false
			}
			return nil, e.fail(exitFailure, e.T("cli.prompt_failed", map[string]any{"Err": err})), false
		}
		out = append(out, s)
	}
	return out, 0, true
}

func (e *Env) codeSourceName() string {
	if e.pinFile != nil {
		return e.T("hostile.source.fd", map[string]any{"FD": e.pinFD})
	}
	return e.T("hostile.source.stdin")
}

// takePinFD removes "--pin-fd N" (or "--pin-fd=N") from args, wherever it
// is, and opens descriptor N as the source of the codes: the safe form for
// scripts, whose standard input stays theirs.
func (e *Env) takePinFD(args []string) ([]string, int, bool) {
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		v, ok := strings.CutPrefix(a, "--pin-fd=")
		if !ok && a == "--pin-fd" {
			if i+1 >= len(args) {
				return nil, e.fail(exitUsage, e.T("hostile.cli.bad_pin_fd", map[string]any{"FD": "", "Err": "?"})), false
			}
			v, ok = args[i+1], true
			i++
		}
		if !ok {
			rest = append(rest, a)
			continue
		}
		fd, err := strconv.Atoi(v)
		if err != nil || fd < 0 {
			return nil, e.fail(exitUsage, e.T("hostile.cli.bad_pin_fd", map[string]any{"FD": v, "Err": "?"})), false
		}
		f := os.NewFile(uintptr(fd), "pin-fd")
		if f == nil {
			return nil, e.fail(exitUsage, e.T("hostile.cli.bad_pin_fd", map[string]any{"FD": v, "Err": "?"})), false
		}
		if _, err := f.Stat(); err != nil {
			return nil, e.fail(exitUsage, e.T("hostile.cli.bad_pin_fd", map[string]any{"FD": v, "Err": err})), false
		}
		e.pinFile, e.pinFD = f, fd
	}
	return rest, 0, true
}
