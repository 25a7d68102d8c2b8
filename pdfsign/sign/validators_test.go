package sign

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	pdfcpulib "github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"golang.org/x/crypto/cryptobyte"

	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// extractSignature returns, for the newest signature of path, the CMS (DER,
// without the zero padding) and the signed bytes.
func extractSignature(t testing.TB, path string) (cms, signed []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pdf.NewReader(f, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	fields, err := doc.SigFields(r)
	if err != nil || len(fields) == 0 {
		t.Fatalf("no signature: %v", err)
	}
	var best *pdf.Dict
	var bestEnd int64
	for _, sf := range fields {
		a, _ := sf.V.Get("ByteRange").(pdf.Array)
		if len(a) != 4 {
			continue
		}
		c, _ := pdf.ToInt(a[2])
		d, _ := pdf.ToInt(a[3])
		if c+d > bestEnd {
			best, bestEnd = sf.V, c+d
		}
	}
	a := best.Get("ByteRange").(pdf.Array)
	var br [4]int64
	for i := range br {
		br[i], _ = pdf.ToInt(a[i])
	}
	signed = append(append([]byte{}, data[br[0]:br[0]+br[1]]...), data[br[2]:br[2]+br[3]]...)
	contents := best.Get("Contents").(pdf.String).B
	s := cryptobyte.String(contents)
	var elem cryptobyte.String
	if !s.ReadASN1Element(&elem, 0x30) {
		t.Fatal("CMS unreadable")
	}
	return elem, signed
}

// checkOpenSSL verifies the newest signature with `openssl cms -verify`.
func checkOpenSSL(t testing.TB, path, caPEM string) {
	t.Helper()
	testtool.Need(t, "openssl")
	cms, signed := extractSignature(t, path)
	dir := t.TempDir()
	sig, content := filepath.Join(dir, "sig.p7s"), filepath.Join(dir, "content.bin")
	os.WriteFile(sig, cms, 0o600)
	os.WriteFile(content, signed, 0o600)
	out, err := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", content,
		"-CAfile", caPEM, "-purpose", "any", "-out", os.DevNull).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl cms -verify: %v\n%s", err, out)
	}
	// And a flipped signed byte makes it fail: the check has teeth.
	signed[len(signed)/2] ^= 1
	os.WriteFile(content, signed, 0o600)
	if err := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", content,
		"-CAfile", caPEM, "-purpose", "any", "-out", os.DevNull).Run(); err == nil {
		t.Fatal("openssl cms -verify accepts altered content")
	}
}

func TestValidatorsAcceptOurSignatures(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	for name, sign := range map[string]func(string) error{
		"rsa": func(out string) error {
			_, err := Sign(context.Background(), in, out, p.RSAKey, p.RSAChain(), Options{Reason: "Test"})
			return err
		},
		"ec": func(out string) error {
			_, err := Sign(context.Background(), in, out, p.ECKey, p.ECChain(), Options{Location: "Nantes"})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(dir, name+".pdf")
			if err := sign(out); err != nil {
				t.Fatal(err)
			}
			pdftest.AssertPdfsigValid(t, out, 1)
			pdftest.CheckMutool(t, out)
			pdftest.CheckQpdf(t, out)
			checkOpenSSL(t, out, p.CAPEM)
		})
	}
}

// pdfcpu needs revocation information to call a signature valid (and only
// then states its PAdES level), so this test signs with the certificate of
// internal/pkitest, whose CRL and OCSP responder run on 127.0.0.1.
func TestPdfcpuReportsPAdESBB(t *testing.T) {
	pk := pkitest.New(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	if _, err := Sign(context.Background(), in, out, pk.SignerKey, pk.Chain(), Options{Reason: "pdfcpu"}); err != nil {
		t.Fatal(err)
	}
	certDir := t.TempDir()
	caPEM, err := os.ReadFile(pk.CAPEM)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(certDir, "ca.pem"), caPEM, 0o600)
	conf := model.NewDefaultConfiguration()
	conf.AllowedRevocationHosts = []string{"127.0.0.1"} // pdfcpu refuses loopback revocation servers otherwise
	saved := model.TrustedCertDir
	model.TrustedCertDir = certDir
	defer func() { model.TrustedCertDir = saved; pdfcpulib.InvalidateCertificatePool() }()
	pdfcpulib.InvalidateCertificatePool()
	res, err := api.ValidateSignatures(out, true, conf)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	var b bytes.Buffer
	for _, s := range res[0].Details.Signers {
		b.WriteString(s.PAdES)
	}
	if res[0].Status != model.SignatureStatusValid || b.String() != "B-B" {
		t.Fatalf("pdfcpu: PAdES %q:\n%s", b.String(), res[0].String())
	}
	// Our own verifier agrees, and trusts the chain with the test root.
	rep, err := verify.Verify(context.Background(), out, verify.Options{Roots: pk.Pool()})
	if err != nil || !rep.OK || rep.Signatures[0].Level != "B-B" || rep.Signatures[0].Trust != verify.TrustTrusted {
		t.Fatalf("Verify: %v %+v", err, rep)
	}
}
