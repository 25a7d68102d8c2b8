package render

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/hostile"
	"github.com/certigna-desktop/app/internal/testpdf"
	"github.com/certigna-desktop/app/internal/testtool"
)

// buildPDF writes a classic PDF (xref table) whose objects are given without
// their "n 0 obj" wrapper; object 1 must be the catalog.
func buildPDF(objs ...string) []byte { return testpdf.Classic("", objs...) }

func stream(dict string, data []byte) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

func flate(data []byte) []byte {
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// onePage is a page of coloured rectangles (vector only: both renderers
// must agree to the anti-aliased edge), with extra page keys.
func onePage(pageKeys string, content string) []byte {
	return buildPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "+pageKeys+" >>",
		stream("", []byte(content)),
	)
}

// textPage is an A4 page of Helvetica text (a standard font, not embedded:
// each renderer substitutes its own).
func textPage() []byte {
	return buildPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		stream("", []byte("BT /F1 24 Tf 72 760 Td (Test document) Tj ET BT /F1 12 Tf 72 720 Td (This document was created by Certigna Desktop to try a signature.) Tj 0 -18 Td (It has no value of its own.) Tj ET 0.2 0.3 0.8 RG 2 w 72 700 m 523 700 l S")),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	)
}

const rects = "1 0 0 rg 20 20 100 60 re f 0 0 1 rg 150 100 120 80 re f 0 0.6 0 RG 4 w 30 150 m 280 30 l S"

func pdftoppm(t *testing.T, pdf []byte, dpi int) *image.RGBA {
	t.Helper()
	testtool.Need(t, "pdftoppm")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftoppm", "-r", fmt.Sprint(dpi), "-cropbox", "-png", "-singlefile", in, filepath.Join(dir, "out")).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "out.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			rgba.Set(x, y, img.At(x, y))
		}
	}
	return rgba
}

// differing is the share of pixels where a channel differs by more than tol.
func differing(t *testing.T, a, b *image.RGBA, tol int) float64 {
	t.Helper()
	if a.Rect.Dx() != b.Rect.Dx() || a.Rect.Dy() != b.Rect.Dy() {
		t.Fatalf("sizes differ: %v vs %v", a.Rect, b.Rect)
	}
	n := 0
	for y := 0; y < a.Rect.Dy(); y++ {
		for x := 0; x < a.Rect.Dx(); x++ {
			p := a.PixOffset(x+a.Rect.Min.X, y+a.Rect.Min.Y)
			q := b.PixOffset(x+b.Rect.Min.X, y+b.Rect.Min.Y)
			for c := 0; c < 3; c++ {
				d := int(a.Pix[p+c]) - int(b.Pix[q+c])
				if d > tol || d < -tol {
					n++
					break
				}
			}
		}
	}
	return float64(n) / float64(a.Rect.Dx()*a.Rect.Dy())
}

func render(t *testing.T, pdf []byte, page int, dpi float64) *image.RGBA {
	t.Helper()
	d, err := Open(context.Background(), pdf, Limits{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer d.Close()
	img, err := d.Render(context.Background(), page, dpi)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return img
}

// The pixels agree with poppler's for vector pages, rotated and cropped
// ones, annotations, and an A4 page of Helvetica text like the app's sample
// document (fonts differ slightly between the two renderers, hence the
// looser bound).
func TestRenderMatchesPdftoppm(t *testing.T) {
	cases := []struct {
		name string
		pdf  []byte
		dpi  int
		max  float64
	}{
		{"rects-72", onePage("", rects), 72, 0.01},
		{"rects-150", onePage("", rects), 150, 0.01},
		{"rotate90", onePage("/Rotate 90", rects), 100, 0.01},
		{"cropbox", onePage("/CropBox [10 10 210 190]", rects), 100, 0.01},
		{"rotate270-crop", onePage("/Rotate 270 /CropBox [10 10 210 190]", rects), 100, 0.01},
		{"annotation", annotated(), 100, 0.01},
		{"text", textPage(), 100, 0.03},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := render(t, c.pdf, 0, float64(c.dpi))
			want := pdftoppm(t, c.pdf, c.dpi)
			d := differing(t, got, want, 48)
			t.Logf("%s: %dx%d, %.4f%% of pixels differ", c.name, got.Rect.Dx(), got.Rect.Dy(), 100*d)
			if d > c.max {
				t.Fatalf("%.2f%% of pixels differ from pdftoppm's (max %.2f%%)", 100*d, 100*c.max)
			}
			// Not a blank page: the drawing is there.
			if blank(got) {
				t.Fatal("rendered page is blank")
			}
		})
	}
}

