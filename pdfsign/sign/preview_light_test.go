package sign

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/render"
)

// LightPage on real files (pdfcpu's corpus and the verify corpus, hostile
// files included) with a budget of 0 (every image of page 1 greyed): it
// returns, never panics; when it writes an update, the file followed by it
// reads with our reader, the update holds the 1×1 grey image, and the
// renderer gives page 1 the same displayed size as the file's own (the
// stamp's geometry is the real page's).
func TestLightPageOnCorpus(t *testing.T) {
	files := pdftest.CorpusFiles(t)
	more, _ := filepath.Glob(filepath.Join("..", "testdata", "verify", "*.pdf"))
	files = append(files, more...)
	greyed := 0
	for _, in := range files {
		data, err := os.ReadFile(in)
		if err != nil || len(data) > 20<<20 {
			continue
		}
		upd := LightPage(bytes.NewReader(data), int64(len(data)), 1, 0)
		if upd == nil {
			continue
		}
		name := filepath.Base(in)
		all := append(append([]byte(nil), data...), upd...)
		if _, err := pdf.NewReader(bytes.NewReader(all), int64(len(all))); err != nil {
			t.Errorf("%s: the update does not read: %v", name, err)
			continue
		}
		if !strings.Contains(string(upd), "/Width 1") {
			t.Errorf("%s: no grey image in %q", name, upd)
		}
		orig, err := render.Open(context.Background(), data, render.Limits{})
		if err != nil {
			continue // the renderer refuses the file itself
		}
		w0, h0, _, err0 := orig.PageBox(0)
		orig.Close()
		light, err := render.Open(context.Background(), all, render.Limits{})
		if err != nil {
			t.Errorf("%s: the renderer refuses the light copy: %v", name, err)
			continue
		}
		w1, h1, _, err1 := light.PageBox(0)
		if _, err := light.Render(context.Background(), 0, 20); err != nil && err0 == nil {
			t.Errorf("%s: light page 1 not drawn: %v", name, err)
		}
		light.Close()
		if err0 != nil || err1 != nil || w0 != w1 || h0 != h1 {
			t.Errorf("%s: page 1 %gx%g (%v), light copy %gx%g (%v)", name, w0, h0, err0, w1, h1, err1)
		}
		greyed++
	}
	if greyed < 5 {
		t.Fatalf("only %d files with an image on page 1", greyed)
	}
	t.Logf("%d files greyed", greyed)
}
