package sign

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

func TestOutputSafety(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	orig, _ := os.ReadFile(in)
	sign := func(out string, opts Options) error {
		_, err := Sign(context.Background(), in, out, p.ECKey, p.ECChain(), opts)
		return err
	}
	// The input itself, by the same path, a relative path, a hard link and
	// a symbolic link: refused even with Force.
	os.Link(in, filepath.Join(dir, "hard.pdf"))
	os.Symlink(in, filepath.Join(dir, "soft.pdf"))
	wd, _ := os.Getwd()
	rel, _ := filepath.Rel(wd, in)
	for _, out := range []string{in, rel, filepath.Join(dir, "hard.pdf"), filepath.Join(dir, "soft.pdf"), filepath.Join(dir, ".", "in.pdf")} {
		if err := sign(out, Options{Force: true}); pdftest.ErrKind(err) != pdfsign.KindSameFile {
			t.Fatalf("output %s: %v", out, err)
		}
	}
	if b, _ := os.ReadFile(in); string(b) != string(orig) {
		t.Fatal("input changed")
	}
	// An existing output is kept unless Force.
	existing := filepath.Join(dir, "existing.pdf")
	os.WriteFile(existing, []byte("keep"), 0o644)
	if err := sign(existing, Options{}); pdftest.ErrKind(err) != pdfsign.KindOutputExists {
		t.Fatalf("existing: %v", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep" {
		t.Fatal("existing output changed")
	}
	if err := sign(existing, Options{Force: true}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(existing); !strings.HasPrefix(string(b), string(orig)) {
		t.Fatal("forced output does not start with the input's bytes")
	}
	// A directory as output.
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	if err := sign(filepath.Join(dir, "sub"), Options{Force: true}); pdftest.ErrKind(err) != pdfsign.KindOutputExists {
		t.Fatalf("directory output: %v", err)
	}
	// A missing output directory.
	if err := sign(filepath.Join(dir, "nope", "out.pdf"), Options{}); pdftest.ErrKind(err) != pdfsign.KindIO {
		t.Fatalf("missing dir: %v", err)
	}
	pdftest.AssertDir(t, dir, "existing.pdf", "hard.pdf", "in.pdf", "soft.pdf", "sub")
}

func TestRefusedInputsLeaveNothing(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	src := pdftest.WriteSample(t, filepath.Dir(dir), "src-"+filepath.Base(dir)+".pdf")
	good, _ := os.ReadFile(src)
	os.Remove(src)
	// Not a PDF, damaged, encrypted, certified: testdata/vectors (TestVectors).
	var names []string
	if _, err := Sign(context.Background(), filepath.Join(dir, "missing.pdf"), "", p.ECKey, p.ECChain(), Options{}); pdftest.ErrKind(err) != pdfsign.KindInputNotFound {
		t.Errorf("missing: %v", err)
	}
	in := filepath.Join(dir, "ok.pdf")
	os.WriteFile(in, good, 0o644)
	names = append(names, "ok.pdf")
	if _, err := Sign(context.Background(), in, "", p.ECKey, p.ECChain(), Options{Page: 2}); pdftest.ErrKind(err) != pdfsign.KindPageRange {
		t.Errorf("page 2: %v", err)
	}
	if _, err := Sign(context.Background(), in, "", p.ECKey, p.ECChain(), Options{Hash: crypto.SHA1}); pdftest.ErrKind(err) != pdfsign.KindHash {
		t.Errorf("SHA-1: %v", err)
	}
	// A certificate that is not the key's.
	if _, err := Sign(context.Background(), in, "", p.ECKey, p.RSAChain(), Options{}); pdftest.ErrKind(err) != pdfsign.KindCertificate {
		t.Errorf("wrong cert: %v", err)
	}
	// A real opening password: refused (an empty one is signed: encrypt_test.go).
	testtool.Need(t, "qpdf")
	enc := filepath.Join(dir, "enc.pdf")
	if b, err := exec.Command("qpdf", "--encrypt", "user", "owner", "256", "--", in, enc).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v %s", err, b)
	}
	names = append(names, "enc.pdf")
	if _, err := Sign(context.Background(), enc, "", p.ECKey, p.ECChain(), Options{}); pdftest.ErrKind(err) != pdfsign.KindEncrypted {
		t.Errorf("encrypted: %v", err)
	}
	// A signer that fails (a token pulled out mid-signature: no real
	// implementation fails on demand, so this is a test double).
	if _, err := Sign(context.Background(), in, "", failingSigner{p.ECKey}, p.ECChain(), Options{}); pdftest.ErrKind(err) != pdfsign.KindSigner {
		t.Errorf("failing signer: %v", err)
	}
	// A signer returning a wrong signature (key/cert mismatch inside a token).
	if _, err := Sign(context.Background(), in, "", lyingSigner{p.ECKey}, p.ECChain(), Options{}); pdftest.ErrKind(err) != pdfsign.KindCertificate {
		t.Errorf("lying signer: %v", err)
	}
	sortStrings(names)
	pdftest.AssertDir(t, dir, names...)
}

type failingSigner struct{ crypto.Signer }

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("CKR_DEVICE_REMOVED")
}

