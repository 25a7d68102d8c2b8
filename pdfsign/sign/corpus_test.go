package sign

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

func TestCorpusSignOrRefuse(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	for _, in := range pdftest.CorpusFiles(t) {
		name := strings.ReplaceAll(strings.TrimPrefix(in, filepath.Dir(filepath.Dir(in))+"/"), "/", "_")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(dir, strings.TrimSuffix(name, ".pdf")+"-signed.pdf")
			_, err := Sign(context.Background(), in, out, p.ECKey, p.ECChain(), Options{Reason: "corpus"})
			if err != nil {
				var pe *pdfsign.Error
				if !errors.As(err, &pe) {
					t.Fatalf("untyped error: %v", err)
				}
				t.Logf("refused: %v", err)
				if _, serr := os.Stat(out); serr == nil {
					t.Fatal("output left behind")
				}
				return
			}
			rep, err := verify.Verify(context.Background(), out, verify.Options{})
			if err != nil || !rep.OK {
				t.Fatalf("verify: %v %+v", err, rep)
			}
			out2 := pdftest.PdfsigOut(t, out)
			if !strings.Contains(out2, "Total document signed") || strings.Count(out2, "Signature is Valid") < 1 {
				t.Fatalf("pdfsig:\n%s", out2)
			}
			pdftest.CheckUnchanged(t, in, out)
		})
	}
}
