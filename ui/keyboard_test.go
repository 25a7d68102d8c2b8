package ui_test

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/ui"
)

// press delivers one key as the desktop driver (GLFW) does: key down and
// typed key to the object focused at that moment, then the key's character
// to the object focused after that (the character callback comes second),
// then key up. Space on a button that opens a screen moves the focus
// between the two.
func press(c fyne.Canvas, name fyne.KeyName, r rune) {
	if k, ok := c.Focused().(desktop.Keyable); ok {
		k.KeyDown(&fyne.KeyEvent{Name: name})
	}
	if f := c.Focused(); f != nil {
		f.TypedKey(&fyne.KeyEvent{Name: name})
	}
	if r != 0 {
		if f := c.Focused(); f != nil {
			f.TypedRune(r)
		}
	}
	if k, ok := c.Focused().(desktop.Keyable); ok {
		k.KeyUp(&fyne.KeyEvent{Name: name})
	}
}

// typeKeys types s key by key as a person does.
func typeKeys(c fyne.Canvas, s string) {
	for _, r := range s {
		press(c, fyne.KeyName(string(r)), r)
	}
}

// repeat is a held key's auto-repeat: typed key and character, no key down.
func repeat(c fyne.Canvas, name fyne.KeyName, r rune) {
	if f := c.Focused(); f != nil {
		f.TypedKey(&fyne.KeyEvent{Name: name})
		f.TypedRune(r)
	}
}

func buttonWithText(w fyne.Window, text string) *widget.Button {
	for _, o := range test.LaidOutObjects(w.Content()) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	return nil
}

// Space on a sidebar button or on the guide's "Faire une signature de test"
// opens a screen whose code field takes the focus: the Space's character
// must not land in it (it did, and the correct PIN sent with a space cost a
// try). Through pkcs11-spy: no C_Login/C_SetPIN for the key, exactly one for
// the code then typed, and it is accepted.
func TestSpaceThatOpensAScreenTypesNothing(t *testing.T) {
	testtoken.Need(t, "pkcs11-tool")
	tok := softhsm(t)
	spy := testtoken.NewSpy(t, tok.ModulePath)
	spy.Setenv(t)
	h := startModule(t, tok, spy.Path, "fr", nil)
	c := h.win.Canvas()

	// sidebar → PIN screen
	c.Focus(h.app.NavButton(ui.ScreenPIN))
	press(c, fyne.KeySpace, ' ')
	f := h.app.PINForm()
	if h.app.Screen() != ui.ScreenPIN || f == nil || c.Focused() != f.Current {
		t.Fatalf("Space on the sidebar: screen %s, focus %T", h.app.Screen(), c.Focused())
	}
	repeat(c, fyne.KeySpace, ' ') // the key held down
	repeat(c, fyne.KeySpace, ' ')
	if f.Current.Text != "" {
		t.Fatalf("the Space reached the code field: %q", f.Current.Text)
	}
	if n := spy.Count("C_Login") + spy.Count("C_SetPIN"); n != 0 {
		t.Fatalf("%d code calls for a key", n)
	}
	const newPIN = "97531864"
	typeKeys(c, tok.PIN)
	if f.Current.Text != tok.PIN {
		t.Fatalf("typed keys give %q", f.Current.Text)
	}
	press(c, fyne.KeyReturn, 0) // Enter: next empty field
	typeKeys(c, newPIN)
	press(c, fyne.KeyReturn, 0)
	typeKeys(c, newPIN)
	press(c, fyne.KeyReturn, 0) // complete: submits
	h.settle()
	if !f.Succeeded {
		t.Fatalf("PIN change refused: %q", f.Status.Text)
	}
	if n := spy.Count("C_SetPIN"); n != 1 {
		t.Fatalf("%d C_SetPIN for one change", n)
	}

	// guide's "Faire une signature de test" → sign screen
	h.app.Show(ui.ScreenGuide)
	b := buttonWithText(h.win, "Faire une signature de test")
	if b == nil {
		t.Fatal("no test-signature button on the guide")
	}
	c.Focus(b)
	press(c, fyne.KeySpace, ' ')
	v := h.app.SignView()
	if h.app.Screen() != ui.ScreenSign || v == nil || c.Focused() != v.PIN {
		t.Fatalf("Space on the guide's button: screen %s, focus %T", h.app.Screen(), c.Focused())
	}
	if v.PIN.Text != "" {
		t.Fatalf("the Space reached the PIN field: %q", v.PIN.Text)
	}
	logins := spy.Count("C_Login")
	h.app.HandleDrop([]fyne.URI{storage.NewFileURI(writeSample(t, t.TempDir(), "a.pdf"))})
	h.settle()
	c.Focus(v.PIN)
	typeKeys(c, newPIN)
	press(c, fyne.KeyReturn, 0)
	h.settle()
	if v.Output == "" {
		t.Fatalf("not signed: %q", v.Status.Text)
	}
	if n := spy.Count("C_Login") - logins; n != 1 {
		t.Fatalf("%d C_Login for one signature", n)
	}

	// sidebar → sign screen again: the field is empty and stays so
	c.Focus(h.app.NavButton(ui.ScreenGuide))
	press(c, fyne.KeySpace, ' ')
	c.Focus(h.app.NavButton(ui.ScreenSign))
	press(c, fyne.KeySpace, ' ')
	if v := h.app.SignView(); c.Focused() == v.PIN && v.PIN.Text != "" {
		t.Fatalf("the Space reached the PIN field: %q", v.PIN.Text)
	}
}
