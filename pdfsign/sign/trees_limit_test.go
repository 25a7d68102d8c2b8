package sign

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/internal/testpdf"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// A form wider than the field walker's bound is refused as too much work
// (a limit, exit 7), by Verify and before the PIN by Check, in both
// languages: the verifier never stops silently and misses a signature
// listed after the bound.
func TestFieldTreeBound(t *testing.T) {
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i <= pdf.MaxFieldNodes; i++ {
		b.WriteString("<</T(f)>>\n")
	}
	b.WriteString("]")
	data := testpdf.Classic("", "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields 4 0 R>>>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>", "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>", b.String())
	dir := t.TempDir()
	in := filepath.Join(dir, "wide-form.pdf")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, verr := verify.Verify(context.Background(), in, verify.Options{})
	cerr := Check(in, filepath.Join(dir, "out.pdf"), Options{})
	for what, err := range map[string]error{"Verify": verr, "Check": cerr} {
		var e *pdfsign.Error
		if !errors.As(err, &e) || e.Kind != pdfsign.KindLimit {
			t.Fatalf("%s: %v, want a limit", what, err)
		}
		fr, en := e.Message("fr"), e.Message("en")
		if !strings.Contains(fr, "éléments de formulaire") || !strings.Contains(en, "form elements") {
			t.Errorf("%s: %q / %q", what, fr, en)
		}
	}
}
