package ui_test

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/ui"
)

// Found walking the window as a new customer (task H). Each test shows one
// fix with the fyne test driver over a real SoftHSM2 token.

// tapText taps the first laid-out button whose text is s.
func tapText(t *testing.T, h *harness, s string) {
	t.Helper()
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if b, ok := o.(*widget.Button); ok && b.Text == s {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no button %q:\n%s", s, strings.Join(texts(h.win), "\n"))
}

// The verify screen's "Choisir un PDF…" is the same translated chooser as
// the sign screen's (a typed path, "Parcourir…" in Documents), not Fyne's
// English dialog opened in the home folder.
func TestVerifyChooserTranslatedTakesTypedPath(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.Show(ui.ScreenVerify)
	tapText(t, h, "Choisir un PDF…")
	got := strings.Join(overlayTexts(h.win), "\n")
	for _, w := range []string{"Choisir un PDF", "Parcourir…", "Ouvrir", "Annuler"} {
		if !strings.Contains(got, w) {
			t.Fatalf("chooser lacks %q:\n%s", w, got)
		}
	}
	for _, w := range []string{"Open File", "Cancel", "Home", "Computer"} {
		if strings.Contains(got, w) {
			t.Fatalf("English %q in the French chooser:\n%s", w, got)
		}
	}
	doc := corpus("adbe-pkcs7-sha1.pdf")
	path := h.app.ChooserField()
	path.SetText(doc)
	path.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	if v := h.app.VerifyView(); v == nil || v.File != doc || (v.Check == nil && v.Err == nil) {
		t.Fatalf("typed path not verified: %+v", v)
	}
}
