//go:build unix

package main

import (
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/token"
)

// opencryptoki locks for real. The CLI has no verb that logs in (signing is
// in cli_pdf.go), and opencryptoki does not count a wrong old PIN in
// C_SetPIN, so the wrong logins are made through token.Signer.
func TestCLIOpenCryptokiFinalTryAndLocked(t *testing.T) {
	tok := testtoken.OpenCryptoki(t)
	pinsInTest = []string{tok.PIN, tok.SOPIN}
	m, err := token.Open(tok.ModulePath)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	wrongLogin := func(confirm bool) {
		t.Helper()
		if _, err := m.Signer(tok.Slot, tok.RSAID, "0000", confirm); err == nil {
			t.Fatal("wrong PIN accepted")
		}
	}
	pinState := func() token.PINState {
		t.Helper()
		ti, err := m.Token(tok.Slot)
		if err != nil {
			t.Fatal(err)
		}
		return ti.PIN
	}
	wrongLogin(false)
	wrongLogin(false)
	if s := pinState(); s != token.PINFinalTry {
		t.Fatalf("state %s", s)
	}
	code, out, errs := cli(t, tok.PIN+"\n2468\n2468\n", "--lang", "en", "--module", tok.ModulePath, "status")
	if code != exitOK || !strings.Contains(out, "PIN: last try") {
		t.Errorf("status at final try: %d %s %s", code, out, errs)
	}
	// Final try: refused without --final-try, before any code is read.
	code, _, errs = cli(t, tok.PIN+"\n2468\n2468\n", "--lang", "en", "--module", tok.ModulePath, "change-pin")
	if code != exitUsage || !strings.Contains(errs, "--final-try") {
		t.Fatalf("final try without --final-try: exit %d %q", code, errs)
	}
	if s := pinState(); s != token.PINFinalTry {
		t.Fatalf("a refused action used a try: %s", s)
	}
	wrongLogin(true)
	if s := pinState(); s != token.PINLocked {
		t.Fatalf("state %s", s)
	}
	// Locked: refused outright, exit 4, even with the right PIN and --final-try.
	code, _, errs = cli(t, tok.PIN+"\n2468\n2468\n", "--lang", "fr", "--module", tok.ModulePath, "change-pin", "--final-try")
	if code != exitPINLocked || !strings.Contains(errs, "bloqué") {
		t.Fatalf("locked: exit %d %q", code, errs)
	}
	// The admin code unblocks it.
	const newPIN = "8642"
	pinsInTest = append(pinsInTest, newPIN)
	code, _, errs = cli(t, tok.SOPIN+"\n"+newPIN+"\n"+newPIN+"\n", "--lang", "en", "--module", tok.ModulePath, "unblock")
	if code != exitOK {
		t.Fatalf("unblock: exit %d %q", code, errs)
	}
	if s := pinState(); s == token.PINLocked || s == token.PINFinalTry {
		t.Fatalf("still %s after unblock", s)
	}
	s, err := m.Signer(tok.Slot, tok.RSAID, newPIN, false)
	if err != nil {
		t.Fatalf("the unblocked PIN: %v", err)
	}
	s.Close()
	// A too-long PIN for this 4..8 token: refused, no try used.
	code, _, _ = cli(t, newPIN+"\n123456789\n123456789\n", "--module", tok.ModulePath, "change-pin")
	if code != exitUsage || pinState() != token.PINOK {
		t.Errorf("too long: exit %d, state %s", code, pinState())
	}
}
