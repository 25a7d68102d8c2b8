package actions

import (
	"bytes"
	"context"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/certigna-desktop/app/internal/testpdf"
	"github.com/certigna-desktop/app/pdfsign/sign"
)

// imagePage writes testpdf.ImagePage with the big image at place (page
// coordinates as displayed, turned into user space for the page).
func imagePage(t *testing.T, path string, pg testpdf.Page, side int, place [4]float64) {
	t.Helper()
	u := sign.DisplayToUser(sign.VisibleBox(pg.Media, pg.Crop), pg.Rotate, place)
	if err := os.WriteFile(path, testpdf.ImagePage(pg, side, u), 0o644); err != nil {
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
