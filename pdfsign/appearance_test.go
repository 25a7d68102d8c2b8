package pdfsign

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
)

// renderPage renders page 1 of path at 72 dpi with pdftoppm (PNG).
func renderPage(t *testing.T, path string) image.Image {
	t.Helper()
	needTool(t, "pdftoppm")
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
	in := writeSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	rect := [4]float64{300, 60, 220, 70} // x, y, w, h in points
	res, err := Sign(in, out, p.SignerKey, p.Chain(), Options{
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

// CornerRect puts the stamp in the displayed corner, rotated pages included.
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
		if got := CornerRect(box, c.rot, c.c); got != c.want {
			t.Errorf("rotate %d corner %d: got %v, want %v", c.rot, c.c, got, c.want)
		}
	}
	if _, err := ParseRect("1,2,3"); err == nil {
		t.Error("ParseRect accepted three numbers")
	} else {
		wantLTVKind(t, err, LTVBadRect)
	}
	if r, err := ParseRect("10, 20.5,200,60"); err != nil || r != [4]float64{10, 20.5, 200, 60} {
		t.Errorf("ParseRect: %v %v", r, err)
	}
}

// A rectangle off the page or too small: a typed error, no file.
func TestVisibleBadRect(t *testing.T) {
	p := pkitest.New(t)
	dir := t.TempDir()
	in := writeSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	for _, r := range [][4]float64{{5000, 5000, 100, 50}, {10, 10, 2, 2}} {
		_, err := Sign(in, out, p.SignerKey, p.Chain(), Options{Visible: &Visible{Rect: r}})
		wantLTVKind(t, err, LTVBadRect)
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("output left behind")
		}
	}
}
