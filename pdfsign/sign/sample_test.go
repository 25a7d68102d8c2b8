package sign

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
)

func TestSamplePDF(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ lang, title, date string }{
		{"fr", "Document d'essai", "Créé le 2 janvier 2026"},
		{"en", "Test document", "Created on 2 January 2026"},
	} {
		var b bytes.Buffer
		if err := pdfsign.SamplePDFAt(&b, c.lang, time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, c.lang+".pdf")
		os.WriteFile(p, b.Bytes(), 0o644)
		pdftest.CheckQpdf(t, p)
		testtool.Need(t, "mutool")
		txt, err := exec.Command("mutool", "draw", "-F", "txt", "-o", "-", p).Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(txt), c.title) || !strings.Contains(string(txt), c.date) {
			t.Fatalf("%s text:\n%s", c.lang, txt)
		}
	}
}
