package actions

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/testpdf"
	"github.com/certigna-desktop/app/pdfsign/sign"
)

// The preview's pages are the signer's pages: for every vector (each
// /Rotate, CropBox offsets, odd sizes) the renderer's displayed size is
// pdfsign's DisplaySize of the visible box, and a page renders at that
// size; the stamp renders at its own size; a file that is no PDF is
// refused in words, not with the renderer's text.
func TestPreviewSizesAreTheSignersPageCoordinates(t *testing.T) {
	dir := t.TempDir()
	var pages []testpdf.Page
	for _, v := range testpdf.Vectors() {
		pages = append(pages, v.Page)
	}
	in := filepath.Join(dir, "vectors.pdf")
	if err := os.WriteFile(in, testpdf.Build(pages...), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := OpenPreview(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Pages() != len(pages) {
		t.Fatalf("%d pages", p.Pages())
	}
	for i, v := range testpdf.Vectors() {
		w, h, err := p.PageSize(i + 1)
		if err != nil {
			t.Fatal(err)
		}
		dw, dh := sign.DisplaySize(sign.VisibleBox(v.Page.Media, v.Page.Crop), v.Page.Rotate)
		if math.Abs(w-dw) > 0.01 || math.Abs(h-dh) > 0.01 {
			t.Errorf("%s: renderer %gx%g, signer %gx%g", v.Name, w, h, dw, dh)
		}
		img, err := p.Render(ctx, i+1, 72)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != int(math.Ceil(dw)) || b.Dy() != int(math.Ceil(dh)) {
			t.Errorf("%s: rendered %v", v.Name, b)
		}
	}
	if _, err := p.Render(ctx, len(pages)+1, 72); err == nil || !strings.Contains(assets.Message(err, "fr"), "pas de page") {
		t.Errorf("page out of range: %v", err)
	}
	st, err := StampPicture(ctx, sign.StampPreview{Holder: "Élodie", Lang: "fr", W: 200, H: 60, When: time.Now()}, 144)
	if err != nil {
		t.Fatal(err)
	}
	if b := st.Bounds(); b.Dx() != 400 || b.Dy() != 120 {
		t.Errorf("stamp rendered %v", b)
	}
	bad := filepath.Join(dir, "bad.pdf")
	os.WriteFile(bad, []byte("%PDF-1.7\nthis is not a PDF at all\n"), 0o644)
	_, err = OpenPreview(ctx, bad)
	msg := assets.Message(err, "fr")
	if err == nil || !strings.Contains(msg, "aperçu") || strings.Contains(msg, "render") {
		t.Errorf("not a PDF: %v / %q", err, msg)
	}
}
