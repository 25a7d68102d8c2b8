//go:build unix

package token

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/certigna-desktop/app/internal/testtoken"
)

func openOCK(t *testing.T) (*testtoken.Token, *Module, TokenInfo) {
	t.Helper()
	tok := testtoken.OpenCryptoki(t)
	m, err := Open(tok.ModulePath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	ti, err := m.Token(tok.Slot)
	if err != nil {
		t.Fatal(err)
	}
	if ti.Label != tok.Label {
		t.Fatalf("label %q (NUL padding must be trimmed)", ti.Label)
	}
	return tok, m, ti
}

// opencryptoki counts wrong logins for real: each wrong PIN costs exactly one
// try, the states go count_low → final_try → locked, and nothing is sent to
// the token at final try without confirmation, nor once locked.
func TestOpenCryptokiLockoutAndUnblock(t *testing.T) {
	tok, m, ti := openOCK(t)
	if ti.PIN != PINOK || ti.MinPIN != 4 || ti.MaxPIN != 8 || ti.Manufacturer != "IBM" && ti.Manufacturer != "IBM Corp." {
		t.Fatalf("fresh token %+v", ti)
	}
	state := func() PINState {
		t.Helper()
		ti, err := m.Token(tok.Slot)
		if err != nil {
			t.Fatal(err)
		}
		return ti.PIN
	}
	wrong := func(confirm bool, wantKind Kind, wantState PINState) {
		t.Helper()
		_, err := m.Signer(tok.Slot, tok.RSAID, "0000", confirm)
		var te *Error
		if !errors.As(err, &te) || te.Kind != wantKind || te.State != wantState {
			t.Fatalf("wrong PIN: got %v (%+v), want %s/%s", err, te, wantKind, wantState)
		}
		if got := state(); got != wantState {
			t.Fatalf("token now says %s, want %s", got, wantState)
		}
	}
	wrong(false, KindPINIncorrect, PINCountLow)
	wrong(false, KindPINIncorrect, PINFinalTry)
	// Final try: refused without confirmation, and no try is used.
	wrong(false, KindFinalTry, PINFinalTry)
	if err := m.ChangePIN(tok.Slot, tok.PIN, "2468", "2468", false); !IsKind(err, KindFinalTry) {
		t.Fatalf("change at final try: %v", err)
	}
	if got := state(); got != PINFinalTry {
		t.Fatalf("a refused action used a try: %s", got)
	}
	var te *Error
	_, err := m.Signer(tok.Slot, tok.RSAID, "0000", true)
	if !errors.As(err, &te) || te.Kind != KindPINLocked || te.State != PINLocked {
		t.Fatalf("last wrong PIN: %v", err)
	}
	if state() != PINLocked {
		t.Fatal("not locked")
	}
	// Locked: even the right PIN is refused, here, before the token.
	if _, err := m.Signer(tok.Slot, tok.RSAID, tok.PIN, true); !IsKind(err, KindPINLocked) {
		t.Fatalf("locked: %v", err)
	}
	if err := m.ChangePIN(tok.Slot, tok.PIN, "2468", "2468", true); !IsKind(err, KindPINLocked) {
		t.Fatalf("change when locked: %v", err)
	}
	// The admin code unblocks it.
	const newPIN = "97531"
	if err := m.Unblock(tok.Slot, tok.SOPIN, newPIN, newPIN, false); err != nil {
		t.Fatal(err)
	}
	if s := state(); s != PINOK && s != PINToBeChanged {
		t.Fatalf("after unblock: %s", s)
	}
	s, err := m.Signer(tok.Slot, tok.RSAID, newPIN, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := sha256.Sum256([]byte("opencryptoki"))
	for _, opts := range []crypto.SignerOpts{crypto.SHA256, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}} {
		sig, err := s.Sign(nil, d[:], opts)
		if err != nil {
			t.Fatal(err)
		}
		verify(t, s.Public(), d[:], sig, opts)
	}
}

func TestOpenCryptokiChangePIN(t *testing.T) {
	tok, m, _ := openOCK(t)
	if err := m.ChangePIN(tok.Slot, tok.PIN, "246802", "246802", false); err != nil {
		t.Fatal(err)
	}
	if out, err := tok.TryTool("--login", "--pin", "246802", "--list-objects"); err != nil {
		t.Fatalf("new PIN refused by pkcs11-tool: %v\n%s", err, out)
	}
	if err := m.ChangePIN(tok.Slot, "246802", "123456789", "123456789", false); !IsKind(err, KindPINLength) {
		t.Fatalf("9 characters on a 4..8 token: %v", err)
	}
}
