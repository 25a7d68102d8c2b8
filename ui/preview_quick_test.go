package ui

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/internal/testpdf"
)

// heldSource is the real page source whose full renders wait until release
// is closed: a double for timing only (a render that takes its time), so
// that the test sees the window between the quick picture and the real one.
type heldSource struct {
	*actions.PageSource
	release chan struct{}
}

type heldDoc struct {
	previewDoc
	release chan struct{}
}

func (s heldSource) OpenPages(ctx context.Context, path string) (previewDoc, error) {
	d, err := s.PageSource.OpenPages(ctx, path)
	if err != nil {
		return nil, err
	}
	return heldDoc{d, s.release}, nil
}

func (d heldDoc) Render(ctx context.Context, i int, dpi float64) (image.Image, error) {
	<-d.release
	return d.previewDoc.Render(ctx, i, dpi)
}

// A page holding a huge image: the sign screen shows it at once with a grey
// box in the image's place, said to be simplified, on the real page's
// geometry; then the real page replaces it and the sentence goes.
func TestPreviewHugeImageQuickThenWhole(t *testing.T) {
	tok := softhsm(t)
	src := heldSource{actions.NewPageSource(), make(chan struct{})}
	var once sync.Once
	release := func() { once.Do(func() { close(src.release) }) }
	t.Cleanup(release)
	withOptions = func(o *Options) { o.Pages = src }
	h := start(t, tok, "fr")
	withOptions = nil
	h.app.show(screenSign)
	in := filepath.Join(t.TempDir(), "scan.pdf")
	if err := os.WriteFile(in, testpdf.ImagePage(testpdf.Page{Media: [4]float64{0, 0, 595, 842}}, 2100, [4]float64{100, 300, 400, 300}), 0o644); err != nil {
		t.Fatal(err)
	}
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(in)})
	pv := h.app.signView().preview
	p := pv.placer
	const simplified = "Aperçu simplifié — image en cours de chargement : les grandes images de la page sont des cadres gris pour l’instant."
	for end := time.Now().Add(20 * time.Second); pv.msg.Text != simplified && time.Now().Before(end); {
		if h.drain() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	// the image's middle (300, 450 in page coordinates): grey first
	mid := func() uint32 {
		img := p.PageImage()
		k := float64(img.Bounds().Dx()) / 595
		r, _, _, _ := img.At(int(300*k), int((842-450)*k)).RGBA()
		return r >> 8
	}
	if w, hh := p.PageSize(); pv.msg.Text != simplified || !pv.msg.Visible() || w != 595 || hh != 842 {
		t.Fatalf("no quick picture: %q, page %gx%g", pv.msg.Text, w, hh)
	}
	if v := mid(); v != 0xc8 {
		t.Fatalf("quick picture's image place: %x", v)
	}
	release()
	h.settle()
	if pv.msg.Visible() {
		t.Fatalf("still said: %q", pv.msg.Text)
	}
	if v := mid(); v != 0 {
		t.Fatalf("real page's image place: %x", v)
	}
}
