package main

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/term"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/token"
)

// On a big file most of the signing time is reading, hashing and writing
// the copy (bench/sign.sh). That needs no PIN: the copy starts as soon as
// the checks are done and runs while the person types the PIN; the token
// logs in once the copy is done and signs at once. Nothing changes for the
// PIN: one prompt, one login, and no login at all if the copy failed.

// lateSigner is a crypto.Signer whose key arrives later (after the PIN).
type lateSigner struct {
	pub        crypto.PublicKey
	once, want sync.Once
	wanted     chan struct{} // closed when the signature is asked for: the copy is done
	done       chan struct{}
	key        crypto.Signer
	err        error
}

func newLateSigner(pub crypto.PublicKey) *lateSigner {
	return &lateSigner{pub: pub, done: make(chan struct{}), wanted: make(chan struct{})}
}

func (l *lateSigner) Public() crypto.PublicKey { return l.pub }

// Sign waits for the token's key (or the reason there will be none).
func (l *lateSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	l.want.Do(func() { close(l.wanted) })
	<-l.done
	if l.err != nil {
		return nil, l.err
	}
	return l.key.Sign(r, digest, opts)
}

func (l *lateSigner) provide(k crypto.Signer) { l.once.Do(func() { l.key = k; close(l.done) }) }
func (l *lateSigner) abort(err error)         { l.once.Do(func() { l.err = err; close(l.done) }) }

// errNoKey: the PIN was not given or refused; the copy made meanwhile is
// thrown away (pdfsign removes its temporary file).
var errNoKey = errors.New("no key: the PIN was not given or was refused")

type signOutcome struct {
	signed *actions.Signed
	err    error
}

// signWithEarlyCopy is the end of `sign` for one file: sign.Sign starts
// at once with a lateSigner; the PIN is read, the token logged in, and the
// key handed over. Ctrl-C at any point leaves no file (the terminal is
// restored if it came while the PIN was typed). When done is true the
// command ends with code; otherwise o is the signature's outcome.
func signWithEarlyCopy(env *Env, m *token.Module, t token.TokenInfo, id []byte, finalTry bool,
	in, out string, chain []*x509.Certificate, opts sign.Options) (o signOutcome, code int, done bool) {
	ctx, stop := interruptContext() // Ctrl-C is ours here (cli_signals.go)
	defer stop()
	late := newLateSigner(chain[0].PublicKey)
	outc := make(chan signOutcome, 1)
	go func() {
		s, err := actions.SignAndVerify(ctx, in, out, late, chain, opts)
		outc <- signOutcome{s, err}
	}()
	drop := func(err error) {
		late.abort(err)
		<-outc // pdfsign has removed its temporary file when this returns
	}

	type pinRead struct {
		codes []string
		code  int
		ok    bool
	}
	var restore func()
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if st, err := term.GetState(int(f.Fd())); err == nil {
			restore = func() { term.Restore(int(f.Fd()), st) }
		}
	}
	pins := make(chan pinRead, 1)
	go func() {
		c, code, ok := env.readSecrets(env.T("pdf.cli.prompt_pin", map[string]any{"Label": t.Label}))
		pins <- pinRead{c, code, ok}
	}()
	var p pinRead
	select {
	case p = <-pins:
	case <-ctx.Done():
		drop(errNoKey)
		if restore != nil {
			restore()
		}
		fmt.Fprintln(env.Stderr)
		return o, env.fail(exitFailure, env.T("sign.cli.cancelled_one")), true
	case o = <-outc:
		// The copy failed before the PIN was given: no login for nothing.
		late.abort(errNoKey)
		return o, env.Fail(o.err), true
	}
	if !p.ok {
		drop(errNoKey)
		return o, p.code, true
	}
	// Log in only once the signature is all that is left to do: a copy that
	// fails costs no PIN verification.
	select {
	case <-late.wanted:
	case o = <-outc:
		late.abort(errNoKey)
		return o, env.Fail(o.err), true
	case <-ctx.Done():
		drop(errNoKey)
		return o, env.fail(exitFailure, env.T("sign.cli.cancelled_one")), true
	}
	signer, err := m.Signer(t.Slot, id, p.codes[0], finalTry)
	p.codes[0] = ""
	if err != nil {
		drop(err)
		return o, env.Fail(err), true
	}
	defer signer.Close()
	late.provide(signer)
	return <-outc, 0, false
}
