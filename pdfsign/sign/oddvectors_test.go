package sign

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// TestIssue21VectorsValidate: the files of issue 21 that readers open and
// we used to refuse (or read one way for signing and another for
// verifying), made by internal/oddpdf: each is signed, the input is a byte
// prefix of the output, poppler says the signature is valid and covers the
// whole document, our Verify agrees, and the reference-stability property
// holds (testhook, TestMain).
func TestIssue21VectorsValidate(t *testing.T) {
	keys := pkitest.SharedKeys(t)
	for _, name := range []string{"prev-zero", "broken-table", "badxref", "xrefstm-self-elsewhere",
		"offset-on-comment", "root-wrong-generation", "metadata-unreadable", "objstm-broken", "aesv2-no-length",
		"update-root-is-info"} {
		t.Run(name, func(t *testing.T) {
			in := filepath.Join("..", "testdata", "vectors", name+".pdf")
			out := filepath.Join(t.TempDir(), "out.pdf")
			if _, err := Sign(context.Background(), in, out, keys.ECKey, keys.ECChain(), Options{}); err != nil {
				t.Fatalf("sign: %v", err)
			}
			assertPrefix(t, in, out)
			pdftest.AssertPdfsigValid(t, out, 1)
			rep, err := verify.Verify(context.Background(), out, verify.Options{})
			if err != nil || len(rep.Signatures) != 1 || !rep.Signatures[0].Valid || !rep.Signatures[0].CoversWholeDocument {
				t.Fatalf("verify: %v %+v", err, rep)
			}
		})
	}
}

// pdf.js's issue9418 shape (update-root-is-info): poppler, qpdf and mupdf
// cannot find its pages; signed, it has a complete table and the catalog as
// /Root, so that qpdf reads it without a warning and mupdf repairs nothing
// (checkSignedEverywhere), and the catalog is the one the first revision
// named (its page is there).
func TestIssue9418ShapeReadByAll(t *testing.T) {
	testtool.Need(t, "qpdf")
	keys := pkitest.SharedKeys(t)
	out := filepath.Join(t.TempDir(), "out.pdf")
	if _, err := Sign(context.Background(), filepath.Join("..", "testdata", "vectors", "update-root-is-info.pdf"), out, keys.ECKey, keys.ECChain(), Options{}); err != nil {
		t.Fatalf("sign: %v", err)
	}
	checkSignedEverywhere(t, out, 1)
	b, err := exec.Command("qpdf", "--show-npages", out).CombinedOutput()
	if err != nil || strings.TrimSpace(string(b)) != "1" {
		t.Fatalf("qpdf --show-npages: %v %s", err, b)
	}
}

// assertPrefix: the input's bytes begin the output (an incremental update).
func assertPrefix(t *testing.T, in, out string) {
	t.Helper()
	a, err1 := os.ReadFile(in)
	b, err2 := os.ReadFile(out)
	if err1 != nil || err2 != nil || len(b) <= len(a) || !bytes.Equal(b[:len(a)], a) {
		t.Fatalf("%s is not a byte prefix of %s (%v %v)", in, out, err1, err2)
	}
}
