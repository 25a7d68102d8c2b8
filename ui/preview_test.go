package ui

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/internal/testpdf"
	"github.com/certigna-desktop/app/internal/testtoken"
)

// startPreview opens the window with the page preview switched on.
func startPreview(t *testing.T, tok *testtoken.Token) *harness {
	t.Helper()
	withOptions = func(o *Options) { o.Pages = actions.NewPageSource() }
	defer func() { withOptions = nil }()
	return start(t, tok, "fr")
}

// renderPage renders page n of path at 72 dpi with the app's renderer.
func renderPage(t *testing.T, path string, n int) image.Image {
	t.Helper()
	d, err := actions.NewPageSource().OpenPages(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	img, err := d.Render(context.Background(), n, 72)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func diffBox(a, b image.Image) image.Rectangle {
	var r image.Rectangle
	for y := 0; y < a.Bounds().Dy(); y++ {
		for x := 0; x < a.Bounds().Dx(); x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

// The placement chosen in the window is where the signed file has its
// stamp, on every vector (/Rotate 0/90/180/270, CropBox offsets, odd
// sizes): the document is dropped, its page shows in the preview, "Signer
// sur cette page" puts a stamp, a mouse drag moves it, a drag on its
// corner resizes it, the arrows nudge it; then the PIN, "Signer", and the
// signed page rendered again: the pixels that changed are the rectangle
// the preview showed (±1 px at 72 dpi).
func TestPlacementInWindowLandsInSignedFile(t *testing.T) {
	tok := softhsm(t)
	h := startPreview(t, tok)
	h.app.show(screenSign)
	for _, vec := range testpdf.Vectors() {
		t.Run(vec.Name, func(t *testing.T) {
			v := h.app.signView()
			v.stamp.SetSelectedIndex(0) // invisible: each vector places its own stamp
			in := filepath.Join(t.TempDir(), vec.Name+".pdf")
			if err := os.WriteFile(in, testpdf.Build(testpdf.Page{}, vec.Page), 0o644); err != nil {
				t.Fatal(err)
			}
			h.app.handleDrop([]fyne.URI{storage.NewFileURI(in)})
			h.settle()
			pv := v.preview
			if pv.msg.Text != "" || pv.pageLabel.Text != "Page 1 sur 2" {
				t.Fatalf("preview: %q / %q", pv.msg.Text, pv.pageLabel.Text)
			}
			test.Tap(pv.next)
			h.settle()
			p := pv.placer
			w, hh := p.PageSize()
			if pv.pageLabel.Text != "Page 2 sur 2" || w <= 0 {
				t.Fatalf("page 2: %q %gx%g", pv.pageLabel.Text, w, hh)
			}
			test.Tap(pv.placeHereButton)
			h.settle()
			if p.Place()[2] <= 0 || h.win.Canvas().Focused() != p {
				t.Fatalf("no stamp placed (%v), focus %T", p.Place(), h.win.Canvas().Focused())
			}
			// the mouse: grab the stamp's middle and drag it up-left,
			// then its top-right corner outwards
			r := p.Place()
			s := float64(p.Size().Width) / w
			if sh := float64(p.Size().Height) / hh; sh < s {
				s = sh
			}
			offX := (float64(p.Size().Width) - s*w) / 2
			offY := (float64(p.Size().Height) - s*hh) / 2
			at := fyne.CurrentApp().Driver().AbsolutePositionForObject(p)
			screen := func(x, y float64) fyne.Position {
				return at.Add(fyne.NewPos(float32(offX+x*s), float32(offY+(hh-y)*s)))
			}
			dragFrom(h.win, p, screen(r[0]+r[2]/2, r[1]+r[3]/2), -float32(0.3*w*s), -float32(0.25*hh*s))
			moved := p.Place()
			if moved[0] >= r[0] || moved[1] <= r[1] {
				t.Fatalf("drag did not move the stamp: %v → %v", r, moved)
			}
			dragFrom(h.win, p, screen(moved[0]+moved[2], moved[1]+moved[3]), 12, -8)
			grown := p.Place()
			if grown[2] <= moved[2] || grown[3] <= moved[3] || grown[0] != moved[0] || grown[1] != moved[1] {
				t.Fatalf("corner drag: %v → %v", moved, grown)
			}
			// the keyboard: the placer has the focus
			h.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
			h.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
			place := p.Place()
			if place[0] != grown[0]-5 || place[1] != grown[1]-5 {
				t.Fatalf("arrows: %v → %v", grown, place)
			}
			if v.stamp.Selected != "À l’endroit choisi sur l’aperçu" || !v.corner.Disabled() {
				t.Fatalf("stamp choice %q", v.stamp.Selected)
			}
			h.settle()
			if v.submit.Disabled() {
				t.Fatalf("Signer disabled: %q", v.docStatus.Text)
			}
			v.pin.SetText("")
			test.Type(v.pin, tok.PIN)
			test.Tap(v.submit)
			h.settle()
			if v.output == "" || v.verification == nil || !v.verification.Valid {
				t.Fatalf("not signed: %q", v.status.Text)
			}
			got := diffBox(renderPage(t, in, 2), renderPage(t, v.output, 2))
			// page coordinates (y up from the bottom) → rows from the top
			want := image.Rect(int(place[0]+0.5), int(hh-place[1]-place[3]+0.5), int(place[0]+place[2]+0.5), int(hh-place[1]+0.5))
			d := got.Min.Sub(want.Min)
			e := got.Max.Sub(want.Max)
			if d.X < -1 || d.X > 1 || d.Y < -1 || d.Y > 1 || e.X < -1 || e.X > 1 || e.Y < -1 || e.Y > 1 {
				t.Errorf("stamp in the signed file at %v, shown at %v (place %v on %gx%g)", got, want, place, w, hh)
			}
			if before, after := renderPage(t, in, 1), renderPage(t, v.output, 1); !diffBox(before, after).Empty() {
				t.Error("page 1 changed")
			}
		})
	}
}

// geometry of a placer: page coordinates → window position.
func placerScreen(p *placer) func(x, y float64) fyne.Position {
	w, hh := p.PageSize()
	s := float64(p.Size().Width) / w
	if sh := float64(p.Size().Height) / hh; sh < s {
		s = sh
	}
	offX := (float64(p.Size().Width) - s*w) / 2
	offY := (float64(p.Size().Height) - s*hh) / 2
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(p)
	return func(x, y float64) fyne.Position {
		return at.Add(fyne.NewPos(float32(offX+x*s), float32(offY+(hh-y)*s)))
	}
}

// moveTo drags the stamp so that its centre is at x, y (page coordinates).
func moveTo(h *harness, p *placer, x, y float64) {
	r := p.Place()
	sc := placerScreen(p)
	from, to := sc(r[0]+r[2]/2, r[1]+r[3]/2), sc(x, y)
	dragFrom(h.win, p, from, to.X-from.X, to.Y-from.Y)
}

// A form's empty fields are boxes on the page: a click on one chooses it
// (the stamp is then shown in it and cannot be moved); a stamp placed over
// the page's text says so, placed on blank paper it does not.
func TestPreviewFieldsAndCoverage(t *testing.T) {
	tok := softhsm(t)
	h := startPreview(t, tok)
	h.app.show(screenSign)
	v := h.app.signView()
	dir := t.TempDir()
	form := filepath.Join(dir, "formulaire.pdf")
	twoFieldForm(t, form)
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(form)})
	h.settle()
	p := v.preview.placer
	if p.Place()[2] != 0 || !v.preview.placeHereButton.Visible() {
		t.Fatalf("no field chosen yet: stamp %v", p.Place())
	}
	test.TapCanvas(h.win.Canvas(), placerScreen(p)(400, 80)) // inside "Vendeur" (300,50–500,110)
	h.settle()
	if v.fieldSelect.Selected != "Vendeur" {
		t.Fatalf("clicked field: %q", v.fieldSelect.Selected)
	}
	if got := p.Place(); got != [4]float64{300, 50, 200, 60} || !p.Fixed {
		t.Fatalf("stamp in the field: %v fixed %v", got, p.Fixed)
	}

	doc := filepath.Join(dir, "texte.pdf")
	os.WriteFile(doc, testpdf.Build(testpdf.Vectors()[0].Page), 0o644) // text at 178,463 (A4)
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(doc)})
	h.settle()
	test.Tap(v.preview.placeHereButton)
	h.settle()
	if v.preview.warn.Visible() {
		t.Fatalf("blank corner said covered: %q", v.preview.warn.Text)
	}
	moveTo(h, p, 260, 450)
	h.settle()
	if !v.preview.warn.Visible() || v.preview.warn.Text != "Attention : à cet endroit, le tampon cache du texte ou une image de la page." {
		t.Fatalf("over the text: %q (place %v)", v.preview.warn.Text, p.Place())
	}
	if want := "Tampon page 1"; len(v.preview.where.Text) < len(want) || v.preview.where.Text[:len(want)] != want {
		t.Errorf("description %q", v.preview.where.Text)
	}
}