type lyingSigner struct{ crypto.Signer }

func (s lyingSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	return s.Signer.Sign(r, make([]byte, len(d)), o)
}

func sortStrings(a []string) {
	for i := range a {
		for j := i + 1; j < len(a); j++ {
			if a[j] < a[i] {
				a[i], a[j] = a[j], a[i]
			}
		}
	}
}

func TestHashesAndTokenStyleSigner(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		out := filepath.Join(dir, h.String()+".pdf")
		// A signer that carries its certificate and chain, like token.Signer.
		if _, err := Sign(context.Background(), in, out, certSigner{p.RSAKey, p.RSACert, []*x509.Certificate{p.CA}}, nil, Options{Hash: h}); err != nil {
			t.Fatal(err)
		}
		rep, err := verify.Verify(context.Background(), out, verify.Options{Roots: p.Roots()})
		if err != nil || !rep.OK || rep.Signatures[0].Hash != pki.HashName(h) || rep.Signatures[0].Trust != verify.TrustTrusted {
			t.Fatalf("%v: %v %+v", h, err, rep)
		}
		out2 := pdftest.PdfsigOut(t, out)
		if !strings.Contains(out2, "Signature is Valid") || !strings.Contains(out2, "Certificate is Trusted") {
			t.Fatalf("pdfsig %v:\n%s", h, out2)
		}
	}
}

type certSigner struct {
	crypto.Signer
	cert  *x509.Certificate
	chain []*x509.Certificate
}

func (c certSigner) Certificate() *x509.Certificate { return c.cert }
func (c certSigner) Chain() []*x509.Certificate     { return c.chain }

func TestErrorMessagesTranslated(t *testing.T) {
	for _, k := range []pdfsign.Kind{pdfsign.KindNotPDF, pdfsign.KindDamaged, pdfsign.KindEncrypted, pdfsign.KindUnsupported, pdfsign.KindOutputExists, pdfsign.KindSameFile, pdfsign.KindPageRange,
		pdfsign.KindNoSignature, pdfsign.KindSigner, pdfsign.KindCertificate, pdfsign.KindHash, pdfsign.KindIO, pdfsign.KindInternal, pdfsign.KindInputNotFound} {
		e := &pdfsign.Error{Kind: k, Path: "/tmp/x.pdf", Err: errors.New("detail")}
		fr, en := e.Message("fr"), e.Message("en")
		if fr == en || strings.Contains(fr, "pdf.err") || strings.Contains(en, "pdf.err") || fr == "" {
			t.Errorf("%s: fr %q en %q", k, fr, en)
		}
	}
}

// A context that ended (the window's cancel button, Ctrl-C) stops Sign before
// the token signs: a typed error, nothing written. With a TSA, the request
// itself is cut off by the context.
func TestSignCanceled(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Sign(ctx, in, "", p.ECKey, p.ECChain(), Options{})
	if pdftest.ErrKind(err) != pdfsign.KindCanceled {
		t.Fatalf("got %v, want %s", err, pdfsign.KindCanceled)
	}
	if msg := err.(*pdfsign.Error).Message("fr"); !strings.Contains(msg, "annulée") {
		t.Errorf("message: %q", msg)
	}
	pdftest.AssertDir(t, dir, "in.pdf")
	if _, err := verify.Verify(ctx, in, verify.Options{}); pdftest.ErrKind(err) != pdfsign.KindNoSignature {
		t.Fatalf("verify of an unsigned file with an ended context: %v", err) // no signature to stop between
	}
}

// The caller's context reaches the TSA: a TSA that never answers is given up
// when the context's deadline passes, long before the TSA's own timeout. A
// deadline is the server's failure, not a cancel: the signature is kept as
// B-B (finish_test.go).
func TestSignContextReachesTSA(t *testing.T) {
	pk := pkitest.New(t)
	pk.SetTSA(pkitest.Stall)
	keys := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	tsa := &pdfsign.TSAConfig{URL: pk.TSAURL(), Timeout: time.Hour}
	_, err := Sign(ctx, in, "", keys.ECKey, keys.ECChain(), Options{TSA: tsa})
	var le *pdfsign.LTVError
	var pe *PendingError
	if !errors.As(err, &le) || le.Kind != pdfsign.LTVTSAUnreachable || pk.Requests("tsa") != 1 || !errors.As(err, &pe) {
		t.Fatalf("got %v after %d TSA requests, want %s", err, pk.Requests("tsa"), pdfsign.LTVTSAUnreachable)
	}
	pdftest.AssertDir(t, dir, "in-signed.pdf", "in.pdf")
}
