package pdfsign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/testtool"
)

// testPKI is a throwaway CA and two signers (RSA and ECDSA) made for the test
// run: real keys, real certificates.
type testPKI struct {
	caKey   *ecdsa.PrivateKey
	ca      *x509.Certificate
	rsaKey  *rsa.PrivateKey
	rsaCert *x509.Certificate
	ecKey   *ecdsa.PrivateKey
	ecCert  *x509.Certificate
	caPEM   string // path of the CA certificate (PEM)
	nssDir  string // NSS database trusting the CA, for pdfsig
}

var (
	pkiOnce sync.Once
	pki     *testPKI
	pkiErr  error
	pkiDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if pkiDir != "" {
		os.RemoveAll(pkiDir)
	}
	os.Exit(code)
}

func getPKI(t testing.TB) *testPKI {
	t.Helper()
	pkiOnce.Do(func() { pki, pkiErr = newTestPKI() })
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return pki
}

func newTestPKI() (*testPKI, error) {
	p := &testPKI{}
	var err error
	if p.caKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA pdfsign", Organization: []string{"Certigna Desktop tests"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &p.caKey.PublicKey, p.caKey)
	if err != nil {
		return nil, err
	}
	if p.ca, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	leaf := func(serial int64, cn string, pub crypto.PublicKey) (*x509.Certificate, error) {
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn, Country: []string{"FR"}},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, pub, p.caKey)
		if err != nil {
			return nil, err
		}
		return x509.ParseCertificate(der)
	}
	if p.rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return nil, err
	}
	if p.rsaCert, err = leaf(2, "Jeanne Test RSA", &p.rsaKey.PublicKey); err != nil {
		return nil, err
	}
	if p.ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	if p.ecCert, err = leaf(3, "Jean Test EC", &p.ecKey.PublicKey); err != nil {
		return nil, err
	}
	if pkiDir, err = os.MkdirTemp("", "pdfsign-pki-"); err != nil {
		return nil, err
	}
	p.caPEM = filepath.Join(pkiDir, "ca.pem")
	if err := os.WriteFile(p.caPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.ca.Raw}), 0o600); err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("certutil"); err == nil {
		p.nssDir = filepath.Join(pkiDir, "nss")
		os.MkdirAll(p.nssDir, 0o700)
		if out, err := exec.Command("certutil", "-d", "sql:"+p.nssDir, "-N", "--empty-password").CombinedOutput(); err != nil {
			return nil, &Error{Kind: KindInternal, Err: errorString("certutil -N: " + string(out))}
		}
		if out, err := exec.Command("certutil", "-d", "sql:"+p.nssDir, "-A", "-t", "CT,C,C", "-n", "testca", "-i", p.caPEM).CombinedOutput(); err != nil {
			return nil, &Error{Kind: KindInternal, Err: errorString("certutil -A: " + string(out))}
		}
	}
	return p, nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

func (p *testPKI) rsaChain() []*x509.Certificate { return []*x509.Certificate{p.rsaCert, p.ca} }
func (p *testPKI) ecChain() []*x509.Certificate  { return []*x509.Certificate{p.ecCert, p.ca} }
func (p *testPKI) roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.ca)
	return pool
}

// writeSample writes the sample PDF to dir/name.
func writeSample(t testing.TB, dir, name string) string {
	t.Helper()
	var b bytes.Buffer
	if err := SamplePDF(&b, "fr"); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pdfsigOut runs pdfsig (trusting the test CA) and returns its output.
func pdfsigOut(t testing.TB, path string) string {
	t.Helper()
	testtool.Need(t, "pdfsig")
	p := getPKI(t)
	args := []string{path}
	if p.nssDir != "" {
		args = []string{"-nssdir", "sql:" + p.nssDir, path}
	}
	out, err := exec.Command("pdfsig", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfsig %s: %v\n%s", path, err, out)
	}
	return string(out)
}

// assertPdfsigValid checks pdfsig's verdict on every signature of path.
func assertPdfsigValid(t testing.TB, path string, nsigs int) string {
	t.Helper()
	out := pdfsigOut(t, path)
	if got := strings.Count(out, "Signature is Valid"); got != nsigs {
		t.Fatalf("pdfsig: %d valid signatures, want %d:\n%s", got, nsigs, out)
	}
	if !strings.Contains(out, "Total document signed") {
		t.Fatalf("pdfsig: last signature does not cover the whole document:\n%s", out)
	}
	return out
}

func writePEMKey(t testing.TB, path string, key any) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

func writePEMCert(t testing.TB, path string, der []byte) {
	t.Helper()
	os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
}
