package verify_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

func TestVerifyOwnSignature(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	if _, err := sign.Sign(context.Background(), in, out, p.ECKey, p.ECChain(), sign.Options{Reason: "Accord", Location: "Lyon"}); err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Verify(context.Background(), out, verify.Options{Roots: p.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	t.Logf("%s", b)
	if !rep.OK || len(rep.Signatures) != 1 {
		t.Fatalf("report: %s", b)
	}
	s := rep.Signatures[0]
	if !s.Valid || s.Level != "B-B" || !s.CoversWholeDocument || s.Trust != verify.TrustTrusted || s.SignerCN != "Jean Test EC" || s.Reason != "Accord" || s.Hash != "SHA-256" || s.Revision != 2 {
		t.Fatalf("signature: %s", b)
	}
	// Unverifiable trust with another pool does not make it invalid.
	rep, err = verify.Verify(context.Background(), out, verify.Options{})
	if err != nil || !rep.OK || rep.Signatures[0].Trust != verify.TrustNotChecked {
		t.Fatalf("without roots: %v %+v", err, rep)
	}
	// The unsigned input has no signature.
	_, err = verify.Verify(context.Background(), in, verify.Options{})
	var pe *pdfsign.Error
	if !errors.As(err, &pe) || pe.Kind != pdfsign.KindNoSignature {
		t.Fatalf("unsigned: %v", err)
	}
	_ = os.Remove
	_ = strings.Contains
}

func TestFlippedByteInEitherRange(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	res, err := sign.Sign(context.Background(), in, out, p.RSAKey, p.RSAChain(), sign.Options{})
	if err != nil {
		t.Fatal(err)
	}
	br := res.ByteRange
	// A byte of the page content (first range) and one of the update's
	// trailer area (second range): the text "Document" and the "trailer"
	// keyword's neighbourhood.
	data, _ := os.ReadFile(out)
	first := int64(strings.Index(string(data), "Document"))
	second := br[2] + int64(strings.Index(string(data[br[2]:]), "endobj")) + 1
	for name, off := range map[string]int64{"first": first, "second": second} {
		t.Run(name, func(t *testing.T) {
			if off <= 0 || (off >= br[1] && off < br[2]) {
				t.Fatalf("offset %d not in a signed range %v", off, br)
			}
			bad := filepath.Join(dir, "bad-"+name+".pdf")
			pdftest.FlipAt(t, out, off, bad)
			rep, err := verify.Verify(context.Background(), bad, verify.Options{})
			if err != nil {
				t.Fatal(err)
			}
			s := rep.Signatures[0]
			if rep.OK || s.Valid || s.DigestOK || !s.HasProblem("digest_mismatch") {
				t.Fatalf("tampered file reported valid: %+v", s)
			}
			if out := pdftest.PdfsigOut(t, bad); !strings.Contains(out, "Digest Mismatch") {
				t.Fatalf("pdfsig on tampered file:\n%s", out)
			}
		})
	}
}

func TestSignTwiceBothValid(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	once := filepath.Join(dir, "once.pdf")
	twice := filepath.Join(dir, "twice.pdf")
	if _, err := sign.Sign(context.Background(), in, once, p.RSAKey, p.RSAChain(), sign.Options{Reason: "first"}); err != nil {
		t.Fatal(err)
	}
	res, err := sign.Sign(context.Background(), once, twice, p.ECKey, p.ECChain(), sign.Options{Reason: "second"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Field != "Signature2" {
		t.Fatalf("second field named %q", res.Field)
	}
	rep, err := verify.Verify(context.Background(), twice, verify.Options{Roots: p.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || len(rep.Signatures) != 2 || rep.Revisions != 3 {
		t.Fatalf("report %+v", rep)
	}
	s1, s2 := rep.Signatures[0], rep.Signatures[1]
	if !s1.Valid || s1.CoversWholeDocument || !s1.ModifiedAfter || s1.LaterChanges != verify.ChangesSignatures || s1.Revision != 2 || s1.Reason != "first" {
		t.Fatalf("first signature %+v", s1)
	}
	if !s2.Valid || !s2.CoversWholeDocument || s2.Revision != 3 || s2.Reason != "second" {
		t.Fatalf("second signature %+v", s2)
	}
	out := pdftest.AssertPdfsigValid(t, twice, 2)
	if strings.Count(out, "Total document signed") != 1 {
		t.Fatalf("pdfsig:\n%s", out)
	}
	pdftest.CheckQpdf(t, twice)
	pdftest.CheckMutool(t, twice)
}

// A later revision that changes page content is reported as "other".
func TestChangeAfterSigningReported(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	if _, err := sign.Sign(context.Background(), in, out, p.RSAKey, p.RSAChain(), sign.Options{}); err != nil {
		t.Fatal(err)
	}
	// Append an update replacing the page's content stream (object 5).
	f, err := os.OpenFile(out, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pdf.AppendIncrement(f, func(r *pdf.Reader, u *pdf.Increment) error {
		u.PutStream(pdf.Ref{Num: 5}, &pdf.Dict{}, []byte("BT /F1 24 Tf 72 720 Td (Changed) Tj ET"))
		return nil
	})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Verify(context.Background(), out, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Signatures[0]
	if rep.OK || !s.Valid || s.LaterChanges != verify.ChangesOther || !s.HasProblem("modified_after") {
		t.Fatalf("report %+v", s)
	}
}
