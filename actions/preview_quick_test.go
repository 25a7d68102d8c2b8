package actions

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/certigna-desktop/app/internal/testpdf"
	"github.com/certigna-desktop/app/pdfsign"
)

// imagePage writes a one-page PDF (page pg's boxes and /Rotate) drawing a
// black side × side grey-scale image at place (page coordinates as
// displayed: the cm matrix is the place turned into user space) and a
// small 8 × 8 one beside it.
func imagePage(t *testing.T, path string, pg testpdf.Page, side int, place [4]float64) {
	t.Helper()
	u := pdfsign.DisplayToUser(pdfsign.VisibleBox(pg.Media, pg.Crop), pg.Rotate, place)
	// the image's unit square onto the user-space rectangle, turned with
	// the page so that it looks upright once displayed (its size is what
	// matters here, not its orientation)
	content := fmt.Sprintf("q %g 0 0 %g %g %g cm /Big Do Q q 20 0 0 20 %g %g cm /Small Do Q",
		u[2], u[3], u[0], u[1], u[0]-30, u[1])
	big := string(make([]byte, side*side)) // black
	small := string(bytes.Repeat([]byte{0x80}, 64))
	page := fmt.Sprintf("<</Type/Page/Parent 2 0 R/MediaBox[%g %g %g %g]/Rotate %d/Resources<</XObject<</Big 5 0 R/Small 6 0 R>>>>/Contents 4 0 R",
		pg.Media[0], pg.Media[1], pg.Media[2], pg.Media[3], pg.Rotate)
	if pg.Crop != ([4]float64{}) {
		page += fmt.Sprintf("/CropBox[%g %g %g %g]", pg.Crop[0], pg.Crop[1], pg.Crop[2], pg.Crop[3])
	}
	pdf := testpdf.Classic("",
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		page+">>",
		fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(content), content),
		fmt.Sprintf("<</Type/XObject/Subtype/Image/Width %d/Height %d/ColorSpace/DeviceGray/BitsPerComponent 8/Length %d>>\nstream\n%s\nendstream", side, side, len(big), big),
		fmt.Sprintf("<</Type/XObject/Subtype/Image/Width 8/Height 8/ColorSpace/DeviceGray/BitsPerComponent 8/Length 64>>\nstream\n%s\nendstream", small),
	)
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A page holding an image above QuickBudget (2100 × 2100: 17.6 MB decoded)
// has a quick picture: the same size as the page drawn whole, identical to
// it outside the image, a plain grey box exactly where the image is (±1 px),
// the small image drawn as it is; on an upright page, a cropped one and one
// turned 90°. The file is unchanged. A page without a huge image has no
// quick picture (the real one is quick).
func TestQuickPictureGreysOnlyHugeImages(t *testing.T) {
	ctx := context.Background()
	place := [4]float64{120, 200, 240, 180}
	for _, vec := range testpdf.Vectors() {
		if vec.Name != "a4-rot0" && vec.Name != "crop-rot0" && vec.Name != "crop-rot90" {
			continue
		}
		t.Run(vec.Name, func(t *testing.T) {
			in := filepath.Join(t.TempDir(), "scan.pdf")
			imagePage(t, in, vec.Page, 2100, place)
			before, _ := os.ReadFile(in)
			p, err := OpenPreview(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			quick, ok, err := p.Quick(ctx, 1, 72)
			if err != nil || !ok {
				t.Fatalf("no quick picture: %v %v", ok, err)
			}
			full, err := p.Render(ctx, 1, 72)
			if err != nil {
				t.Fatal(err)
			}
			if quick.Bounds() != full.Bounds() {
				t.Fatalf("quick %v, full %v", quick.Bounds(), full.Bounds())
			}
			_, h, _ := p.PageSize(1)
			box := image.Rect(int(place[0]+0.5), int(h-place[1]-place[3]+0.5), int(place[0]+place[2]+0.5), int(h-place[1]+0.5))
			var diff image.Rectangle
			for y := 0; y < full.Bounds().Dy(); y++ {
				for x := 0; x < full.Bounds().Dx(); x++ {
					q, f := quick.RGBAAt(x, y), full.RGBAAt(x, y)
					if q != f {
						diff = diff.Union(image.Rect(x, y, x+1, y+1))
					}
				}
			}
			d, e := diff.Min.Sub(box.Min), diff.Max.Sub(box.Max)
			if d.X < -1 || d.X > 1 || d.Y < -1 || d.Y > 1 || e.X < -1 || e.X > 1 || e.Y < -1 || e.Y > 1 {
				t.Errorf("quick and full differ over %v, the image is at %v", diff, box)
			}
			mid := quick.RGBAAt((box.Min.X+box.Max.X)/2, (box.Min.Y+box.Max.Y)/2)
			if mid.R != 0xc8 || mid.G != 0xc8 || full.RGBAAt((box.Min.X+box.Max.X)/2, (box.Min.Y+box.Max.Y)/2).R != 0 {
				t.Errorf("image's middle: quick %v, full %v", mid, full.RGBAAt((box.Min.X+box.Max.X)/2, (box.Min.Y+box.Max.Y)/2))
			}
			if after, _ := os.ReadFile(in); !bytes.Equal(before, after) {
				t.Error("the file changed")
			}
		})
	}
	small := filepath.Join(t.TempDir(), "small.pdf")
	imagePage(t, small, testpdf.Vectors()[0].Page, 1000, place)
	p, err := OpenPreview(ctx, small)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, ok, err := p.Quick(ctx, 1, 72); ok || err != nil {
		t.Errorf("1000 × 1000 image: quick %v %v", ok, err)
	}
}
