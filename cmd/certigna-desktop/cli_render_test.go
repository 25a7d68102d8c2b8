package main

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/testpdf"
)

func readPNG(t *testing.T, p string) image.Image {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// CLI parity: `render` shows the page as the window does and gives its
// displayed size; `sign --visible --page 2 --rect x,y,w,h` on a turned,
// cropped page puts the stamp at x,y,w,h of that displayed page (from its
// bottom-left): the pixels that change between `render` of the input and
// of the signed file are that rectangle, ±1 px at 72 dpi.
func TestCLIRenderAndRectParity(t *testing.T) {
	tok := softToken(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	crop := testpdf.Vectors()[11].Page // odd size, CropBox offset, /Rotate 270
	if err := os.WriteFile(in, testpdf.Build(testpdf.Page{}, crop), 0o644); err != nil {
		t.Fatal(err)
	}
	before := filepath.Join(dir, "before.png")
	code, out, errs := cli(t, "", "--lang", "fr", "render", in, "--page", "2", "-o", before)
	// 370.5 × 480 points turned: 480 × 370.5 displayed
	if code != exitOK || !strings.Contains(out, "Page 2 sur 2 : 480 × 370.5 points") {
		t.Fatalf("render: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = cli(t, tok.PIN+"\n", "--lang", "fr", "--module", tok.ModulePath, "sign", in, "--cert", "01", "--page", "2", "--visible",
		"--rect", "250,40,180,50", "-o", filepath.Join(dir, "signed.pdf"))
	if code != exitOK {
		t.Fatalf("sign: exit %d\n%s\n%s", code, out, errs)
	}
	after := filepath.Join(dir, "after.png")
	if code, out, errs = cli(t, "", "render", filepath.Join(dir, "signed.pdf"), "--page", "2", "-o", after); code != exitOK {
		t.Fatalf("render signed: exit %d\n%s\n%s", code, out, errs)
	}
	a, b := readPNG(t, before), readPNG(t, after)
	var got image.Rectangle
	for y := 0; y < a.Bounds().Dy(); y++ {
		for x := 0; x < a.Bounds().Dx(); x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				got = got.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	// from the bottom-left in points → image rows from the top
	want := image.Rect(250, 280, 430, 330) // 370.5-40-50 = 280.5: half a pixel either way
	if d := got.Min.Sub(want.Min); d.X < -1 || d.X > 1 || d.Y < -1 || d.Y > 1 || got.Dx() < 178 || got.Dx() > 182 || got.Dy() < 49 || got.Dy() > 52 {
		t.Errorf("stamp drawn at %v, --rect asked %v", got, want)
	}

	// refusals: no page 3, not a PDF, bad usage; no PNG left behind
	if code, _, errs := cli(t, "", "--lang", "fr", "render", in, "--page", "3", "-o", filepath.Join(dir, "p3.png")); code != exitUsage || !strings.Contains(errs, "pas de page 3") {
		t.Errorf("page 3: exit %d %s", code, errs)
	}
	junk := filepath.Join(dir, "junk.pdf")
	os.WriteFile(junk, []byte("%PDF-1.4 junk"), 0o644)
	if code, _, errs := cli(t, "", "--lang", "fr", "render", junk, "-o", filepath.Join(dir, "j.png")); code != exitBadPDF || strings.Contains(errs, "render:") {
		t.Errorf("junk: exit %d %s", code, errs)
	}
	if code, _, _ := cli(t, "", "render", in); code != exitUsage {
		t.Errorf("no -o: exit %d", code)
	}
	for _, n := range []string{"p3.png", "j.png"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			t.Errorf("%s left behind", n)
		}
	}
}
