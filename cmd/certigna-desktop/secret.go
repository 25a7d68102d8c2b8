package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

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
func (e *Env) readSecret(prompt string) (string, error) {
	src := e.Stdin
	if e.pinFile != nil {
		src = e.pinFile
	} else if f, ok := e.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.Stderr, prompt+" ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.Stderr)
		if err != nil {
			return "", err
		}
		return string(b), checkCodeLine(string(b))
	}
	line, err := readOneLine(src)
	if err != nil {
		return "", err
	}
	return line, checkCodeLine(line)
}

// readOneLine reads up to and including the next '\n', one byte per read
// (no buffer keeps what follows), at most maxCodeLine bytes.
func readOneLine(r io.Reader) (string, error) {
	var line []byte
	b := make([]byte, 1)
	for {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				return strings.TrimSuffix(string(line), "\r"), nil
			}
			if len(line) >= maxCodeLine {
				return "", &codeError{why: "long"}
			}
			line = append(line, b[0])
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(line) == 0 {
				return "", errNoInput
			}
			return strings.TrimSuffix(string(line), "\r"), nil
		}
		if err != nil {
			return "", err
		}
	}
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
	case strings.HasSuffix(strings.ToLower(s), ".pdf"):
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
