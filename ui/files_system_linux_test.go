package ui_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/ui"
)

// With a desktop portal on the session bus, "Choisir un PDF…" asks it (off
// the UI goroutine): in French, in the documents folder, PDFs only; one
// dialog however many clicks; the file chosen (a name with a space and an
// accent, escaped in the URI) is the document; the window's own chooser is
// not shown; a dialog still open when the window closes is closed.
func TestFileDialogAsksTheSystemFirst(t *testing.T) {
	addr, portal := ui.StartFakePortal(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	withOptions = func(o *ui.Options) { o.Files = nil } // the system's choice
	defer func() { withOptions = nil }()
	h := start(t, softhsm(t), "fr")
	h.app.Show(ui.ScreenSign)
	doc := filepath.Join(t.TempDir(), "contrat signé.pdf")
	if err := os.WriteFile(doc, []byte("%PDF-1.7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tapText(t, h, "Choisir un PDF…")
	tapText(t, h, "Choisir un PDF…") // a second click while it is open
	q := portal.Asked(t)
	if q.Title != "Choisir un PDF" || q.Accept != "Ouvrir" || q.Folder != h.docs || !strings.Contains(q.Filters, "Documents PDF") {
		t.Fatalf("asked %+v (documents %s)", q, h.docs)
	}
	if h.app.ChooserField() != nil || h.win.Canvas().Overlays().Top() != nil {
		t.Fatal("the window's own chooser shown as well")
	}
	portal.Answer(t, q, (&url.URL{Scheme: "file", Path: doc}).String())
	waitUI(t, h, "the chosen PDF is the document", func() bool { return h.app.SignView().Input == doc })
	if asked, _ := portal.Counts(); asked != 1 {
		t.Errorf("%d dialogs for two clicks", asked)
	}

	tapText(t, h, "Choisir un PDF…")
	portal.Answer(t, portal.Asked(t), "") // cancelled: the document stays
	waitUI(t, h, "a new dialog once the last one is answered", func() bool {
		tapText(t, h, "Choisir un PDF…")
		time.Sleep(20 * time.Millisecond)
		asked, _ := portal.Counts()
		return asked == 3
	})
	portal.Asked(t)
	h.app.Stop()
	if _, closed := portal.Counts(); closed != 1 {
		t.Errorf("the open dialog was not closed with the window (%d closed)", closed)
	}
	h.drain()
	if h.app.SignView().Input != doc {
		t.Errorf("document now %q", h.app.SignView().Input)
	}
}
