package sign

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
)

// renderPage renders page 1 of path at 72 dpi with pdftoppm (PNG).
func renderPage(t *testing.T, path string) image.Image {
	t.Helper()
	testtool.Need(t, "pdftoppm")
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-png", "-singlefile", path, prefix).CombinedOutput(); err != nil {
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

// The stamp renders: pixels differ from the unsigned page inside the
// stamp's rectangle (and there are dark text pixels there), and nowhere
// else. The signed document still validates with pdfsig.
func TestVisibleStampRenders(t *testing.T) {
	p := pkitest.New(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	rect := [4]float64{300, 60, 220, 70} // x, y, w, h in points
	res, err := Sign(context.Background(), in, out, p.SignerKey, p.Chain(), Options{
		Visible: &Visible{Rect: rect}, Reason: "Approbation du contrat", Location: "Orléans", Lang: "fr",
	})

	if err != nil {
		t.Fatal(err)
	}
	before, after := renderPage(t, in), renderPage(t, out)
	if before.Bounds() != after.Bounds() {
		t.Fatalf("page size changed: %v → %v", before.Bounds(), after.Bounds())
	}
	h := before.Bounds().Dy() // 72 dpi: one pixel per point; PDF y goes up, image y down
	inStamp := func(x, y int) bool {
		px, py := float64(x)+0.5, float64(h-y)-0.5
		return px >= rect[0]-1 && px <= rect[0]+rect[2]+1 && py >= rect[1]-1 && py <= rect[1]+rect[3]+1
	}
	var inside, outside, dark int
	b := before.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, _ := before.At(x, y).RGBA()
			r2, g2, b2, _ := after.At(x, y).RGBA()
			if r1 == r2 && g1 == g2 && b1 == b2 {
				continue
			}
			if inStamp(x, y) {
				inside++
				if r2 < 0x6000 && g2 < 0x6000 {
					dark++
				}
			} else {
				outside++
			}
		}
	}
	area := int(rect[2] * rect[3])
	if inside < area/2 {
		t.Errorf("only %d of %d stamp pixels changed", inside, area)
	}
	if dark < 200 {
		t.Errorf("only %d dark (text) pixels in the stamp", dark)
	}
	if outside != 0 {
		t.Errorf("%d pixels changed outside the stamp", outside)
	}
	ps := ltvPdfsig(t, p, out)
	if !strings.Contains(ps, "Signature is Valid") || !strings.Contains(ps, "Total document signed") {
		t.Errorf("pdfsig:\n%s", ps)
	}
	if res.Level != "B-B" {
		t.Errorf("level %q", res.Level)
	}
	// The font is embedded (FontFile2) and the accents are in its encoding:
	// pdffonts says "emb yes".
	if pf, err := exec.LookPath("pdffonts"); err == nil {
		o, err := exec.Command(pf, out).CombinedOutput()
		if err != nil || !strings.Contains(string(o), "GoRegular") || !strings.Contains(string(o), "TrueType") ||
			!strings.Contains(string(o), "yes yes") {
			t.Errorf("pdffonts: %v\n%s", err, o)
		}
	}
	// pdftotext reads the accented text back.
	if pt, err := exec.LookPath("pdftotext"); err == nil {
		o, err := exec.Command(pt, out, "-").CombinedOutput()
		if err != nil || !strings.Contains(string(o), "Signé numériquement par Élodie Test") || !strings.Contains(string(o), "Orléans") {
			t.Errorf("pdftotext: %v\n%s", err, o)
		}
	}
}

// cornerRect puts the stamp in the displayed corner, rotated pages included.
func TestCornerRect(t *testing.T) {
	box := [4]float64{0, 0, 600, 800}
	cases := []struct {
		rot  int
		c    Corner
		want [4]float64
	}{
		{0, BottomRight, [4]float64{600 - 24 - 200, 24, 200, 60}},
		{0, TopLeft, [4]float64{24, 800 - 24 - 60, 200, 60}},
		// Rotated 90° clockwise: the displayed bottom-right is the user-space top-right, and the stamp turns.
		{90, BottomRight, [4]float64{600 - 24 - 60, 800 - 24 - 200, 60, 200}},
		{180, BottomRight, [4]float64{24, 800 - 24 - 60, 200, 60}},
		{270, BottomRight, [4]float64{24, 24, 60, 200}},
	}
	for _, c := range cases {
		if got := cornerRect(box, c.rot, c.c); got != c.want {
			t.Errorf("rotate %d corner %d: got %v, want %v", c.rot, c.c, got, c.want)
		}
	}
}