// annotated has a square annotation and a widget with appearance streams:
// the renderer must show both, as viewers do (an appearance covering signed
// content is what the Sneaky Signature Attack uses).
func annotated() []byte {
	return buildPDF(
		"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Annots [5 0 R 6 0 R] >>",
		stream("", []byte(rects)),
		"<< /Type /Annot /Subtype /Square /Rect [200 10 290 60] /F 4 /AP << /N 7 0 R >> >>",
		"<< /Type /Annot /Subtype /Widget /FT /Sig /T (S) /Rect [10 100 140 190] /F 4 /AP << /N 8 0 R >> /P 3 0 R >>",
		stream("/Type /XObject /Subtype /Form /BBox [0 0 90 50]", []byte("1 1 0 rg 0 0 90 50 re f")),
		stream("/Type /XObject /Subtype /Form /BBox [0 0 130 90]", []byte("0 0 0 rg 0 0 130 90 re f")),
	)
}

func blank(img *image.RGBA) bool {
	for k := 0; k < len(img.Pix); k += 4 {
		if img.Pix[k] != 255 || img.Pix[k+1] != 255 || img.Pix[k+2] != 255 {
			return false
		}
	}
	return true
}

func TestPageBox(t *testing.T) {
	d, err := Open(context.Background(), onePage("/Rotate 90 /CropBox [10 10 210 190]", rects), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Pages() != 1 {
		t.Fatalf("Pages = %d", d.Pages())
	}
	w, h, r, err := d.PageBox(0)
	if err != nil || w != 180 || h != 200 || r != 90 {
		t.Fatalf("PageBox = %v×%v rot %d, %v; want 180×200 rot 90", w, h, r, err)
	}
	if _, _, _, err := d.PageBox(1); !errors.Is(err, ErrBadPage) {
		t.Fatalf("PageBox(1) = %v, want ErrBadPage", err)
	}
	img, err := d.Render(context.Background(), 0, 144)
	if err != nil {
		t.Fatal(err)
	}
	if pw, ph := PixelSize(w, h, 144); img.Rect.Dx() != pw || img.Rect.Dy() != ph || pw != 360 {
		t.Fatalf("image %v, PixelSize %d×%d", img.Rect, pw, ph)
	}
}

func TestLimits(t *testing.T) {
	pdf := onePage("", rects)
	if _, err := Open(context.Background(), pdf, Limits{MaxBytes: 100}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("MaxBytes: %v", err)
	}
	d, err := Open(context.Background(), pdf, Limits{MaxPixels: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Render(context.Background(), 0, 72); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("MaxPixels: %v", err)
	}
	if _, err := d.Render(context.Background(), 0, 5); err != nil {
		t.Fatalf("small render: %v", err)
	}
	d.Close()
	if _, err := d.Render(context.Background(), 0, 5); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	three := buildPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R 3 0 R 3 0 R] /Count 3 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>",
	)
	d, err = Open(context.Background(), three, Limits{MaxPages: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, i := range []int{0, 1, 0} {
		if _, err := d.Render(context.Background(), i, 20); err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
	}
	if _, err := d.Render(context.Background(), 2, 20); !errors.Is(err, ErrTooMany) {
		t.Fatalf("third distinct page: %v", err)
	}
}

// slowPage is a small file whose page is millions of drawing operations
// (about 4 MB of content from a few KB): rendering it takes seconds.
func slowPage() []byte {
	op := []byte("0.5 g 10 10 280 180 re f 0.2 g 20 20 m 280 180 l 30 190 l h f\n")
	content := flate(bytes.Repeat(op, 300000))
	return buildPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R >>",
		stream("/Filter /FlateDecode", content),
	)
}

// A cancelled context stops the render in flight (wazero closes the
// instance), and so does the Doc's own timeout; the process goes on, and
// the next document renders.
func TestCancelAndTimeout(t *testing.T) {
	pdf := slowPage()
	d, err := Open(context.Background(), pdf, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() {
		_, err := d.Render(ctx, 0, 300)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrCancelled) {
			t.Fatalf("cancelled render: %v (want ErrCancelled; did the page render in 50 ms?)", err)
		}
	case <-time.After(DefaultTimeout):
		t.Fatal("cancel did not stop the render")
	}
	if _, err := d.Render(context.Background(), 0, 10); !errors.Is(err, ErrClosed) {
		t.Fatalf("doc after cancel: %v", err)
	}
	d.Close()

	d, err = Open(context.Background(), pdf, Limits{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Render(context.Background(), 0, 300); !errors.Is(err, ErrCancelled) {
		t.Fatalf("timed-out render: %v", err)
	}
	d.Close()

	if blank(render(t, onePage("", rects), 0, 50)) {
		t.Fatal("render after a killed instance is blank")
	}
}

// Hostile files (the PDF reader's bombs and loops, plus renderer-specific
// ones) end in an error or an image, bounded in time and memory, never a
// crash.
func TestHostile(t *testing.T) {
	files := map[string][]byte{
		"image-bomb":     imageBomb(),
		"form-recursion": formRecursion(),
		"garbage":        []byte("%PDF-1.7\n" + strings.Repeat("garbage ", 1000)),
		"truncated":      onePage("", rects)[:200],
	}
	for _, f := range hostile.Files(nil) {
		files[f.Name] = f.Data
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			lim := Limits{Timeout: 2 * time.Second}
			d, err := Open(context.Background(), data, lim)
			if err != nil {
				t.Logf("open: %v", err)
				return
			}
			defer d.Close()
			n := min(d.Pages(), 3)
			for i := 0; i < n; i++ {
				img, err := d.Render(context.Background(), i, 72)
				if err != nil {
					t.Logf("page %d: %v", i, err)
					if errors.Is(err, ErrClosed) || errors.Is(err, ErrCancelled) {
						return
					}
					continue
				}
				t.Logf("page %d: %v", i, img.Rect)
			}
		})
	}
	// The engine survived all of them.
	if blank(render(t, onePage("", rects), 0, 50)) {
		t.Fatal("render after the hostile set is blank")
	}
}

// imageBomb: a 30000×30000 RGB image (2.7 GB decoded) from a small stream.
func imageBomb() []byte {
	data := flate(make([]byte, 64<<20))
	return buildPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /XObject << /I 5 0 R >> >> >>",
		stream("", []byte("q 300 0 0 200 0 0 cm /I Do Q")),
		stream("/Type /XObject /Subtype /Image /Width 30000 /Height 30000 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode", data),
	)
}

