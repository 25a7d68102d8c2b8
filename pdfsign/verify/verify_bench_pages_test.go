package verify_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/pdfsign/verify"
	"github.com/certigna-desktop/app/render"
)

// BenchmarkVerify100Pages verifies a signed 100-page document as signed
// (nothing to render), after a form fill (page 1 rendered twice, as signed
// and now) and after an annotation on every page (100 pages rendered
// twice), with the renderer's start-up (once per process, compiled code
// cached on disk) and the process's peak resident memory.
//
//	go test ./pdfsign -run '^$' -bench Verify100Pages -benchtime 3x
func BenchmarkVerify100Pages(b *testing.B) {
	dir := b.TempDir()
	d := basePDF("")
	objs := map[int]string{}
	kids := []string{"3 0 R"}
	for p := 2; p <= 100; p++ {
		page, content := d.alloc(), d.alloc()
		var text strings.Builder
		for l := 0; l < 40; l++ {
			fmt.Fprintf(&text, "BT /F1 11 Tf 72 %d Td (Page %d, ligne %d: texte de test pour la comparaison des pages.) Tj ET\n", 780-l*18, p, l)
		}
		objs[content] = streamBody("", text.String())
		objs[page] = fmt.Sprintf("<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents %d 0 R/Resources<</Font<</F1 9 0 R>>>>>>", content)
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	objs[2] = fmt.Sprintf("<</Type/Pages/Kids[%s]/Count %d>>", strings.Join(kids, " "), len(kids))
	d.update(objs)
	d.fieldSig(b, "Approval", 0, "", ourCMS, nil)
	signed := filepath.Join(dir, "signed.pdf")
	os.WriteFile(signed, d.b, 0o644)
	f := d.clone()
	f.update(fill(f, 6, 8, "Alice", "Bob"))
	filled := filepath.Join(dir, "filled.pdf")
	os.WriteFile(filled, f.b, 0o644)
	a := d.clone()
	objs = map[int]string{}
	for i, k := range kids {
		n, _ := strconv.Atoi(strings.Fields(k)[0])
		annot := a.alloc()
		objs[annot] = fmt.Sprintf("<</Type/Annot/Subtype/Text/Rect[560 800 580 820]/Contents(Vu %d)/P %d 0 R>>", i+1, n)
		objs[n] = addToArray(a.objs[n], "Annots", fmt.Sprintf("%d 0 R", annot))
	}
	a.update(objs)
	annotated := filepath.Join(dir, "annotated.pdf")
	os.WriteFile(annotated, a.b, 0o644)

	b.Run("engine-start", func(b *testing.B) {
		if err := render.Warm(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(render.StartupTime().Seconds(), "start-s")
	})
	for _, c := range []struct{ name, path string }{{"signed", signed}, {"then-fill", filled}, {"then-annotation-every-page", annotated}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				rep, err := verify.Verify(context.Background(), c.path, verify.Options{})
				if err != nil || !rep.OK {
					b.Fatalf("verify: %v %+v", err, rep.Signatures[0].Changes)
				}
			}
			b.StopTimer()
			if hwm := peakRSS(); hwm > 0 {
				b.ReportMetric(hwm, "peak-RSS-MB")
			}
		})
	}
}

// peakRSS is the process's peak resident set (Linux VmHWM), in MB; 0
// elsewhere.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				kb, _ := strconv.ParseFloat(f[1], 64)
				return kb / 1024
			}
		}
	}
	return 0
}
