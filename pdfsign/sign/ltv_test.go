package sign

import (
	"context"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	pdfcpulib "github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
	"github.com/certigna-desktop/app/pdfsign/trust"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// ltvPdfsig runs pdfsig trusting the test PKI's root.
func ltvPdfsig(t *testing.T, p *pkitest.PKI, path string) string {
	t.Helper()
	testtool.Need(t, "pdfsig")
	out, err := exec.Command("pdfsig", "-nssdir", p.NSSDB(), path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	return string(out)
}

// ltvPdfcpu runs pdfcpu's validation trusting the test root and allowing
// its revocation servers on 127.0.0.1; it returns the first signature's result.
func ltvPdfcpu(t *testing.T, p *pkitest.PKI, path string) *model.SignatureValidationResult {
	t.Helper()
	certDir := t.TempDir()
	caPEM, err := os.ReadFile(p.CAPEM)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(certDir, "ca.pem"), caPEM, 0o600)
	conf := model.NewDefaultConfiguration()
	conf.AllowedRevocationHosts = []string{"127.0.0.1"}
	saved := model.TrustedCertDir
	model.TrustedCertDir = certDir
	defer func() { model.TrustedCertDir = saved; pdfcpulib.InvalidateCertificatePool() }()
	pdfcpulib.InvalidateCertificatePool()
	res, err := api.ValidateSignatures(path, true, conf)
	if err != nil {
		t.Fatalf("pdfcpu validation: %v", err)
	}
	if len(res) == 0 {
		t.Fatal("pdfcpu found no signature")
	}
	return res[0]
}

// ltvAssertPdfcpu checks pdfcpu calls the signature valid, PAdES B-B (the
// highest level pdfcpu v0.15 concludes: "timestamp and DSS evidence do not
// promote it"), with an authenticated timestamp.
func ltvAssertPdfcpu(t *testing.T, r *model.SignatureValidationResult) {
	t.Helper()
	if r.Status != model.SignatureStatusValid || len(r.Details.Signers) != 1 {
		t.Fatalf("pdfcpu: not valid:\n%s", r.String())
	}
	s := r.Details.Signers[0]
	if s.PAdES != "B-B" || !s.HasTimestamp || s.Timestamp.IsZero() {
		t.Fatalf("pdfcpu: PAdES %q, timestamp %v %v:\n%s", s.PAdES, s.HasTimestamp, s.Timestamp, r.String())
	}
}

func ltvSign(t *testing.T, p *pkitest.PKI, opts Options) (string, *Result, error) {
	t.Helper()
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	res, err := Sign(context.Background(), in, out, p.SignerKey, p.Chain(), opts)
	return out, res, err
}

// B-T: the token from openssl's TSA is in the CMS; pdfsig still finds the
// signature valid; pdfcpu sees the timestamp and reports PAdES B-B (the
// highest level it concludes, see docs/ltv.md).
func TestSignBT(t *testing.T) {
	p := pkitest.New(t)
	out, res, err := ltvSign(t, p, Options{TSA: &pdfsign.TSAConfig{URL: p.TSAURL(), Roots: p.Pool()}, Reason: "Test B-T"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Level != "B-T" || res.Warning != nil {
		t.Fatalf("level %q warning %v, want B-T", res.Level, res.Warning)
	}
	sigs := ltvReadSigs(t, out)
	if len(sigs) != 1 || len(sigs[0].Timestamps) != 1 {
		t.Fatalf("want one signature with one timestamp token, got %+v", sigs)
	}
	if _, err := pki.VerifyTimestampToken(sigs[0].Timestamps[0], sigs[0].CMS.SignerInfo.Signature, p.Pool(), time.Time{}); err != nil {
		t.Errorf("embedded token does not verify over the signature value: %v", err)
	}
	// pdfsig (poppler 22.12) does not parse signature timestamp tokens: it
	// shows /M as "Signing Time" and must still find the signature valid with
	// the unsigned attribute in it.
	ps := ltvPdfsig(t, p, out)
	if !strings.Contains(ps, "Signature is Valid") || !strings.Contains(ps, "Total document signed") ||
		!strings.Contains(ps, "Signing Time:") {
		t.Errorf("pdfsig:\n%s", ps)
	}
	// openssl, independently: the embedded token is a valid RFC 3161 token
	// over the signature value, signed by the TSA chaining to the test root.
	dir := t.TempDir()
	tok, data := filepath.Join(dir, "token.der"), filepath.Join(dir, "sigvalue.bin")
	os.WriteFile(tok, sigs[0].Timestamps[0], 0o600)
	os.WriteFile(data, sigs[0].CMS.SignerInfo.Signature, 0o600)
	if o, err := exec.Command("openssl", "ts", "-verify", "-token_in", "-in", tok, "-data", data, "-CAfile", p.CAPEM).CombinedOutput(); err != nil ||
		!strings.Contains(string(o), "Verification: OK") {
		t.Errorf("openssl ts -verify: %v\n%s", err, o)
	}
	ltvAssertPdfcpu(t, ltvPdfcpu(t, p, out))
}

// B-LT: a DSS revision after the signature with the chains, OCSP responses,
// the CRL and a VRI entry keyed by the SHA-1 of /Contents.
func TestSignBLT(t *testing.T) {
	p := pkitest.New(t)
	out, res, err := ltvSign(t, p, Options{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}, LTV: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Level != "B-LT" {
		t.Fatalf("level %q (warning %v), want B-LT", res.Level, res.Warning)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	r, err := pdf.NewReader(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	root, _ := r.ResolveDict(r.Trailer.Get("Root"))
	dss, _ := r.ResolveDict(root.Get("DSS"))
	if dss == nil {
		t.Fatal("no /DSS in the catalog")
	}
	count := func(key string) int {
		o, _ := r.Resolve(dss.Get(key))
		a, _ := o.(pdf.Array)
		return len(a)
	}
	if count("Certs") != 4 || count("OCSPs") != 2 || count("CRLs") != 1 {
		t.Errorf("DSS has %d certs, %d OCSPs, %d CRLs; want 4, 2, 1", count("Certs"), count("OCSPs"), count("CRLs"))
	}
	sigs, err := pki.FindSignatures(r)
	if err != nil || len(sigs) != 1 {
		t.Fatalf("signatures: %v %v", sigs, err)
	}
	vri, _ := r.ResolveDict(dss.Get("VRI"))
	if vri == nil || !vri.Has(pki.VRIKey(sigs[0].Contents)) {
		t.Errorf("VRI lacks the entry %s", pki.VRIKey(sigs[0].Contents))
	}
	// The signature still verifies and covers its revision; the DSS revision follows.
	ps := ltvPdfsig(t, p, out)
	if !strings.Contains(ps, "Signature is Valid") {
		t.Errorf("pdfsig:\n%s", ps)
	}
	// pdfcpu v0.15 reads the DSS but refuses any /VRI as "unsupported"
	// (sign/sign.go processDSS); the same DSS without VRI passes it, see
	// TestSignBLTNoVRI. Anything else it objects to would be our fault.
	pr := ltvPdfcpu(t, p, out)
	var probs []string
	for _, s := range pr.Details.Signers {
		probs = append(probs, s.Problems...)
	}
	all := strings.Join(append(probs, pr.Problems...), "\n")
	if !strings.Contains(all, "DSS dict entry VRI: unsupported") || strings.Count(all, "DSS dict entry") != 1 {
		t.Errorf("pdfcpu on B-LT with VRI:\n%s", pr.String())
	}
	if q, err := exec.LookPath("qpdf"); err == nil {
		if b, err := exec.Command(q, "--check", out).CombinedOutput(); err != nil {
			t.Errorf("qpdf --check: %v\n%s", err, b)
		}
	}
}

// TSA down, TSA answering garbage, OCSP and CRL down, after the key signed:
// a typed error in a *PendingError and the signed file kept at the level
// reached; with AllowLower the same file and a warning, no error.
func TestSignLTVFailuresKeepSignature(t *testing.T) {
	p := pkitest.New(t)
	cases := []struct {
		name  string
		setup func()
		opts  Options
		kind  pdfsign.LTVKind
	}{
		{"tsa down", func() {}, Options{TSA: &pdfsign.TSAConfig{URL: pkitest.DeadURL(t)}}, pdfsign.LTVTSAUnreachable},
		{"tsa garbage", func() { p.SetTSA(pkitest.Garbage) }, Options{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}}, pdfsign.LTVTSAGarbage},
		{"ocsp and crl down", func() { p.SetTSA(pkitest.Normal); p.SetOCSP(pkitest.Down); p.SetCRL(pkitest.Down) },
			Options{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}, LTV: true}, pdfsign.LTVRevOffline},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.setup()
			// The key has signed: the signature is kept at the level
			// reached, the error says which step failed (finish_test.go
			// completes such files).
			out, res, err := ltvSign(t, p, c.opts)
			pdftest.WantLTVKind(t, err, c.kind)
			var pe *PendingError
			if !errors.As(err, &pe) || res == nil || pe.Output != out {
				t.Errorf("want the kept file in a *PendingError, got %v, %+v", err, res)
			}
			pdftest.AssertDir(t, filepath.Dir(out), "in.pdf", "out.pdf")
			// The user's choice: save what could be made.
			lower := c.opts
			lower.AllowLower = true
			out, res, err = ltvSign(t, p, lower)
			if err != nil {
				t.Fatalf("with AllowLower: %v", err)
			}
			pdftest.WantLTVKind(t, res.Warning, c.kind)
			want := "B-B"
			if c.kind == pdfsign.LTVRevOffline {
				want = "B-T"
			}
			if res.Level != want {
				t.Errorf("level %q, want %q", res.Level, want)
			}
			if ps := ltvPdfsig(t, p, out); !strings.Contains(ps, "Signature is Valid") {
				t.Errorf("pdfsig on the lower-level file:\n%s", ps)
			}
		})
	}
}

func ltvReadSigs(t *testing.T, path string) []*pki.SigInfo {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	r, err := pdf.NewReader(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := pki.FindSignatures(r)
	if err != nil {
		t.Fatal(err)
	}
	return sigs
}

// The same DSS without VRI: pdfcpu reads it without objection and calls the
// signature valid, PAdES B-B with its timestamp. (pdfcpu v0.15 never
// concludes from archived OCSP responses alone — "archived response
// applicability unavailable" — so its revocation servers stay up here.)
func TestSignBLTNoVRI(t *testing.T) {
	p := pkitest.New(t)
	out, _, err := ltvSign(t, p, Options{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(out, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := addLTV(t.Context(), f, ltvOptions{NoVRI: true}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	pr := ltvPdfcpu(t, p, out)
	ltvAssertPdfcpu(t, pr)
	for _, s := range pr.Details.Signers {
		for _, pb := range s.Problems {
			if strings.Contains(pb, "DSS") {
				t.Errorf("pdfcpu objects to the DSS: %s", pb)
			}
		}
	}
}

// Our Verify: B-T and B-LT levels, the timestamp, revocation decided from
// the embedded data only (servers down), trust and why not.
func TestVerifyLevels(t *testing.T) {
	p := pkitest.New(t)
	bt, _, err := ltvSign(t, p, Options{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}})
	if err != nil {
		t.Fatal(err)
	}
	blt, _, err := ltvSign(t, p, Options{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}, LTV: true})
	if err != nil {
		t.Fatal(err)
	}
	bb, _, err := ltvSign(t, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p.SetOCSP(pkitest.Down)
	p.SetCRL(pkitest.Down)
	before := p.Requests("ocsp") + p.Requests("crl")
	check := func(path, level, revocation string, vri bool) *verify.SignatureReport {
		t.Helper()
		rep, err := verify.Verify(context.Background(), path, verify.Options{Roots: p.Pool()})
		if err != nil || !rep.OK || len(rep.Signatures) != 1 {
			t.Fatalf("Verify %s: %v %+v", path, err, rep)
		}
		s := &rep.Signatures[0]
		if s.Level != level || s.LTV == nil || s.LTV.Revocation != revocation || s.LTV.VRI != vri {
			t.Fatalf("%s: level %q ltv %+v, want %s %s vri=%v", filepath.Base(path), s.Level, s.LTV, level, revocation, vri)
		}
		if s.Trust != verify.TrustTrusted || s.LTV.TrustReason != trust.ReasonOK {
			t.Errorf("trust %s (%s)", s.Trust, s.LTV.TrustReason)
		}
		return s
	}
	s := check(bt, "B-T", "unknown", false)
	if !s.LTV.TimestampOK || s.LTV.TimestampTSA != "Test TSA" || time.Since(s.LTV.Timestamp) > time.Minute {
		t.Errorf("timestamp: %+v", s.LTV)
	}
	check(blt, "B-LT", "good", true)
	check(bb, "B-B", "unknown", false)
	if p.Requests("ocsp")+p.Requests("crl") != before {
		t.Error("Verify contacted a revocation server")
	}
	// Another PKI's root: untrusted, unknown issuer.
	other := pkitest.New(t)
	rep, err := verify.Verify(context.Background(), blt, verify.Options{Roots: other.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Signatures[0]; s.Trust != verify.TrustUntrusted || s.LTV.TrustReason != trust.ReasonUnknownIssuer || !rep.OK {
		t.Errorf("foreign root: trust %s reason %s ok %v", s.Trust, s.LTV.TrustReason, rep.OK)
	}
	msg := trust.Verdict{Reason: trust.ReasonUnknownIssuer}.Message("fr")
	if !strings.Contains(msg, "émetteur inconnu") {
		t.Errorf("French reason: %q", msg)
	}
}

// A DSS whose CRL lists the signer (revoked after a B-B signature, which has
// no timestamp to date it): verify says revoked and untrusted.
func TestVerifyRevokedFromEmbeddedCRL(t *testing.T) {
	p := pkitest.New(t)
	out, _, err := ltvSign(t, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p.RevokeSigner()
	crl, err := pki.FetchCRL(t.Context(), p.URL+"/ca.crl", pki.RevocationOptions{Timeout: 5 * time.Second, Client: p.Server.Client()})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(out, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	data := &pki.RevocationData{Certs: p.Chain(), CRLs: [][]byte{crl}}
	if _, err := pdf.AppendIncrement(f, func(r *pdf.Reader, u *pdf.Increment) error {
		return dssBuild(r, u, nil, data, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	rep, err := verify.Verify(context.Background(), out, verify.Options{Roots: p.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Signatures[0]
	if s.LTV.Revocation != "revoked" || s.Trust != verify.TrustUntrusted || s.LTV.TrustReason != trust.ReasonRevoked {
		t.Errorf("revoked signer: %+v trust %s", s.LTV, s.Trust)
	}
	if !rep.OK || !s.Valid {
		t.Errorf("a revoked certificate must not make the signature itself invalid (trust does not decide the exit code)")
	}
}

// A B-LT file signed again with B-LT: the second DSS revision keeps the
// first one's data (no certificate stored twice), adds a VRI entry, and both
// signatures verify as B-LT.
func TestSignBLTTwice(t *testing.T) {
	p := pkitest.New(t)
	first, _, err := ltvSign(t, p, Options{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}, LTV: true})
	if err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(t.TempDir(), "twice.pdf")
	if _, err := Sign(context.Background(), first, second, p.SignerKey, p.Chain(), Options{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}, LTV: true}); err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Verify(context.Background(), second, verify.Options{Roots: p.Pool()})
	if err != nil || !rep.OK || len(rep.Signatures) != 2 {
		t.Fatalf("%v %+v", err, rep)
	}
	for _, s := range rep.Signatures {
		if s.Level != "B-LT" || !s.LTV.VRI {
			t.Errorf("%s: level %s vri %v", s.Field, s.Level, s.LTV.VRI)
		}
	}
	f, _ := os.Open(second)
	defer f.Close()
	st, _ := f.Stat()
	r, err := pdf.NewReader(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	root, _ := r.ResolveDict(r.Trailer.Get("Root"))
	dss, _ := r.ResolveDict(root.Get("DSS"))
	certs, _ := r.Resolve(dss.Get("Certs"))
	vri, _ := r.ResolveDict(dss.Get("VRI"))
	if a, _ := certs.(pdf.Array); len(a) != 4 || vri.Len() != 2 {
		t.Errorf("DSS: %d certificates (want 4), %d VRI entries (want 2)", len(a), vri.Len())
	}
	if ps := ltvPdfsig(t, p, second); strings.Count(ps, "Signature is Valid") != 2 {
		t.Errorf("pdfsig:\n%s", ps)
	}
}

// A B-T file saved while offline (--allow-bb) is extended to B-LT later;
// while still offline, extendLTV fails and writes nothing.
func TestExtendLTVLater(t *testing.T) {
	p := pkitest.New(t)
	p.SetOCSP(pkitest.Down)
	p.SetCRL(pkitest.Down)
	bt, res, err := ltvSign(t, p, Options{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}, LTV: true, AllowLower: true})
	if err != nil || res.Level != "B-T" {
		t.Fatalf("%v %+v", err, res)
	}
	out := filepath.Join(filepath.Dir(bt), "blt.pdf")
	_, err = extendLTV(t.Context(), bt, out, false, ltvOptions{})
	pdftest.WantLTVKind(t, err, pdfsign.LTVRevOffline)
	if _, serr := os.Stat(out); !os.IsNotExist(serr) {
		t.Fatal("output left behind")
	}
	p.SetOCSP(pkitest.Normal)
	p.SetCRL(pkitest.Normal)
	if _, err := extendLTV(t.Context(), bt, out, false, ltvOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := extendLTV(t.Context(), bt, bt, true, ltvOptions{}); err == nil {
		t.Error("extendLTV wrote over its input")
	}
	rep, err := verify.Verify(context.Background(), out, verify.Options{Roots: p.Pool()})
	if err != nil || !rep.OK || rep.Signatures[0].Level != "B-LT" {
		t.Fatalf("%v %+v", err, rep)
	}
	ents, _ := os.ReadDir(filepath.Dir(out))
	if len(ents) != 3 { // in.pdf, out.pdf (B-T), blt.pdf
		t.Errorf("files: %v", ents)
	}
}

// Root → issuing CA → holder, with only the holder's certificate in the
// CMS: the issuing CA and the root are downloaded from the AIA caIssuers
// URLs, the issuing CA's status comes from the root's CRL, and the DSS holds
// all of it; Verify says B-LT and trusted with only the root as anchor.
func TestSignBLTWithIntermediate(t *testing.T) {
	p := pkitest.New(t, pkitest.WithIntermediate())
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	res, err := Sign(context.Background(), in, out, p.SignerKey, []*x509.Certificate{p.Signer}, Options{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}, LTV: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Level != "B-LT" {
		t.Fatalf("level %s", res.Level)
	}
	p.SetOCSP(pkitest.Down)
	p.SetCRL(pkitest.Down)
	rep, err := verify.Verify(context.Background(), out, verify.Options{Roots: p.Pool()})
	if err != nil || !rep.OK {
		t.Fatalf("%v %+v", err, rep)
	}
	s := rep.Signatures[0]
	if s.Level != "B-LT" || s.LTV.Revocation != "good" || s.Trust != verify.TrustTrusted {
		t.Fatalf("level %s ltv %+v trust %s (%s)", s.Level, s.LTV, s.Trust, s.TrustError)
	}
	sigs := ltvReadSigs(t, out)
	f, _ := os.Open(out)
	defer f.Close()
	st, _ := f.Stat()
	r, _ := pdf.NewReader(f, st.Size())
	certs, ocsps, crls, vri := verify.ReadDSS(r, pki.VRIKey(sigs[0].Contents))
	// VRI lists come first, then the global arrays: count the global ones.
	if !vri || len(certs) != 10 || len(ocsps) != 4 || len(crls) != 4 {
		t.Errorf("DSS (VRI + global): %d certs, %d OCSP, %d CRLs; want 5+5, 2+2, 2+2", len(certs), len(ocsps), len(crls))
	}
	if ps := ltvPdfsig(t, p, out); !strings.Contains(ps, "Signature is Valid") {
		t.Errorf("pdfsig:\n%s", ps)
	}
}

// Issuers missing from everything at hand come from the AIA caIssuers URLs.
func TestBuildChainFromCAIssuers(t *testing.T) {
	p := pkitest.New(t, pkitest.WithIntermediate())
	chain, err := pki.BuildChain(t.Context(), p.Signer, nil, p.Server.Client())
	if err != nil || len(chain) != 3 || !chain[1].Equal(p.Intermediate) || !chain[2].Equal(p.CA) {
		t.Fatalf("%v %d", err, len(chain))
	}
	if p.Requests("crt") != 2 {
		t.Errorf("%d caIssuers downloads, want 2", p.Requests("crt"))
	}
	p.SetCRL(pkitest.Down) // also takes the certificate URLs down
	_, err = pki.BuildChain(t.Context(), p.Signer, nil, p.Server.Client())
	pdftest.WantLTVKind(t, err, pdfsign.LTVRevOffline)
}
