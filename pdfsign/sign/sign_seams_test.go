package sign

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// The seams the steps of Sign fill in (signConfig: unsignedReserve and
// cms.UnsignedAttrs, appearance, finish), exercised directly.

// An unsigned attribute larger than its reserve: the first placeholder is too
// small, Sign redoes the update with the measured size, and the result is
// valid for us and for pdfsig.
func TestHookUnsignedAttrsOverflowRetried(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	cfg, err := newSignConfig(p.RSAKey, p.RSAChain(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	var gotSig []byte
	cfg.cms.UnsignedAttrs = func(sig []byte) ([]cms.Attribute, error) {
		calls++
		gotSig = sig
		// An OCTET STRING of 6000 bytes under a private-use OID.
		v := append([]byte{0x04, 0x82, 0x17, 0x70}, bytes.Repeat([]byte{0xAB}, 6000)...)
		return []cms.Attribute{cms.MakeAttribute([]int{1, 3, 6, 1, 4, 1, 99999, 1}, v)}, nil
	}
	cfg.unsignedReserve = 100
	res, err := signFile(in, out, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 || len(gotSig) != 256 || res.CMSSize < 6000 || res.ContentsSize < res.CMSSize {
		t.Fatalf("calls %d, sig %d bytes, result %+v", calls, len(gotSig), res)
	}
	pdftest.AssertDir(t, dir, "in.pdf", "out.pdf")
	rep, err := verify.Verify(context.Background(), out, verify.Options{})
	if err != nil || !rep.OK {
		t.Fatalf("%v %+v", err, rep)
	}
	pdftest.AssertPdfsigValid(t, out, 1)
}

// A visible widget through cfg.appearance, then a further revision through
// cfg.finish + appendIncrement adding a /DSS to the catalog: the signature
// stays valid and the later revision counts as signature data.
func TestHookAppearanceAndFinish(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	cfg, err := newSignConfig(p.ECKey, p.ECChain(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var seenPage *pageInfo
	cfg.appearance = func(pg *pageInfo, u *pdf.Increment) ([4]float64, *pdf.Dict, error) {
		seenPage = pg
		ref := u.Alloc()
		d := &pdf.Dict{}
		d.Set("Type", pdf.Name("XObject"))
		d.Set("Subtype", pdf.Name("Form"))
		d.Set("BBox", pdf.Array{pdf.Int(0), pdf.Int(0), pdf.Int(200), pdf.Int(50)})
		u.PutStream(ref, d, []byte("0 0 1 rg 0 0 200 50 re f"))
		ap := &pdf.Dict{}
		ap.Set("N", ref)
		return [4]float64{50, 50, 250, 100}, ap, nil
	}
	cfg.finish = func(f *os.File, res *Result) error {
		_, err := pdf.AppendIncrement(f, func(r *pdf.Reader, u *pdf.Increment) error {
			rootRef := r.Trailer.Get("Root").(pdf.Ref)
			cat, err := r.ResolveDict(rootRef)
			if err != nil {
				return err
			}
			cat = cat.Clone()
			dss := &pdf.Dict{}
			dss.Set("Certs", pdf.Array{})
			dssRef := u.Alloc()
			u.Put(dssRef, dss)
			cat.Set("DSS", dssRef)
			u.Put(rootRef, cat)
			return nil
		})
		return err
	}
	if _, err := signFile(in, out, cfg); err != nil {
		t.Fatal(err)
	}
	if seenPage == nil || seenPage.MediaBox != [4]float64{0, 0, 595, 842} || seenPage.Number != 1 {
		t.Fatalf("page info %+v", seenPage)
	}
	rep, err := verify.Verify(context.Background(), out, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Signatures[0]
	if !rep.OK || !s.Valid || s.CoversWholeDocument || s.LaterChanges != verify.ChangesSignatures || rep.Revisions != 3 {
		t.Fatalf("report %+v", rep)
	}
	o := pdftest.PdfsigOut(t, out)
	if !strings.Contains(o, "Signature is Valid") {
		t.Fatalf("pdfsig:\n%s", o)
	}
	pdftest.CheckQpdf(t, out)
	data, _ := os.ReadFile(out)
	if !bytes.Contains(data, []byte("/Rect [50 50 250 100]")) && !bytes.Contains(data, []byte("/Rect[50 50 250 100]")) {
		t.Fatal("widget rectangle not written")
	}
}
