package ui

import (
	"context"
	"crypto"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// Issue #14 in the window: three documents and a file that is not a PDF
// dropped at once are checked before the PIN (the refused one listed and,
// once the person agreed, skipped), signed with ONE C_Login (pkcs11-spy),
// each verified; the summary says what was signed where.
func TestBatchDropOnePIN(t *testing.T) {
	h, logins := spied(t, nil)
	h.app.show(screenSign)
	v := h.app.signView()
	dir := t.TempDir()
	var uris []fyne.URI
	for _, n := range []string{"a.pdf", "b.pdf", "c.pdf"} {
		uris = append(uris, storage.NewFileURI(sampleIn(t, dir, n)))
	}
	bad := filepath.Join(dir, "notes.pdf")
	os.WriteFile(bad, []byte("pas un PDF\n"), 0o644)
	uris = append(uris, storage.NewFileURI(bad))
	h.app.handleDrop(uris)
	h.settle()
	if len(v.batch) != 4 {
		t.Fatalf("batch of %d", len(v.batch))
	}
	// Before any click and without the PIN (issue #22, finding 8): the
	// refused file is listed with its reason in words, and the button
	// counts the documents it will sign.
	before := logins()
	for i := 0; i < 100 && !v.checked; i++ {
		h.settle()
	}
	if !strings.Contains(v.docStatus.Text, "Ce document ne pourra pas être signé") || !strings.Contains(v.docStatus.Text, "notes.pdf : ") {
		t.Fatalf("refused file not listed before the click: %q", v.docStatus.Text)
	}
	if v.submit.Text != "Signer les 3 documents" || v.submit.Disabled() {
		t.Fatalf("button %q (disabled %v)", v.submit.Text, v.submit.Disabled())
	}
	if n := logins() - before; n != 0 {
		t.Fatalf("%d C_Login before the click", n)
	}
	// finding 12: the reason is the batch's, and the window says so
	if !v.reasonScope.Visible() || !strings.Contains(v.reasonScope.Text, "chaque document") {
		t.Fatalf("the reason's scope is not said: %v %q", v.reasonScope.Visible(), v.reasonScope.Text)
	}
	test.Type(v.reason, "Bon pour accord")
	test.Type(v.pin, h.tok.PIN)
	test.Tap(v.submit)
	h.settle()
	// The refused file is shown in a question, in the window's words; its
	// default button (the focus) signs the others: Enter.
	var confirmed bool
	c := h.win.Canvas()
	for i := 0; i < 50 && !confirmed; i++ {
		if top := c.Overlays().Top(); top != nil {
			var labels []string
			for _, b := range buttons(top) {
				labels = append(labels, b.Text)
			}
			if f, ok := c.Focused().(*button); !ok || f.Text != "Signer les 3 autres" {
				t.Fatalf("the question's default is not “Signer les 3 autres”: buttons %q, focus %T", labels, c.Focused())
			}
			press(c, fyne.KeyReturn, 0)
			confirmed = true
		}
		h.settle()
	}
	if !confirmed {
		t.Fatalf("no confirmation for the refused file: %q", v.status.Text)
	}
	for i := 0; i < 100 && v.batchSigned == 0; i++ {
		h.settle()
	}
	if v.batchSigned != 3 {
		t.Fatalf("signed %d: %q", v.batchSigned, v.status.Text)
	}
	if n := logins() - before; n != 1 {
		t.Fatalf("%d C_Login for three documents", n)
	}
	if !strings.Contains(v.status.Text, "3 documents signés sur 4") {
		t.Fatalf("summary %q", v.status.Text)
	}
	for _, n := range []string{"a-signé.pdf", "b-signé.pdf", "c-signé.pdf"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "notes-signé.pdf")); err == nil {
		t.Fatal("the refused file was signed")
	}
	for _, n := range []string{"a-signé.pdf", "b-signé.pdf", "c-signé.pdf"} {
		rep, err := verify.Verify(context.Background(), filepath.Join(dir, n), verify.Options{})
		if err != nil || len(rep.Signatures) != 1 || rep.Signatures[0].Reason != "Bon pour accord" {
			t.Fatalf("%s: the batch's reason not in it (%v)", n, err)
		}
	}
	// the next document is not the batch: no reason carried, no scope said
	v.setInputs([]string{sampleIn(t, t.TempDir(), "d.pdf")})
	h.settle()
	if v.reason.Text != "" || v.reasonScope.Visible() {
		t.Fatalf("after the batch: reason %q, scope shown %v", v.reason.Text, v.reasonScope.Visible())
	}
	// "Ouvrir le dossier" opens the folder of the signed copies.
	if v.batchFolder == nil || v.batchFolder.Text != "Ouvrir le dossier" {
		t.Fatal("no button to open the folder after the batch")
	}
	test.Tap(v.batchFolder)
	h.mu.Lock()
	opened := append([]string(nil), h.opened...)
	h.mu.Unlock()
	if want := storage.NewFileURI(dir).String(); len(opened) != 1 || opened[0] != want {
		t.Fatalf("opened %v, want %s", opened, want)
	}
}

