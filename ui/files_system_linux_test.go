package ui

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// With a desktop portal on the session bus, "Choisir un PDF…" asks it (off
// the UI goroutine): in French, in the documents folder, PDFs only; one
// dialog however many clicks; the file chosen (a name with a space and an
// accent, escaped in the URI) is the document; the window's own chooser is
// not shown; a dialog still open when the window closes is closed.
func TestFileDialogAsksTheSystemFirst(t *testing.T) {
	addr, portal := StartFakePortal(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	withOptions = func(o *Options) { o.Files = nil } // the system's choice
	defer func() { withOptions = nil }()
	h := start(t, softhsm(t), "fr")
	h.app.show(screenSign)
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
	if h.app.chooserField() != nil || h.win.Canvas().Overlays().Top() != nil {
		t.Fatal("the window's own chooser shown as well")
	}
	portal.Answer(t, q, (&url.URL{Scheme: "file", Path: doc}).String())
	waitUI(t, h, "the chosen PDF is the document", func() bool { return h.app.signView().inputPath == doc })
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
	if h.app.signView().inputPath != doc {
		t.Errorf("document now %q", h.app.signView().inputPath)
	}
}

// A batch's signed copies go in the folder chosen in the system's folder
// dialog (the portal here): the window says where before the PIN, the
// copies are there and not beside the documents; one document again: no
// folder line.
func TestBatchFolderFromTheSystemDialog(t *testing.T) {
	addr, portal := StartFakePortal(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	withOptions = func(o *Options) { o.Files = nil }
	defer func() { withOptions = nil }()
	h := start(t, softhsm(t), "fr")
	h.app.show(screenSign)
	v := h.app.signView()
	dir := t.TempDir()
	v.setInputs([]string{sampleIn(t, dir, "a.pdf"), sampleIn(t, dir, "b.pdf")})
	h.settle()
	mustShow(t, h.win, "Copies signées : à côté de chaque document.")
	tapText(t, h, "Enregistrer les copies dans…")
	q := portal.Asked(t)
	if q.Title != "Dossier des copies signées" || !q.Directory || q.Accept != "Choisir ce dossier" {
		t.Fatalf("asked %+v", q)
	}
	out := t.TempDir()
	portal.Answer(t, q, (&url.URL{Scheme: "file", Path: out}).String())
	waitUI(t, h, "the folder said", func() bool { return shows(h.win, "Copies signées : dans "+out+".") })
	waitUI(t, h, "the batch checked", func() bool { h.settle(); return v.checked && !v.submit.Disabled() })
	test.Type(v.pin, h.tok.PIN)
	test.Tap(v.submit)
	waitUI(t, h, "the batch signed", func() bool { h.settle(); return v.batchSigned == 2 })
	for _, n := range []string{"a-signé.pdf", "b-signé.pdf"} {
		if _, err := os.Stat(filepath.Join(out, n)); err != nil {
			t.Errorf("%s not in the chosen folder: %v", n, err)
		}
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			t.Errorf("%s beside the document too", n)
		}
	}
	v.setInputs([]string{filepath.Join(dir, "a.pdf")})
	h.settle()
	for _, x := range visibleTexts(h.win) {
		if strings.HasPrefix(x, "Copies signées") {
			t.Fatalf("one document, still %q", x)
		}
	}
}
