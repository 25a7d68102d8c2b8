package sign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/hostile"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// exitOf mirrors the CLI's mapping of kinds to exit codes (7 unreadable,
// 8 no signature), to compare with what the hostile set documents.
func exitOf(err error) int {
	var e *pdfsign.Error
	if !errors.As(err, &e) {
		if err == nil {
			return 0
		}
		return 1
	}
	switch e.Kind {
	case pdfsign.KindNotPDF, pdfsign.KindDamaged, pdfsign.KindEncrypted, pdfsign.KindUnsupported, pdfsign.KindInputNotFound, pdfsign.KindLimit, pdfsign.KindNotRegular:
		return 7
	case pdfsign.KindNoSignature:
		return 8
	case KindFieldChoice, KindFieldNotFound: // the user must name the field
		return 2
	}
	return 1
}

// signedForHostile is the sample signed with the test PKI.
func signedForHostile(t *testing.T) []byte {
	t.Helper()
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	if _, err := Sign(context.Background(), in, out, p.ECKey, p.ECChain(), Options{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHostileSetKinds: each file of the hostile set gets from Verify and
// Check the typed error its exit code documents, with a message in both
// languages that is not a raw key; a file Check lets through is signed.
func TestHostileSetKinds(t *testing.T) {
	dir := t.TempDir()
	p := pkitest.SharedKeys(t)
	for _, f := range hostile.Files(signedForHostile(t)) {
		path := filepath.Join(dir, f.Name)
		if err := os.WriteFile(path, f.Data, 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := verify.Verify(context.Background(), path, verify.Options{})
		got := exitOf(err)
		if err == nil && !rep.OK {
			got = 1
		}
		if got != f.VerifyExit {
			t.Errorf("%s: Verify → %v (exit %d, want %d)", f.Name, err, got, f.VerifyExit)
		}
		err = Check(path, filepath.Join(dir, "out.pdf"), Options{})
		if f.SignExit != 0 && exitOf(err) != f.SignExit || f.SignExit == 0 && err != nil {
			t.Errorf("%s: Check → %v, want exit %d", f.Name, err, f.SignExit)
		}
		if f.SignExit == 0 {
			// What Check lets through, Sign signs: no PIN is spent on a
			// file that is then refused.
			out := filepath.Join(dir, "signed-"+f.Name)
			if _, err := Sign(context.Background(), path, out, p.ECKey, p.ECChain(), Options{}); err != nil {
				t.Errorf("%s: passed Check, Sign → %v", f.Name, err)
			}
		}
		var e *pdfsign.Error
		if errors.As(err, &e) {
			fr, en := e.Message("fr"), e.Message("en")
			if fr == en || strings.Contains(fr+en, "pdf.err.") || strings.Contains(fr+en, "pdf.limit.") {
				t.Errorf("%s: messages fr %q en %q", f.Name, fr, en)
			}
		}
	}
}

// TestDSSStreamDecodedOnce: a DSS naming one 4 MiB stream 30,000 times in
// each of its three arrays costs one decode (the reader's counter).
func TestDSSStreamDecodedOnce(t *testing.T) {
	var data []byte
	for _, f := range hostile.Files(signedForHostile(t)) {
		if f.Name == "dss-repeat.pdf" {
			data = f.Data
		}
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	certs, ocsps, crls, _ := verify.ReadDSS(r, "")
	if len(certs) != 0 || len(ocsps) != 1 || len(crls) != 1 {
		t.Fatalf("DSS read: %d certs, %d OCSPs, %d CRLs", len(certs), len(ocsps), len(crls))
	}
	if r.Decoded() != 4<<20 {
		t.Errorf("decoded %d bytes, want one 4 MiB stream", r.Decoded())
	}
}

// TestSameSignatureVerifiedOnce: 400 fields naming the document's signature
// give 401 identical reports from one verification.
func TestSameSignatureVerifiedOnce(t *testing.T) {
	signed := signedForHostile(t)
	r, err := pdf.NewReader(bytes.NewReader(signed), int64(len(signed)))
	if err != nil {
		t.Fatal(err)
	}
	fields, err := doc.SigFields(r)
	if err != nil || len(fields) != 1 {
		t.Fatalf("fields %v %v", fields, err)
	}
	// The signature dictionary's number: the /V of the only field.
	var sigRef pdf.Ref
	catalog, _ := r.ResolveDict(r.Trailer.Get("Root"))
	acro, _ := r.ResolveDict(catalog.Get("AcroForm"))
	fa, _ := r.Resolve(acro.Get("Fields"))
	fd, _ := r.ResolveDict(fa.(pdf.Array)[0])
	sigRef = fd.Get("V").(pdf.Ref)
	rootRef := r.Trailer.Get("Root").(pdf.Ref)
	// An update: the catalog with an inline AcroForm listing 400 more
	// fields that name the same signature.
	var b bytes.Buffer
	b.Write(signed)
	off := b.Len()
	cat := catalog.Clone()
	var extra strings.Builder
	extra.WriteString("<</SigFlags 3/Fields[")
	extra.WriteString(string(pdf.AppendObject(nil, fa.(pdf.Array)[0])))
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&extra, "<</FT/Sig/T(copy%d)/V %d 0 R>>", i, sigRef.Num)
	}
	extra.WriteString("]>>")
	cat.Del("AcroForm")
	body := strings.TrimSuffix(string(pdf.AppendObject(nil, cat)), ">>") + "/AcroForm" + extra.String() + ">>"
	fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", rootRef.Num, body)
	x := b.Len()
	size, _ := pdf.ToInt(r.Trailer.Get("Size"))
	fmt.Fprintf(&b, "xref\n%d 1\n%010d 00000 n \ntrailer\n<</Size %d/Root %d 0 R/Prev %d>>\nstartxref\n%d\n%%%%EOF\n", rootRef.Num, off, size, rootRef.Num, startxref(signed), x)
	path := filepath.Join(t.TempDir(), "copies.pdf")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Verify(context.Background(), path, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Signatures) != 401 || rep.Checked != 1 {
		t.Fatalf("%d signatures reported, %d checked", len(rep.Signatures), rep.Checked)
	}
	for _, s := range rep.Signatures {
		if !s.SignatureOK || !s.DigestOK {
			t.Fatalf("%s: %+v", s.Field, s.Problems)
		}
	}
}

// TestLimitMessages: every bound and the new kinds have a French and an
// English text.
func TestLimitMessages(t *testing.T) {
	for _, what := range []string{"decoded", "read", "entries", "objects", "steps", "depth", "signatures", "sig_fields", "stream", "sections", "hashed"} {
		e := &pdfsign.Error{Kind: pdfsign.KindLimit, Err: &pdf.LimitError{What: what, Limit: 42}}
		fr, en := e.Message("fr"), e.Message("en")
		if fr == en || !strings.Contains(fr, "42") || !strings.Contains(en, "42") || strings.Contains(fr+en, "pdf.limit") {
			t.Errorf("%s: fr %q en %q", what, fr, en)
		}
	}
	for _, k := range []pdfsign.Kind{pdfsign.KindNotRegular, KindOutputDir, KindOutputLink} {
		e := &pdfsign.Error{Kind: k, Path: "/tmp/x", Err: errors.New("detail")}
		if fr, en := e.Message("fr"), e.Message("en"); fr == en || strings.Contains(fr+en, "pdf.err.") {
			t.Errorf("%s: fr %q en %q", k, fr, en)
		}
	}
}

// startxref is the value of a file's last "startxref".
func startxref(b []byte) int64 {
	i := bytes.LastIndex(b, []byte("startxref"))
	n, _ := strconv.ParseInt(strings.Fields(string(b[i+len("startxref"):]))[0], 10, 64)
	return n
}