// A batch placed per document: each document's preview with its own
// stamp before the one PIN, and each signed file has its stamp where its
// preview had it.
func TestPreviewBatchPerDocument(t *testing.T) {
	tok := softhsm(t)
	h := startPreview(t, tok)
	h.app.show(screenSign)
	v := h.app.signView()
	dir := t.TempDir()
	var ins []string
	var uris []fyne.URI
	for i, vec := range []testpdf.Vector{testpdf.Vectors()[0], testpdf.Vectors()[4]} {
		in := filepath.Join(dir, string(rune('a'+i))+".pdf")
		os.WriteFile(in, testpdf.Build(vec.Page), 0o644)
		ins = append(ins, in)
		uris = append(uris, storage.NewFileURI(in))
	}
	h.app.handleDrop(uris)
	h.settle()
	pv := v.preview
	if !pv.samePlace.Checked || !pv.docNext.Visible() {
		t.Fatal("batch preview without its document arrows or 'same place'")
	}
	pv.samePlace.SetChecked(false)
	p := pv.placer
	places := map[string][4]float64{}
	for i, in := range ins {
		if i > 0 {
			test.Tap(pv.docNext)
			h.settle()
		}
		if p.Place()[2] <= 0 {
			test.Tap(pv.placeHereButton)
			h.settle()
		}
		w, hh := p.PageSize()
		moveTo(h, p, w*(0.3+0.3*float64(i)), hh*0.2)
		h.settle()
		places[in] = p.Place()
	}
	if places[ins[0]] == places[ins[1]] {
		t.Fatal("the two documents share a place")
	}
	test.Tap(pv.docPrev) // back to the first: its own place
	h.settle()
	if p.Place() != places[ins[0]] {
		t.Fatalf("first document's place %v, was %v", p.Place(), places[ins[0]])
	}
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.batchSigned != 2 || h.svc.codeCalls.Load() != 1 {
		t.Fatalf("batch: %d signed, %d PIN verifications: %q", v.batchSigned, h.svc.codeCalls.Load(), v.status.Text)
	}
	for _, in := range ins {
		out := in[:len(in)-4] + "-signé.pdf"
		r := places[in]
		d, err := actions.NewPageSource().OpenPages(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		_, hh, _ := d.Size(1)
		d.Close()
		got := diffBox(renderPage(t, in, 1), renderPage(t, out, 1))
		want := image.Rect(int(r[0]+0.5), int(hh-r[1]-r[3]+0.5), int(r[0]+r[2]+0.5), int(hh-r[1]+0.5))
		if dm, dM := got.Min.Sub(want.Min), got.Max.Sub(want.Max); dm.X < -1 || dm.X > 1 || dm.Y < -1 || dm.Y > 1 || dM.X < -1 || dM.X > 1 || dM.Y < -1 || dM.Y > 1 {
			t.Errorf("%s: stamp at %v, preview had %v", filepath.Base(in), got, want)
		}
	}
}

// A file that is no PDF shows a sentence in the preview, never the
// renderer's text, and the window goes on; choosing another document while
// one is being prepared shows the last one chosen only.
func TestPreviewHostileAndCancelled(t *testing.T) {
	tok := softhsm(t)
	h := startPreview(t, tok)
	h.app.show(screenSign)
	v := h.app.signView()
	dir := t.TempDir()
	junk := filepath.Join(dir, "faux.pdf")
	os.WriteFile(junk, []byte("%PDF-1.7\n1 0 obj <</Type/Catalog/Pages 9 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"), 0o644)
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(junk)})
	h.settle()
	if msg := v.preview.msg.Text; msg == "" || strings.Contains(msg, "render") || strings.Contains(msg, "pdfium") {
		t.Fatalf("junk: %q", msg)
	}
	a, b := filepath.Join(dir, "a.pdf"), filepath.Join(dir, "b.pdf")
	os.WriteFile(a, testpdf.Build(testpdf.Page{Media: [4]float64{0, 0, 300, 300}}), 0o644)
	os.WriteFile(b, testpdf.Build(testpdf.Page{Media: [4]float64{0, 0, 400, 200}}), 0o644)
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(a)})
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(b)}) // before a's preview is ready
	h.settle()
	if w, hh := v.preview.placer.PageSize(); w != 400 || hh != 200 || v.preview.msg.Text != "" {
		t.Fatalf("shown %gx%g %q, want b's 400x200", w, hh, v.preview.msg.Text)
	}
}

