package sign

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testpdf"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
)

func near(a, b [4]float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9 {
			return false
		}
	}
	return true
}

// Page coordinates ↔ user space: known answers for each rotation on an
// offset box, and exact round trips on odd boxes and rotations.
func TestDisplayToUser(t *testing.T) {
	box := [4]float64{10, 20, 110, 220} // 100 × 200 points, origin 10,20
	for _, c := range []struct {
		rot      int
		on, want [4]float64
	}{
		// upright: only the box's origin moves
		{0, [4]float64{0, 0, 10, 5}, [4]float64{10, 20, 10, 5}},
		// turned clockwise: the displayed bottom-left is the user bottom-right
		{90, [4]float64{0, 0, 10, 5}, [4]float64{105, 20, 5, 10}},
		{180, [4]float64{0, 0, 10, 5}, [4]float64{100, 215, 10, 5}},
		// turned anticlockwise: the displayed bottom-left is the user top-left
		{270, [4]float64{0, 0, 10, 5}, [4]float64{10, 210, 5, 10}},
		{-90, [4]float64{0, 0, 10, 5}, [4]float64{10, 210, 5, 10}},
		{450, [4]float64{0, 0, 10, 5}, [4]float64{105, 20, 5, 10}},
	} {
		if got := DisplayToUser(box, c.rot, c.on); !near(got, c.want) {
			t.Errorf("rotate %d: %v → %v, want %v", c.rot, c.on, got, c.want)
		}
		if back := userToDisplay(box, c.rot, c.want); !near(back, c.on) {
			t.Errorf("rotate %d: back %v → %v, want %v", c.rot, c.want, back, c.on)
		}
	}
	if w, h := DisplaySize(box, 90); w != 200 || h != 100 {
		t.Errorf("display size at 90: %gx%g", w, h)
	}
	for _, v := range testpdf.Vectors() {
		p := v.Page
		vb := VisibleBox(p.Media, p.Crop)
		dw, dh := DisplaySize(vb, p.Rotate)
		for _, on := range [][4]float64{{0, 0, dw, dh}, {13.25, 7.5, 200, 60}, {dw - 61, dh - 17, 61, 17}} {
			u := DisplayToUser(vb, p.Rotate, on)
			if back := userToDisplay(vb, p.Rotate, u); !near(back, on) {
				t.Errorf("%s: %v → %v → %v", v.Name, on, u, back)
			}
			// the whole displayed page is the whole visible box
			if on[0] == 0 && on[2] == dw && !near(u, [4]float64{vb[0], vb[1], vb[2] - vb[0], vb[3] - vb[1]}) {
				t.Errorf("%s: whole page → %v, box %v", v.Name, u, vb)
			}
		}
	}
	if got := VisibleBox([4]float64{0, 0, 600, 800}, [4]float64{-50, 700, 300, 900}); got != [4]float64{0, 700, 300, 800} {
		t.Errorf("crop clipped to media: %v", got)
	}
	if got := VisibleBox([4]float64{0, 0, 600, 800}, [4]float64{700, 0, 900, 100}); got != [4]float64{0, 0, 600, 800} {
		t.Errorf("crop outside media: %v", got)
	}
}

// renderCrop renders page 1 of path at 72 dpi as readers show it (CropBox,
// /Rotate) with pdftoppm: one pixel per point of page coordinates.
func renderCrop(t *testing.T, path string) image.Image {
	t.Helper()
	testtool.Need(t, "pdftoppm")
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-cropbox", "-r", "72", "-f", "1", "-l", "1", "-png", "-singlefile", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	b, err := os.ReadFile(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// changedBox is the bounding box of the pixels that differ.
func changedBox(a, b image.Image) image.Rectangle {
	r := image.Rectangle{}
	bd := a.Bounds().Intersect(b.Bounds())
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

// A place given in page coordinates (--rect, the window's preview) lands
// there on the displayed page, for every /Rotate, CropBox offset and odd
// size: the pixels that change between the rendered input and the
// rendered signed file are exactly that rectangle (±1 px at 72 dpi).
func TestStampOnPageLandsWhereShown(t *testing.T) {
	testtool.Need(t, "pdftoppm")
	p := pkitest.New(t)
	for _, v := range testpdf.Vectors() {
		t.Run(v.Name, func(t *testing.T) {
			dir := t.TempDir()
			in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
			if err := os.WriteFile(in, testpdf.Build(v.Page), 0o644); err != nil {
				t.Fatal(err)
			}
			vb := VisibleBox(v.Page.Media, v.Page.Crop)
			dw, dh := DisplaySize(vb, v.Page.Rotate)
			on := [4]float64{math.Round(dw * 0.45), math.Round(dh * 0.12), 150, 48}
			if _, err := Sign(context.Background(), in, out, p.SignerKey, p.Chain(), Options{Visible: &Visible{OnPage: on}, Lang: "en"}); err != nil {
				t.Fatal(err)
			}
			before, after := renderCrop(t, in), renderCrop(t, out)
			if sz := before.Bounds().Size(); math.Abs(float64(sz.X)-dw) > 1 || math.Abs(float64(sz.Y)-dh) > 1 {
				t.Fatalf("rendered %v, page %gx%g as displayed", sz, dw, dh)
			}
			got := changedBox(before, after)
			// page coordinates go up from the bottom, image rows down from the top
			want := image.Rect(int(on[0]), int(dh-on[1]-on[3]), int(on[0]+on[2]), int(dh-on[1]))
			d := func(a, b int) bool { return a-b > 1 || b-a > 1 }
			if d(got.Min.X, want.Min.X) || d(got.Min.Y, want.Min.Y) || d(got.Max.X, want.Max.X) || d(got.Max.Y, want.Max.Y) {
				t.Errorf("stamp drawn at %v, placed at %v", got, want)
			}
		})
	}
}

// A place off the displayed page or too small is refused before the PIN,
// in the person's coordinates.
func TestOnPageRefused(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	// 300 × 200 displayed (a 200 × 300 page turned)
	if err := os.WriteFile(in, testpdf.Build(testpdf.Page{Media: [4]float64{0, 0, 200, 300}, Rotate: 90}), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.pdf")
	for _, on := range [][4]float64{{300, 10, 50, 20}, {10, 200, 50, 20}, {-60, 10, 50, 20}, {10, 10, 5, 50}} {
		err := Check(in, out, Options{Visible: &Visible{OnPage: on}})
		pdftest.WantLTVKind(t, err, pdfsign.LTVBadRect)
		if err != nil && on[0] == 300 {
			if msg := fmt.Sprint(err); !bytes.Contains([]byte(msg), []byte("300×200")) {
				t.Errorf("message %q does not give the displayed size", msg)
			}
		}
	}
	if err := Check(in, out, Options{Visible: &Visible{OnPage: [4]float64{250, 150, 200, 60}}}); err != nil {
		t.Errorf("a place partly on the page: %v", err)
	}
}
