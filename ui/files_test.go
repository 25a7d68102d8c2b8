package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

// waitUI runs the window's queued results until ok holds.
func waitUI(t *testing.T, h *harness, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !ok(); {
		if time.Now().After(end) {
			t.Fatalf("never: %s", what)
		}
		h.drain()
		time.Sleep(5 * time.Millisecond)
	}
}

// Without a system dialog, the driver's file is chosen in Fyne's dialog,
// in the window's language (its buttons, its title, the places it lists)
// and following the switch; the documents' names are listed on one line
// each (never cut mid-word on two).
func TestFyneFileDialogInTheWindowsLanguage(t *testing.T) {
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_MESSAGES", "")
	h := start(t, softhsm(t), "fr")
	long := "attestation de signature électronique du contrat.pdf"
	if err := os.WriteFile(filepath.Join(h.docs, long), []byte("%PDF-1.7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang, button  string
		want, notWant []string
	}{
		{"fr", "Choisir un fichier…", []string{"Choisir le fichier du pilote", "Ouvrir", "Annuler", "Dossier personnel", "Ordinateur"},
			[]string{"Open", "Cancel", "Home", "Computer", "Show Hidden Files"}},
		{"en", "Choose a file…", []string{"Choose the driver's file", "Open", "Cancel", "Home", "Computer"},
			[]string{"Ouvrir", "Annuler", "Dossier personnel", "Ordinateur"}},
	} {
		h.app.setLang(c.lang)
		h.app.show(screenDriver)
		tapText(t, h, c.button)
		waitUI(t, h, "Fyne's dialog", func() bool { return h.win.Canvas().Overlays().Top() != nil })
		shown := strings.Join(overlayTexts(h.win), "\n")
		for _, w := range c.want {
			if !strings.Contains(shown, w) {
				t.Errorf("%s: %q missing from the dialog:\n%s", c.lang, w, shown)
			}
		}
		for _, w := range c.notWant {
			for _, line := range strings.Split(shown, "\n") {
				if line == w {
					t.Errorf("%s: %q in the dialog", c.lang, w)
				}
			}
		}
		h.win.Canvas().Overlays().Top().Hide()
		// the process's locale is put back (the CLI's language follows it)
		if os.Getenv("LANGUAGE") != "" || os.Getenv("LC_MESSAGES") != "" || os.Getenv("LANG") != "fr_FR.UTF-8" {
			t.Fatalf("locale left changed: LANGUAGE=%q LC_MESSAGES=%q LANG=%q", os.Getenv("LANGUAGE"), os.Getenv("LC_MESSAGES"), os.Getenv("LANG"))
		}
	}
	// the PDF chooser's "Browse…": the documents folder, as a list
	h.app.setLang("fr")
	h.app.show(screenSign)
	tapText(t, h, "Choisir un PDF…")
	waitUI(t, h, "the window's chooser", func() bool { return h.app.chooserField() != nil })
	for _, o := range test.LaidOutObjects(h.win.Canvas().Overlays().Top()) {
		if b, ok := asButton(o); ok && b.Text == "Parcourir…" {
			test.Tap(b)
		}
	}
	whole := false
	for _, o := range test.LaidOutObjects(h.win.Canvas().Overlays().Top()) {
		// a piece of the name: its start or its end (the filter's ".pdf" is not)
		if x, ok := o.(*canvas.Text); ok && len(x.Text) > 5 && (strings.HasPrefix(long, x.Text) || strings.HasSuffix(long, x.Text)) {
			if x.Text != long {
				t.Errorf("the name is cut: %q", x.Text)
			}
			whole = true
		}
	}
	if !whole {
		t.Errorf("%q not listed:\n%s", long, strings.Join(overlayTexts(h.win), "\n"))
	}
}
