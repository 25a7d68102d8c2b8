package sign

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/hostile"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// The fuzz targets call the reading paths without the recover() of the API
// boundary, so that a panic is a failure. Their seed corpus (f.Add below and
// testdata/fuzz/) runs in the normal test suite; `go test -fuzz FuzzX` runs
// them for real.

func seedPDFs(f *testing.F) {
	var b bytes.Buffer
	pdfsign.SamplePDFAt(&b, "fr", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	f.Add(b.Bytes())
	f.Add(buildPDF("%PDF-1.4", []string{
		"<</Type/Catalog/Pages 3 0 R/AcroForm<</Fields[5 0 R]>>>>", "<<>>",
		"<</Type/Pages/Kids[4 0 R]/Count 1>>", "<</Type/Page/Parent 3 0 R/Annots[5 0 R]>>",
		"<</FT/Sig/T(S)/V<</ByteRange[0 10 20 5]/Contents<3003020100>/SubFilter/ETSI.CAdES.detached>>>>",
	}))
	f.Add([]byte("%PDF-1.7\n1 0 obj\n<</Type/XRef/Size 2/W[1 2 1]/Length 8>>\nstream\n\x00\x00\x00\xff\x01\x00\x09\x00\nendstream\nendobj\nstartxref\n9\n%%EOF\n"))
	f.Add([]byte("%PDF-1.0\nxref\n0 1\n0000000000 65535 f\ntrailer<</Root 1 0 R/Prev 9>>\nstartxref\n9\n%%EOF"))
	// The hostile set of issue #11 (internal/hostile): each once crashed,
	// hung or exhausted memory.
	for _, h := range hostile.Files(nil) {
		if len(h.Data) <= 1<<20 { // the large ones have small versions in Seeds
			f.Add(h.Data)
		}
	}
	for _, b := range hostile.Seeds(nil) {
		if len(b) == 0 {
			f.Fatal("a hostile seed failed to build")
		}
		f.Add(b)
	}
}

// FuzzReader: the xref/trailer reader, object fetching and the sign-side
// planning (catalog, page tree, AcroForm) on arbitrary bytes.
func FuzzReader(f *testing.F) {
	seedPDFs(f)
	key, chain := fuzzKey(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		n := 0
		for num := range r.Xref {
			if n++; n > 200 {
				break
			}
			o, err := r.Fetch(num)
			if err == nil {
				pdf.AppendObject(nil, o)
			}
		}
		cfg, err := newSignConfig(key, chain, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if plan, err := planSignature(r, cfg, 100); err == nil {
			if _, err := plan.u.Bytes(int64(len(data)), 0); err != nil {
				t.Fatal(err)
			}
		}
		doc.SigFields(r)
	})
}

// FuzzObject: the object parser and its serialiser round trip.
func FuzzObject(f *testing.F) {
	for _, s := range []string{"<</A[1 2.5 -3 (x\\)y) <41> /N#20ame true null 4 0 R]>>", "[[[[", "(((\\", "<</Length 5>>stream\r\nabcde\nendstream", "1 0 obj 2 endobj"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &pdf.Parser{B: data, Eof: true}
		o, err := p.ParseObject(0)
		if err != nil {
			return
		}
		// What we write, we read back the same.
		out := pdf.AppendObject(nil, o)
		p2 := &pdf.Parser{B: out, Eof: true}
		o2, err := p2.ParseObject(0)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", out, err)
		}
		if !bytes.Equal(pdf.AppendObject(nil, o2), out) {
			t.Fatalf("round trip: %q → %q", out, pdf.AppendObject(nil, o2))
		}
		pdf.ParseIndirect(data, 0, true, true)
	})
}

// FuzzVerify: the whole verifier on arbitrary files (signed seeds included).
func FuzzVerify(f *testing.F) {
	seedPDFs(f)
	key, chain := fuzzKey(f)
	roots := x509.NewCertPool()
	roots.AddCert(chain[0])
	dir := f.TempDir()
	in := pdftest.WriteSample(f, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	if _, err := Sign(context.Background(), in, out, key, chain, Options{}); err != nil {
		f.Fatal(err)
	}
	signed, _ := os.ReadFile(out)
	f.Add(signed)
	for _, h := range hostile.Files(signed) {
		if h.Name == "dss-repeat.pdf" { // the ones built on a signed file
			f.Add(h.Data)
		}
	}
	// The change analysis's hostile structures, small (second pass).
	for _, b := range hostile.Seeds(signed) {
		if len(b) == 0 {
			f.Fatal("a hostile seed failed to build")
		}
		f.Add(b)
	}
	work := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(work, "f.pdf")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		verify.File(context.Background(), fh, int64(len(data)), verify.Options{Roots: roots})
	})
}

// FuzzCMS: the CMS parser (BER and DER) on arbitrary bytes.
func FuzzCMS(f *testing.F) {
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0x00, 0x00})
	f.Add([]byte{0x24, 0x80, 0x04, 0x01, 0x41, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		if p, err := cms.Parse(data); err == nil {
			p.SignerCert()
			cms.CheckSignature(&p.SignerInfo, nil, p.SignerInfo.SignedBytes(), nil)
			cms.ESSCertHash(data, true)
			cms.ParseTSTInfo(p.EContent)
		}
		cms.BERToDER(data)
		cms.ParsePSSParams(data)
	})
}

// fuzzKey is a self-signed ECDSA key made in-process (fuzz workers should
// not run external tools).
func fuzzKey(f *testing.F) (*ecdsa.PrivateKey, []*x509.Certificate) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "fuzz"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		f.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		f.Fatal(err)
	}
	return key, []*x509.Certificate{cert}
}
