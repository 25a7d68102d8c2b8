package pki_test

import (
	"context"
	"crypto/sha256"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
)

// A real openssl TSA answers; the token is verified (imprint, nonce, TSA
// signature, EKU, chain to the test root) and carries the TSA certificate.
func TestRequestTimestampFromOpenSSLTSA(t *testing.T) {
	p := pkitest.New(t)
	sig := []byte("the signature value")
	before := time.Now().Add(-2 * time.Second)
	ts, err := pki.RequestTimestamp(context.Background(), &pdfsign.TSAConfig{URL: p.TSAURL(), Roots: p.Pool()}, sig)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(sig)
	if string(ts.Imprint) != string(sum[:]) {
		t.Error("imprint is not SHA-256 of the signature value")
	}
	if ts.GenTime.Before(before) || ts.GenTime.After(time.Now().Add(2*time.Second)) {
		t.Errorf("genTime %v not now", ts.GenTime)
	}
	if ts.Signer == nil || !ts.Signer.Equal(p.TSA) {
		t.Errorf("token signer is not the TSA certificate")
	}
	// The same token checked again, against other data: refused as a mismatch,
	// its detail in the person's words (English the same text as Detail).
	_, err = pki.VerifyTimestampToken(ts.Token, []byte("another signature"), nil, time.Time{})
	le := pdftest.WantLTVKind(t, err, pdfsign.LTVTSAMismatch)
	if fr := le.Message("fr"); !strings.Contains(fr, assets.T("fr", le.DetailKey, le.DetailArgs)) || strings.Contains(fr, le.Detail) {
		t.Errorf("mismatch in French: %q (detail %q)", fr, le.Detail)
	}
	if !strings.Contains(le.Message("en"), le.Detail) || le.Detail != assets.T("en", le.DetailKey, le.DetailArgs) {
		t.Errorf("mismatch in English: %q (detail %q)", le.Message("en"), le.Detail)
	}
	// A flipped bit in the TSA's signature (last bytes of the token): refused.
	bad := append([]byte(nil), ts.Token...)
	bad[len(bad)-3] ^= 0x01
	_, err = pki.VerifyTimestampToken(bad, sig, nil, time.Time{})
	pdftest.WantLTVKind(t, err, pdfsign.LTVTSAInvalid)
	// A root that is not the TSA's: the chain is refused.
	other := pkitest.New(t)
	_, err = pki.VerifyTimestampToken(ts.Token, sig, other.Pool(), time.Time{})
	pdftest.WantLTVKind(t, err, pdfsign.LTVTSAInvalid)
}

// HTTP basic credentials come from CERTIGNA_TSA_USER / CERTIGNA_TSA_PASSWORD.
func TestTimestampCredentialsFromEnvironment(t *testing.T) {
	p := pkitest.New(t)
	p.TSAUser, p.TSAPassword = "alice", "s3cret é"
	t.Setenv(pdfsign.EnvTSAUser, "")
	t.Setenv(pdfsign.EnvTSAPassword, "")
	_, err := pki.RequestTimestamp(context.Background(), pdfsign.TSAConfigFromEnv(p.TSAURL()), []byte("x"))
	pdftest.WantLTVKind(t, err, pdfsign.LTVTSAAuth)
	t.Setenv(pdfsign.EnvTSAUser, "alice")
	t.Setenv(pdfsign.EnvTSAPassword, "s3cret é")
	if _, err := pki.RequestTimestamp(context.Background(), pdfsign.TSAConfigFromEnv(p.TSAURL()), []byte("x")); err != nil {
		t.Fatalf("with credentials: %v", err)
	}
}