// A rectangle off the page or too small: a typed error, no file.
func TestVisibleBadRect(t *testing.T) {
	p := pkitest.New(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	for i, r := range [][4]float64{{5000, 5000, 100, 50}, {10, 10, 2, 2}} {
		// Check (run before the PIN is asked for) already refuses it.
		cerr := Check(in, out, Options{Visible: &Visible{Rect: r}})
		pdftest.WantLTVKind(t, cerr, pdfsign.LTVBadRect)
		// The reason is said in the person's language, not as the English
		// detail of Error().
		var le *pdfsign.LTVError
		if errors.As(cerr, &le) {
			fr, en := le.Message("fr"), le.Message("en")
			wantFR, wantEN := []string{"en dehors de la page 1", "trop petit"}[i], []string{"outside page 1", "too small"}[i]
			if !strings.Contains(fr, wantFR) || strings.Contains(fr, wantEN) || !strings.Contains(en, wantEN) {
				t.Errorf("messages: fr %q, en %q", fr, en)
			}
		}
		_, err := Sign(context.Background(), in, out, p.SignerKey, p.Chain(), Options{Visible: &Visible{Rect: r}})
		pdftest.WantLTVKind(t, err, pdfsign.LTVBadRect)
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("output left behind")
		}
	}
}

// On a page shown rotated (90°, 180°, 270°), the default stamp lands in the
// displayed bottom-right corner and reads upright: the changed pixels of the
// rendered page form a 200×60 box in that corner, with left-aligned lines.
func TestVisibleStampRotatedPage(t *testing.T) {
	testtool.Need(t, "qpdf")
	p := pkitest.New(t)
	for _, rot := range []string{"90", "180", "270"} {
		t.Run(rot, func(t *testing.T) { stampRotated(t, p, rot) })
	}
}

func stampRotated(t *testing.T, p *pkitest.PKI, rot string) {
	dir := t.TempDir()
	plain := pdftest.WriteSample(t, dir, "plain.pdf")
	in := filepath.Join(dir, "rotated.pdf")
	if out, err := exec.Command("qpdf", "--rotate=+"+rot, plain, in).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "out.pdf")
	if _, err := Sign(context.Background(), in, out, p.SignerKey, p.Chain(), Options{Visible: &Visible{}, Lang: "en", Reason: "OK"}); err != nil {
		t.Fatal(err)
	}
	before, after := renderPage(t, in), renderPage(t, out)
	b := before.Bounds()
	minX, minY, maxX, maxY := b.Max.X, b.Max.Y, -1, -1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, _ := before.At(x, y).RGBA()
			r2, g2, b2, _ := after.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
			}
		}
	}
	w, h := maxX-minX+1, maxY-minY+1
	if maxX < 0 || w < 190 || w > 202 || h < 55 || h > 62 {
		t.Fatalf("changed box %dx%d at (%d,%d), want about 200x60", w, h, minX, minY)
	}
	// Displayed bottom-right: 24 pt from the right and bottom edges (72 dpi).
	if d := b.Max.X - 1 - maxX; d < 22 || d > 26 {
		t.Errorf("right margin %d px", d)
	}
	if d := b.Max.Y - 1 - maxY; d < 22 || d > 26 {
		t.Errorf("bottom margin %d px", d)
	}
	// Upright text: the three lines ("Digitally signed by …", "Date: …",
	// "Reason: OK") are three horizontal bands of dark pixels inside the
	// border, left-aligned (an upside-down stamp would align them right).
	var left, right []int
	inBand := false
	for y := minY + 3; y <= maxY-3; y++ {
		lo, hi := maxX, -1
		for x := minX + 3; x <= maxX-3; x++ {
			r, g, _, _ := after.At(x, y).RGBA()
			if r < 0x4000 && g < 0x4000 {
				lo, hi = min(lo, x), max(hi, x)
			}
		}
		switch {
		case hi >= 0 && !inBand:
			left, right = append(left, lo), append(right, hi)
		case hi >= 0:
			left[len(left)-1], right[len(right)-1] = min(left[len(left)-1], lo), max(right[len(right)-1], hi)
		}
		inBand = hi >= 0
	}
	bands := len(left)
	if bands == 3 {
		if left[0]-left[2] > 2 || left[2]-left[0] > 2 || right[0]-right[2] < 40 {
			t.Errorf("lines not left-aligned (upside down?): left %v right %v", left, right)
		}
	}
	if bands != 3 {
		t.Errorf("%d horizontal text bands, want 3 (text not upright?)", bands)
	}
}
