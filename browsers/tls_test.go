//go:build linux

package browsers

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/token"
)

// spyModule is OpenSC's pkcs11-spy (Debian opensc-pkcs11), which logs every
// PKCS#11 call; "" when not installed.
func spyModule() string {
	m, _ := filepath.Glob("/usr/lib/*/pkcs11-spy.so")
	if len(m) == 0 {
		m, _ = filepath.Glob("/usr/lib/pkcs11-spy.so")
	}
	if len(m) == 0 {
		return ""
	}
	return m[0]
}

func countCalls(t *testing.T, log, call string) int {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		// pkcs11-spy: "0: C_Login" with a call number and a timestamp.
		if f := strings.Fields(l); len(f) >= 2 && f[1] == call {
			n++
		}
	}
	return n
}

// TestTLSClientAuthWithToken: a real handshake with the SoftHSM2 token's key
// through pkcs11-spy, which counts the logins: exactly one; a server that
// does not accept the token's CA is refused before any PIN.
func TestTLSClientAuthWithToken(t *testing.T) {
	spy := spyModule()
	if spy == "" {
		testtoken.Missing(t, "pkcs11-spy is not installed (apt-get install opensc-pkcs11)")
	}
	tok := testtoken.NewSoftHSM(t, testtoken.WithoutEC())
	pki := pkitest.New(t)
	tokCAs := x509.NewCertPool()
	tokCAs.AddCert(tok.CACert)
	okURL := pki.ClientAuthServer(tokCAs, nil)
	otherURL := pki.ClientAuthServer(pki.Pool(), nil) // accepts only the PKI's CA, not the token's
	refuseURL := pki.ClientAuthServer(tokCAs, func([][]byte, [][]*x509.Certificate) error {
		return errors.New("account not linked") // e.g. a portal without this certificate on file
	})

	logDir := t.TempDir() // the spy logs the PIN: keep it here, delete it
	spyLog := filepath.Join(logDir, "spy.log")
	t.Cleanup(func() { os.RemoveAll(logDir) })
	tok.Setenv(t)
	t.Setenv("PKCS11SPY", tok.ModulePath)
	t.Setenv("PKCS11SPY_OUTPUT", spyLog)
	m, err := token.Open(spy)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	toks, err := m.Tokens()
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens: %v %v", toks, err)
	}
	slot := toks[0].Slot
	certs, err := m.Certificates(slot)
	if err != nil {
		t.Fatal(err)
	}
	var chain []*x509.Certificate
	for _, c := range certs {
		if string(c.ID) == string(tok.RSAID) {
			chain = append(chain, c.Cert)
		}
	}
	chain = append(chain, tok.CACert)
	opts := TLSOptions{Roots: pki.Pool(), Timeout: 20 * time.Second}
	ctx := context.Background()

	// The server that does not accept the token's CA: known before the PIN.
	pr, err := ProbeTLS(ctx, otherURL, opts)
	if err != nil {
		t.Fatal(err)
	}
	err = pr.Check(chain)
	if !IsKind(err, KindCANotAccepted) {
		t.Fatalf("probe of the other-CA server: %v", err)
	}
	var be *Error
	errors.As(err, &be)
	fr, en := be.Message("fr"), be.Message("en")
	if !strings.Contains(fr, "n’accepte pas les certificats") || !strings.Contains(fr, "Test Root CA") ||
		!strings.Contains(fr, "code PIN n’a pas été demandé") || !strings.Contains(en, "does not accept") {
		t.Errorf("messages:\n%s\n%s", fr, en)
	}
	if n := countCalls(t, spyLog, "C_Login"); n != 0 {
		t.Fatalf("C_Login before any PIN was asked: %d", n)
	}

	// The accepting server: probe, one login, handshake, answer.
	pr, err = ProbeTLS(ctx, okURL, opts)
	if err != nil || pr.Check(chain) != nil || !pr.Requested || len(pr.AcceptableCAs) != 1 {
		t.Fatalf("probe: %+v %v", pr, err)
	}
	signer, err := m.Signer(slot, tok.RSAID, tok.PIN, false)
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Close()
	res, err := TestTLS(ctx, okURL, signer, chain, opts)
	if err != nil {
		t.Fatalf("TestTLS: %v", err)
	}
	if res.HTTPStatus != 200 || res.Excerpt != "Bonjour "+testtoken.Holder || res.Server != "pkitest" ||
		!strings.Contains(res.SentSubject, testtoken.Holder) || res.Version != "TLS 1.3" {
		t.Fatalf("result: %+v", res)
	}
	// TLS 1.2 too (PKCS#1 v1.5 or PSS signatures chosen by the server).
	maxVersion = tls.VersionTLS12
	pr12, err := ProbeTLS(ctx, okURL, opts)
	maxVersion = 0
	if err != nil || !pr12.Requested || pr12.Check(chain) != nil {
		t.Fatalf("TLS 1.2 probe: %+v %v", pr12, err)
	}
	res12, err := testTLS12(ctx, okURL, signer, chain, opts)
	if err != nil || res12.HTTPStatus != 200 || res12.Version != "TLS 1.2" {
		t.Fatalf("TLS 1.2: %+v %v", res12, err)
	}

	// A server that refuses the certificate after the handshake.
	_, err = TestTLS(ctx, refuseURL, signer, chain, opts)
	if !IsKind(err, KindServerRefused) {
		t.Fatalf("refusing server: %v", err)
	}
	errors.As(err, &be)
	if msg := be.Message("fr"); !strings.Contains(msg, "Le serveur a refusé votre certificat") {
		t.Errorf("message: %s", msg)
	}
	if n := countCalls(t, spyLog, "C_Login"); n != 1 {
		t.Fatalf("C_Login calls: %d, want exactly 1", n)
	}
	if n := countCalls(t, spyLog, "C_Sign"); n < 3 {
		t.Fatalf("C_Sign calls: %d, want one per handshake", n)
	}

	// Not trusting the server's certificate is the server's problem, said so.
	if _, err := ProbeTLS(ctx, okURL, TLSOptions{Roots: x509.NewCertPool(), Timeout: 5 * time.Second}); !IsKind(err, KindServerUntrust) {
		t.Fatalf("untrusted server: %v", err)
	}
	dead := "https://" + strings.TrimPrefix(pkitest.DeadURL(t), "http://")
	if _, err := ProbeTLS(ctx, dead, opts); !IsKind(err, KindConnect) {
		t.Fatalf("nothing listening: %v", err)
	}
	if _, err := ProbeTLS(ctx, "http://127.0.0.1/", opts); !IsKind(err, KindBadURL) {
		t.Fatalf("http URL: %v", err)
	}
}

// testTLS12 is TestTLS with the connection capped at TLS 1.2, the version
// of many public portals.
func testTLS12(ctx context.Context, url string, s crypto.Signer, chain []*x509.Certificate, o TLSOptions) (*TLSResult, error) {
	maxVersion = tls.VersionTLS12
	defer func() { maxVersion = 0 }()
	return TestTLS(ctx, url, s, chain, o)
}
