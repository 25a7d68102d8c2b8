package pkitest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Keys is a throwaway CA and two signers (RSA and ECDSA) made in Go once per
// test binary: real keys, real certificates, no server. For the many tests
// that need a key and its chain; New makes a whole PKI (openssl CA, TSA,
// OCSP, CRL on 127.0.0.1) per test.
type Keys struct {
	CAKey   *ecdsa.PrivateKey
	CA      *x509.Certificate
	RSAKey  *rsa.PrivateKey
	RSACert *x509.Certificate
	ECKey   *ecdsa.PrivateKey
	ECCert  *x509.Certificate
	CAPEM   string // path of the CA certificate (PEM)
	NSSDir  string // NSS database trusting the CA, for pdfsig
}

var (
	keysOnce sync.Once
	keys     *Keys
	keysErr  error
	keysDir  string
)

// RemoveKeys deletes the files of SharedKeys; call it from TestMain.
func RemoveKeys() {
	if keysDir != "" {
		os.RemoveAll(keysDir)
	}
}

// SharedKeys returns the test binary's Keys, made on first use.
func SharedKeys(t testing.TB) *Keys {
	t.Helper()
	keysOnce.Do(func() { keys, keysErr = newKeys() })
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return keys
}

func newKeys() (*Keys, error) {
	p := &Keys{}
	var err error
	if p.CAKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA pdfsign", Organization: []string{"Certigna Desktop tests"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &p.CAKey.PublicKey, p.CAKey)
	if err != nil {
		return nil, err
	}
	if p.CA, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	leaf := func(serial int64, cn string, pub crypto.PublicKey) (*x509.Certificate, error) {
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn, Country: []string{"FR"}},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, p.CA, pub, p.CAKey)
		if err != nil {
			return nil, err
		}
		return x509.ParseCertificate(der)
	}
	if p.RSAKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return nil, err
	}
	if p.RSACert, err = leaf(2, "Jeanne Test RSA", &p.RSAKey.PublicKey); err != nil {
		return nil, err
	}
	if p.ECKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	if p.ECCert, err = leaf(3, "Jean Test EC", &p.ECKey.PublicKey); err != nil {
		return nil, err
	}
	if keysDir, err = os.MkdirTemp("", "pdfsign-pki-"); err != nil {
		return nil, err
	}
	p.CAPEM = filepath.Join(keysDir, "ca.pem")
	if err := os.WriteFile(p.CAPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.CA.Raw}), 0o600); err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("certutil"); err == nil {
		p.NSSDir = filepath.Join(keysDir, "nss")
		os.MkdirAll(p.NSSDir, 0o700)
		if out, err := exec.Command("certutil", "-d", "sql:"+p.NSSDir, "-N", "--empty-password").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("certutil -N: %s", out)
		}
		if out, err := exec.Command("certutil", "-d", "sql:"+p.NSSDir, "-A", "-t", "CT,C,C", "-n", "testca", "-i", p.CAPEM).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("certutil -A: %s", out)
		}
	}
	return p, nil
}

func (p *Keys) RSAChain() []*x509.Certificate { return []*x509.Certificate{p.RSACert, p.CA} }
func (p *Keys) ECChain() []*x509.Certificate  { return []*x509.Certificate{p.ECCert, p.CA} }
func (p *Keys) Roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.CA)
	return pool
}
