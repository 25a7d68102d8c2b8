package pdfsign

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
)

// TestIssue21VectorsValidate: the files of issue 21 that readers open and
// we used to refuse (or read one way for signing and another for
// verifying), made by internal/oddpdf: each is signed, poppler says the
// signature is valid and covers the whole document, our Verify agrees, and
// the reference-stability property holds (testhook, TestMain).
func TestIssue21VectorsValidate(t *testing.T) {
	keys := pkitest.SharedKeys(t)
	for _, name := range []string{"prev-zero", "broken-table", "badxref", "xrefstm-self-elsewhere",
		"offset-on-comment", "root-wrong-generation", "metadata-unreadable", "objstm-broken", "aesv2-no-length"} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.pdf")
			if _, err := Sign(context.Background(), filepath.Join("testdata", "vectors", name+".pdf"), out, keys.ECKey, keys.ECChain(), Options{}); err != nil {
				t.Fatalf("sign: %v", err)
			}
			assertPdfsigValid(t, out, 1)
			rep, err := Verify(context.Background(), out, VerifyOptions{})
			if err != nil || len(rep.Signatures) != 1 || !rep.Signatures[0].Valid || !rep.Signatures[0].CoversWholeDocument {
				t.Fatalf("verify: %v %+v", err, rep)
			}
		})
	}
}
