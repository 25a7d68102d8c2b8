//go:build unix

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/token"
)

// wrongLogins spends n tries of the user PIN through
// pkcs11-tool, an independent client: opencryptoki really counts them.
func wrongLogins(t *testing.T, tok *testtoken.Token, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if out, err := tok.TryTool("--login", "--pin", "0000", "--list-objects"); err == nil {
			t.Fatalf("a wrong code was accepted:\n%s", out)
		}
	}
}

// A PIN locked by three wrong codes shows the blocked screen; the token has
// a usable admin (SO) code, so the unblock form is offered and works.
func TestBlockedTokenShowsBlockedScreenAndUnblocks(t *testing.T) {
	tok := testtoken.OpenCryptoki(t)
	wrongLogins(t, tok, 3)
	h := start(t, tok, "fr")
	if cur := h.app.current(); cur == nil || cur.PIN != actions.PINLocked {
		t.Fatalf("token %+v, want a locked PIN", cur)
	}
	h.app.show(screenPIN) // the PIN screen of a blocked token is the blocked screen
	if h.app.shown() != screenBlocked {
		t.Fatalf("screen %s", h.app.shown())
	}
	mustShow(t, h.win, "Votre token est bloqué")
	mustShow(t, h.win, "BLOQUÉ")
	mustShow(t, h.win, "J’ai un code administrateur (PUK) fourni avec mon token")
	snapshot(t, h, "11-blocked.png")
	h.app.show(screenToken)
	mustShow(t, h.win, "BLOQUÉ")
	h.app.show(screenBlocked)
	f := h.app.unblockForm()
	if f == nil {
		t.Fatal("no unblock form")
	}
	test.Tap(f.reveal) // the admin-code form is behind its own button
	f = h.app.unblockForm()
	mustShow(t, h.win, "Code administrateur")
	if h.win.Canvas().Focused() != f.admin {
		t.Fatal("no unblock form, or focus not on the admin code")
	}
	const newPIN = "4826"
	test.Type(f.admin, tok.SOPIN)
	test.Type(f.newPIN, newPIN)
	test.Type(f.confirm, newPIN)
	test.Tap(f.submit)
	h.settle()
	if !f.succeeded {
		t.Fatalf("unblock failed: %q", f.status.Text)
	}
	if n := h.svc.codeCalls.Load(); n != 1 {
		t.Fatalf("%d token calls", n)
	}
	if out, err := tok.TryTool("--login", "--pin", newPIN, "--list-objects"); err != nil {
		t.Fatalf("new PIN refused after unblock: %v\n%s", err, out)
	}
}

// With the admin code blocked too, the screen says what to do: the CA's
// support and the revocation advice, and no form.
func TestBlockedTokenWithoutAdminCodeShowsSupport(t *testing.T) {
	tok := testtoken.OpenCryptoki(t)
	wrongLogins(t, tok, 3)
	// the admin code is spent through the token package: SO logins need a
	// read-write session, which pkcs11-tool does not open for a login alone
	m, err := token.Open(tok.ModulePath)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := m.Unblock(tok.Slot, "00000000", "4826", "4826", true); !token.IsKind(err, token.KindPINIncorrect) && !token.IsKind(err, token.KindPINLocked) {
			t.Fatalf("wrong admin code: %v", err)
		}
	}
	m.Close()
	h := start(t, tok, "en")
	if cur := h.app.current(); cur == nil || cur.SOPIN != actions.PINLocked {
		t.Fatalf("token %+v, want a locked admin code", cur)
	}
	h.app.show(screenPIN)
	if h.app.shown() != screenBlocked {
		t.Fatalf("screen %s", h.app.shown())
	}
	mustShow(t, h.win, "Your token is blocked")
	mustShow(t, h.win, "cannot be unblocked here")
	mustShow(t, h.win, "revoke your certificate")
	snapshot(t, h, "12-blocked-no-admin-en.png")
	if shows(h.win, "Admin code") {
		t.Fatal("an admin form is offered for a blocked admin code")
	}
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if b, ok := asButton(o); ok && b.Text == "Contact Certigna support" {
			test.Tap(b)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.opened) != 1 || !strings.Contains(h.opened[0], "certigna.com") {
		t.Fatalf("opened %v", h.opened)
	}
}

// At the last try the form asks before sending the code; saying no sends
// nothing to the token.
func TestFinalTryAsksFirst(t *testing.T) {
	tok := testtoken.OpenCryptoki(t)
	wrongLogins(t, tok, 2)
	h := start(t, tok, "fr")
	if cur := h.app.current(); cur == nil || cur.PIN != actions.PINFinalTry {
		t.Fatalf("token %+v, want final_try", cur)
	}
	h.app.show(screenPIN)
	mustShow(t, h.win, "DERNIER ESSAI")
	f := h.app.pinForm()
	test.Type(f.current, tok.PIN)
	test.Type(f.newPIN, "5555")
	test.Type(f.confirm, "5555")
	test.Tap(f.submit)
	h.settle()
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no confirmation dialog at the last try")
	}
	var no *widget.Button
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := asButton(o); ok && b.Text == "Annuler" {
			no = b
		}
	}
	if no == nil {
		t.Fatal("no “Annuler” button in the dialog")
	}
	test.Tap(no)
	h.settle()
	if n := h.svc.codeCalls.Load(); n != 0 {
		t.Fatalf("%d calls reached the token without confirmation", n)
	}
	if s := pinState(t, h); s != actions.PINFinalTry {
		t.Fatalf("PIN state now %s", s)
	}
}