// formRecursion: a form XObject that draws itself.
func formRecursion() []byte {
	return buildPDF(
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /XObject << /F 5 0 R >> >> >>",
		stream("", []byte("/F Do")),
		stream("/Type /XObject /Subtype /Form /BBox [0 0 300 200] /Resources << /XObject << /F 5 0 R >> >>", []byte("0 g 0 0 10 10 re f /F Do /F Do")),
	)
}

// One engine serves several goroutines at once.
func TestConcurrent(t *testing.T) {
	pdf := onePage("", rects)
	want := render(t, pdf, 0, 60)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := Open(context.Background(), pdf, Limits{})
			if err != nil {
				errs <- err
				return
			}
			defer d.Close()
			img, err := d.Render(context.Background(), 0, 60)
			if err != nil {
				errs <- err
				return
			}
			if !bytes.Equal(img.Pix, want.Pix) {
				errs <- errors.New("concurrent render differs")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// BenchmarkEngineStart: compiling PDFium, without and with wazero's on-disk
// cache (the second and later starts of the application).
func BenchmarkEngineStart(b *testing.B) {
	for _, cached := range []bool{false, true} {
		b.Run(fmt.Sprintf("cache=%v", cached), func(b *testing.B) {
			if cached {
				b.Setenv("XDG_CACHE_HOME", b.TempDir())
				b.Setenv("HOME", b.TempDir())
				e, err := newEngine() // fill the cache
				if err != nil {
					b.Fatal(err)
				}
				e.pool.Close()
			} else {
				b.Setenv("CERTIGNA_RENDER_NOCACHE", "1")
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e, err := newEngine()
				if err != nil {
					b.Fatal(err)
				}
				e.pool.Close()
			}
		})
	}
}

// BenchmarkFirstPageRender: Open + page 1 at 100 dpi of an A4 text page
// (like pdfsign's sample document, which this package cannot import: pdfsign
// uses render), engine already started (a new instance each time, as in use).
func BenchmarkFirstPageRender(b *testing.B) {
	sample := textPage()
	if err := Warm(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(StartupTime().Seconds(), "engine-start-s")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := Open(context.Background(), sample, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Render(context.Background(), 0, 100); err != nil {
			b.Fatal(err)
		}
		d.Close()
	}
}

// RenderContent leaves annotations and widgets out (what lies under them);
// OpenReader reads a prefix of a larger buffer (a signed revision).
func TestRenderContentAndReader(t *testing.T) {
	pdf := annotated()
	buf := append(append([]byte(nil), pdf...), []byte("trailing bytes of a later revision")...)
	d, err := OpenReader(context.Background(), bytes.NewReader(buf), int64(len(pdf)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	with, err := d.Render(context.Background(), 0, 72)
	if err != nil {
		t.Fatal(err)
	}
	without, err := d.RenderContent(context.Background(), 0, 72)
	if err != nil {
		t.Fatal(err)
	}
	// The widget's black box covers x 10–140, y 100–190 (PDF), so pixel
	// (75, 55) from the top-left; the page content is white there.
	if p := with.RGBAAt(75, 55); p.R > 10 {
		t.Fatalf("widget not drawn by Render: %v", p)
	}
	if p := without.RGBAAt(75, 55); p.R < 245 {
		t.Fatalf("widget drawn by RenderContent: %v", p)
	}
	// The page content (red rectangle at 20–120, 20–80) is in both.
	if a, b := with.RGBAAt(50, 150), without.RGBAAt(50, 150); a != b || a.R < 200 || a.G > 50 {
		t.Fatalf("content differs: %v %v", a, b)
	}
}