// Only unusable documents: the list says why before any click, and the
// button stays disabled (no PIN asked for nothing).
func TestBatchAllRefusedBeforeClick(t *testing.T) {
	h, logins := spied(t, nil)
	h.app.show(screenSign)
	v := h.app.signView()
	dir := t.TempDir()
	var uris []fyne.URI
	for _, n := range []string{"x.pdf", "y.pdf"} {
		p := filepath.Join(dir, n)
		os.WriteFile(p, []byte("pas un PDF\n"), 0o644)
		uris = append(uris, storage.NewFileURI(p))
	}
	before := logins()
	h.app.handleDrop(uris)
	for i := 0; i < 100 && !v.checked; i++ {
		h.settle()
	}
	if !strings.Contains(v.docStatus.Text, "Aucun de ces documents ne peut être signé") || !strings.Contains(v.docStatus.Text, "y.pdf : ") {
		t.Fatalf("status %q", v.docStatus.Text)
	}
	if !v.submit.Disabled() || v.submit.Text != "Aucun document à signer" {
		t.Fatalf("button %q (disabled %v)", v.submit.Text, v.submit.Disabled())
	}
	if n := logins() - before; n != 0 {
		t.Fatalf("%d C_Login", n)
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
		case *button:
			out = append(out, &x.Button)
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

// slowKeys makes the first signature of a key wait until released: a test
// double for a slow token (no real token is slow on demand).
type slowKeys struct {
	TokenService
	started chan struct{}
	release chan struct{}
}

func (s slowKeys) OpenKey(slot uint, id []byte, pin string, final bool) (actions.Key, error) {
	k, err := s.TokenService.OpenKey(slot, id, pin, final)
	if err != nil {
		return nil, err
	}
	return &slowKey{Key: k, s: s}, nil
}

type slowKey struct {
	actions.Key
	s    slowKeys
	once sync.Once
}

func (k *slowKey) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	k.once.Do(func() { close(k.s.started); <-k.s.release })
	return k.Key.Sign(r, d, o)
}

// Cancel during the first of three documents: the first is finished and
// whole, the two others are not signed, and the summary says so.
func TestBatchCancelStopsBeforeNextFile(t *testing.T) {
	tok := softhsm(t)
	sk := slowKeys{started: make(chan struct{}), release: make(chan struct{})}
	h := startWith(t, tok, "fr", func(s TokenService) TokenService { sk.TokenService = s; return sk })
	h.app.show(screenSign)
	v := h.app.signView()
	dir := t.TempDir()
	var uris []fyne.URI
	for _, n := range []string{"a.pdf", "b.pdf", "c.pdf"} {
		uris = append(uris, storage.NewFileURI(sampleIn(t, dir, n)))
	}
	h.app.handleDrop(uris)
	h.settle()
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	// settle() would wait for the blocked signature: run the UI queue only.
	for waiting := true; waiting; {
		h.drain()
		select {
		case <-sk.started:
			waiting = false
		case <-time.After(10 * time.Millisecond):
		}
	}
	h.drain()
	if v.batchCancelButton() == nil {
		t.Fatal("no Cancel button while signing")
	}
	test.Tap(v.batchCancelButton())
	close(sk.release)
	h.settle()
	if v.batchSigned != 1 || !strings.Contains(v.status.Text, "1 document signé sur 3") || !strings.Contains(v.status.Text, "2 non traités") {
		t.Fatalf("signed %d: %q", v.batchSigned, v.status.Text)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "a-signé.pdf,a.pdf,b.pdf,c.pdf" {
		t.Fatalf("files: %v", names)
	}
}
