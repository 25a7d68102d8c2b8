package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// errNoInput: standard input ended before a code was given.
var errNoInput = errors.New("standard input ended")

// readSecret reads one PIN or code. On a terminal it prompts on stderr and
// reads without echo; otherwise it takes the next line of standard input, so
// scripts and tests pipe the codes one per line. PINs never come from argv,
// and the returned string is never printed or logged by the caller.
func (e *Env) readSecret(prompt string) (string, error) {
	if f, ok := e.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.Stderr, prompt+" ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.Stderr)
		if err != nil {
			return "", err
		}
		return string(b), nil
	}
	if e.stdinLines == nil {
		e.stdinLines = bufio.NewReader(e.Stdin)
	}
	line, err := e.stdinLines.ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || line == "") {
		if errors.Is(err, io.EOF) {
			return "", errNoInput
		}
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// readSecrets reads several codes in order; on failure it reports the error
// translated and returns the exit code to use.
func (e *Env) readSecrets(prompts ...string) ([]string, int, bool) {
	out := make([]string, 0, len(prompts))
	for _, p := range prompts {
		s, err := e.readSecret(p)
		if err != nil {
			if errors.Is(err, errNoInput) {
				return nil, e.fail(exitUsage, e.T("cli.stdin_closed")), false
			}
			return nil, e.fail(exitFailure, e.T("cli.prompt_failed", map[string]any{"Err": err})), false
		}
		out = append(out, s)
	}
	return out, 0, true
}
