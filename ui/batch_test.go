package ui_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/ui"
)

// Issue #14 in the window: three documents and a file that is not a PDF
// dropped at once are checked before the PIN (the refused one listed and,
// once the person agreed, skipped), signed with ONE C_Login (pkcs11-spy),
// each verified; the summary says what was signed where.
func TestBatchDropOnePIN(t *testing.T) {
	h, logins := spied(t, nil)
	h.app.Show(ui.ScreenSign)
	v := h.app.SignView()
	dir := t.TempDir()
	var uris []fyne.URI
	for _, n := range []string{"a.pdf", "b.pdf", "c.pdf"} {
		uris = append(uris, storage.NewFileURI(writeSample(t, dir, n)))
	}
	bad := filepath.Join(dir, "notes.pdf")
	os.WriteFile(bad, []byte("pas un PDF\n"), 0o644)
	uris = append(uris, storage.NewFileURI(bad))
	h.app.HandleDrop(uris)
	h.settle()
	if len(v.Batch) != 4 {
		t.Fatalf("batch of %d", len(v.Batch))
	}
	before := logins()
	test.Type(v.PIN, h.tok.PIN)
	test.Tap(v.Submit)
	h.settle()
	// The refused file is shown in a confirmation; the test confirms it.
	var confirmed bool
	for i := 0; i < 50 && !confirmed; i++ {
		for _, o := range h.win.Canvas().Overlays().List() {
			for _, b := range buttons(o) {
				if b.Text == "Oui" || b.Text == "Yes" {
					test.Tap(b)
					confirmed = true
				}
			}
		}
		h.settle()
	}
	if !confirmed {
		t.Fatalf("no confirmation for the refused file: %q", v.Status.Text)
	}
	for i := 0; i < 100 && v.BatchSigned == 0; i++ {
		h.settle()
	}
	if v.BatchSigned != 3 {
		t.Fatalf("signed %d: %q", v.BatchSigned, v.Status.Text)
	}
	if n := logins() - before; n != 1 {
		t.Fatalf("%d C_Login for three documents", n)
	}
	if !strings.Contains(v.Status.Text, "3 document(s) signé(s) sur 4") {
		t.Fatalf("summary %q", v.Status.Text)
	}
	for _, n := range []string{"a-signé.pdf", "b-signé.pdf", "c-signé.pdf"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "notes-signé.pdf")); err == nil {
		t.Fatal("the refused file was signed")
	}
}

// buttons lists the buttons under o.
func buttons(o fyne.CanvasObject) []*widget.Button {
	var out []*widget.Button
	var walk func(fyne.CanvasObject)
	walk = func(c fyne.CanvasObject) {
		switch x := c.(type) {
		case *widget.Button:
			out = append(out, x)
		case *fyne.Container:
			for _, k := range x.Objects {
				walk(k)
			}
		case fyne.Widget:
			r := test.WidgetRenderer(x)
			for _, k := range r.Objects() {
				walk(k)
			}
		}
	}
	walk(o)
	return out
}