// Keyboard only: from the PIN field, Tab reaches the preview's placer;
// Enter puts a stamp, the arrows move it, + enlarges it; the choice says
// the place was chosen on the preview.
func TestPreviewKeyboardOnly(t *testing.T) {
	tok := softhsm(t)
	h := startPreview(t, tok)
	h.app.show(screenSign)
	v := h.app.signView()
	in := filepath.Join(t.TempDir(), "doc.pdf")
	os.WriteFile(in, testpdf.Build(testpdf.Vectors()[1].Page), 0o644)
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(in)})
	h.settle()
	c := h.win.Canvas()
	if c.Focused() != v.pin {
		t.Fatalf("focus after the drop: %T", c.Focused())
	}
	p := v.preview.placer
	tabs := 0
	for ; tabs < 6 && c.Focused() != p; tabs++ {
		test.FocusNext(c)
	}
	if c.Focused() != p {
		t.Fatal("Tab never reaches the placer")
	}
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	start := p.Place()
	if start[2] <= 0 || v.stamp.Selected != "À l’endroit choisi sur l’aperçu" {
		w, hh := p.PageSize()
		t.Fatalf("Enter placed %v (%q) page %gx%g msg %q label %q focused %T", start, v.stamp.Selected, w, hh, v.preview.msg.Text, v.preview.pageLabel.Text, c.Focused())
	}
	for i := 0; i < 4; i++ {
		c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	}
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	c.Focused().TypedRune('+')
	h.settle()
	got := p.Place()
	if got[2] <= start[2] || got[0] >= start[0]-15 || got[1] <= start[1] {
		t.Fatalf("keys: %v → %v", start, got)
	}
	t.Logf("%d Tab from the PIN field", tabs)
}

// A place chosen on page 2 of one document, then a one-page document: the
// stamp is shown on its page 1 and the check passes (it is signed there,
// not refused for a missing page 2).
func TestPreviewPlaceOnShorterDocument(t *testing.T) {
	tok := softhsm(t)
	h := startPreview(t, tok)
	h.app.show(screenSign)
	v := h.app.signView()
	dir := t.TempDir()
	long, short := filepath.Join(dir, "long.pdf"), filepath.Join(dir, "short.pdf")
	os.WriteFile(long, testpdf.Build(testpdf.Page{}, testpdf.Page{}), 0o644)
	os.WriteFile(short, testpdf.Build(testpdf.Page{}), 0o644)
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(long)})
	h.settle()
	test.Tap(v.preview.next)
	h.settle()
	test.Tap(v.preview.placeHereButton)
	h.settle()
	place := v.preview.placer.Place()
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(short)})
	h.settle()
	if got := v.preview.placer.Place(); got != place || v.preview.pageLabel.Text != "Page 1 sur 1" {
		t.Fatalf("on the short document: %v (%q), placed %v", got, v.preview.pageLabel.Text, place)
	}
	if v.submit.Disabled() {
		t.Fatalf("refused: %q", v.docStatus.Text)
	}
}
