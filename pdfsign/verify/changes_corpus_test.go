package verify_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// TestCorpusChangeAnalysis: on real-world PDFs (pdfcpu's test files), a
// second signature after ours is "signatures", allowed; an annotation added
// by mutool (an independent writer, incremental save) is "annotations",
// allowed. Any "other" here would be a false alarm on a good document.
func TestCorpusChangeAnalysis(t *testing.T) {
	p := pkitest.SharedKeys(t)
	testtool.Need(t, "mutool")
	dir := t.TempDir()
	for _, in := range pdftest.CorpusFiles(t) {
		name := strings.ReplaceAll(strings.TrimPrefix(in, filepath.Dir(filepath.Dir(in))+"/"), "/", "_")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base := filepath.Join(dir, strings.TrimSuffix(name, ".pdf"))
			one, two := base+"-1.pdf", base+"-2.pdf"
			if _, err := sign.Sign(context.Background(), in, one, p.ECKey, p.ECChain(), sign.Options{Reason: "first"}); err != nil {
				var pe *pdfsign.Error
				if !errors.As(err, &pe) {
					t.Fatalf("untyped error: %v", err)
				}
				t.Skipf("not signable: %v", err)
			}
			if _, err := sign.Sign(context.Background(), one, two, p.RSAKey, p.RSAChain(), sign.Options{Reason: "second", Visible: &sign.Visible{Corner: sign.BottomRight}}); err != nil {
				t.Fatalf("second signature: %v", err)
			}
			rep, err := verify.Verify(context.Background(), two, verify.Options{})
			if err != nil {
				t.Fatal(err)
			}
			first := findSig(rep, "first")
			if first == nil || first.Changes == nil || first.Changes.Class != verify.ClassSignatures || !first.Changes.Allowed || !rep.OK {
				t.Fatalf("after a second signature: %+v", first.Changes)
			}
			b, err := os.ReadFile(two)
			if err != nil {
				t.Fatal(err)
			}
			annotated := filepath.Join(dir, strings.TrimSuffix(name, ".pdf")+"-3.pdf")
			os.WriteFile(annotated, mutoolIncremental(t, b, `var page = doc.loadPage(0); var a = page.createAnnotation("Text"); a.setRect([10,10,30,30]); a.setContents("Vu"); a.update();`), 0o644)
			rep, err = verify.Verify(context.Background(), annotated, verify.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range rep.Signatures {
				if s.Changes == nil || !s.Changes.Allowed || s.Changes.Class != verify.ClassAnnotations {
					t.Fatalf("after a mutool annotation, %s: %+v", s.Field, s.Changes)
				}
			}
		})
	}
}

func findSig(rep *verify.Report, reason string) *verify.SignatureReport {
	for i := range rep.Signatures {
		if rep.Signatures[i].Reason == reason {
			return &rep.Signatures[i]
		}
	}
	return nil
}
