package sign

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testpdf"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
)

// The preview's stamp is the signed file's stamp: rendered alone, it is
// the same picture (mean difference < 3/255 per channel, at 72 dpi) as the
// region of the signed page where the stamp was placed, on an upright page
// and on a turned, cropped one.
func TestStampPreviewIsTheSignedStamp(t *testing.T) {
	p := pkitest.New(t)
	when := time.Date(2026, 11, 29, 20, 38, 43, 0, time.FixedZone("", 3600))
	for _, v := range []testpdf.Vector{testpdf.Vectors()[0], testpdf.Vectors()[4], testpdf.Vectors()[11]} {
		t.Run(v.Name, func(t *testing.T) {
			dir := t.TempDir()
			// a blank page: only the stamp shows where it is placed
			pg := v.Page
			pg.Content = " "
			in, out, prev := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf"), filepath.Join(dir, "stamp.pdf")
			if err := os.WriteFile(in, testpdf.Build(pg), 0o644); err != nil {
				t.Fatal(err)
			}
			// whole pixels from the displayed top-left (a half-point page
			// height would shift the page's pixels by half a pixel)
			_, dh := DisplaySize(VisibleBox(pg.Media, pg.Crop), pg.Rotate)
			on := [4]float64{40, dh - 60 - 64, 210, 64}
			o := Options{Visible: &Visible{OnPage: on}, Lang: "fr", Reason: "Accord", Location: "Orléans", Name: "Élodie Test", Time: when}
			if _, err := Sign(context.Background(), in, out, p.SignerKey, p.Chain(), o); err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := WriteStampPreview(&b, StampPreview{Holder: "Élodie Test", Reason: "Accord", Location: "Orléans", Lang: "fr", When: when, W: on[2], H: on[3]}); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(prev, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			page, stamp := renderCrop(t, out), renderCrop(t, prev)
			if sz := stamp.Bounds().Size(); sz.X != 210 || sz.Y != 64 {
				t.Fatalf("preview rendered %v", sz)
			}
			top := 60
			var sum, n, dark int
			for y := 0; y < 64; y++ {
				for x := 0; x < 210; x++ {
					r1, g1, b1, _ := stamp.At(x, y).RGBA()
					r2, g2, b2, _ := page.At(int(on[0])+x, top+y).RGBA()
					sum += absd(r1, r2) + absd(g1, g2) + absd(b1, b2)
					n += 3
					if r1 < 0x4000 {
						dark++
					}
				}
			}
			if mean := float64(sum) / float64(n) / 257; mean > 3 {
				t.Errorf("preview and signed stamp differ by %.1f/255 on average", mean)
			}
			if dark < 300 {
				t.Errorf("only %d dark pixels: no text in the preview", dark)
			}
		})
	}
	// a size no stamp can have is refused in the person's words
	pdftest.WantLTVKind(t, WriteStampPreview(&bytes.Buffer{}, StampPreview{W: 5, H: 60}), pdfsign.LTVBadRect)
}

func absd(a, b uint32) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}