// TSA down, dropping connections, answering garbage, refusing: typed errors.
func TestTimestampFailures(t *testing.T) {
	p := pkitest.New(t)
	ctx := context.Background()
	_, err := pki.RequestTimestamp(ctx, &pdfsign.TSAConfig{URL: pkitest.DeadURL(t)}, []byte("x"))
	pdftest.WantLTVKind(t, err, pdfsign.LTVTSAUnreachable)

	p.SetTSA(pkitest.Down)
	_, err = pki.RequestTimestamp(ctx, &pdfsign.TSAConfig{URL: p.TSAURL()}, []byte("x"))
	pdftest.WantLTVKind(t, err, pdfsign.LTVTSAUnreachable)

	p.SetTSA(pkitest.Garbage)
	_, err = pki.RequestTimestamp(ctx, &pdfsign.TSAConfig{URL: p.TSAURL()}, []byte("x"))
	pdftest.WantLTVKind(t, err, pdfsign.LTVTSAGarbage)

	p.SetTSA(pkitest.Refuse)
	_, err = pki.RequestTimestamp(ctx, &pdfsign.TSAConfig{URL: p.TSAURL()}, []byte("x"))
	le := pdftest.WantLTVKind(t, err, pdfsign.LTVTSARefused)
	if !strings.Contains(le.Detail, "rejection") {
		t.Errorf("refusal detail %q does not say rejection", le.Detail)
	}

	_, err = pki.RequestTimestamp(ctx, &pdfsign.TSAConfig{URL: "ftp://example"}, []byte("x"))
	pdftest.WantLTVKind(t, err, pdfsign.LTVTSAConfig)

	// A password in the URL never reaches the messages.
	dead := strings.Replace(pkitest.DeadURL(t), "http://", "http://user:hunter2@", 1)
	_, err = pki.RequestTimestamp(ctx, &pdfsign.TSAConfig{URL: dead}, []byte("x"))
	le = pdftest.WantLTVKind(t, err, pdfsign.LTVTSAUnreachable)
	if strings.Contains(le.Error()+le.Message("fr")+le.Message("en"), "hunter2") {
		t.Errorf("password shown: %v", le)
	}
}

// The unsigned attribute is a SEQUENCE { id-aa-signatureTimeStampToken, SET { token } }.
func TestAppendSignatureTimestamp(t *testing.T) {
	got := pki.AppendSignatureTimestamp(nil, []byte{0x30, 0x00})
	want := []byte{0x30, 0x11, 0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x0e, 0x31, 0x02, 0x30, 0x00}
	if string(got) != string(want) {
		t.Errorf("got % x\nwant % x", got, want)
	}
}

// The time-stamp reply and token parsers take any bytes without panicking.
func FuzzTimestampParsers(f *testing.F) {
	f.Add([]byte{0x30, 0x09, 0x30, 0x07, 0x02, 0x01, 0x02, 0x03, 0x02, 0x07, 0x80})
	f.Add([]byte("<html>not a reply</html>"))
	f.Add([]byte{0x30, 0x80, 0x30, 0x03, 0x02, 0x01, 0x00, 0x00, 0x00})
	f.Add(pki.AppendSignatureTimestamp(nil, []byte{0x30, 0x00}))
	// A real token from openssl's TSA over "x" (made with internal/pkitest).
	if tok, err := os.ReadFile("testdata/ltv/token-openssl.der"); err == nil {
		f.Add(tok)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if tok, err := pki.ParseTimeStampResp(b); err == nil {
			pki.VerifyTimestampToken(tok, []byte("x"), nil, time.Time{})
		}
		pki.VerifyTimestampToken(b, []byte("x"), nil, time.Time{})
		cms.ParseTSTInfo(b)
		cms.Parse(b)
	})
}

// A token recorded from openssl's TSA verifies offline over its data and
// not over other data.
func TestRecordedOpenSSLToken(t *testing.T) {
	tok, err := os.ReadFile("testdata/ltv/token-openssl.der")
	if err != nil {
		t.Fatal(err)
	}
	ts, err := pki.VerifyTimestampToken(tok, []byte("x"), nil, time.Time{})
	if err != nil || ts.Signer.Subject.CommonName != "Test TSA" || len(ts.Certs) != 2 {
		t.Fatalf("%v %+v", err, ts)
	}
	_, err = pki.VerifyTimestampToken(tok, []byte("y"), nil, time.Time{})
	pdftest.WantLTVKind(t, err, pdfsign.LTVTSAMismatch)
}
