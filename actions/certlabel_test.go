package actions

import (
	"crypto/x509"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/token"
)

// The rule over parsed certificates (the token-backed case, RSA and EC with
// the same everything, is ui's TestTwoLookalikeCertificatesAreToldApart):
// a signing and an authentication certificate are named by purpose, and
// the signing one is the default even when the other is RSA.
func TestCertLabelsAndDefault(t *testing.T) {
	now := time.Now()
	mk := func(ku []string, eku []x509.ExtKeyUsage, alg x509.PublicKeyAlgorithm, serial int64, until time.Time) CertInfo {
		x := &x509.Certificate{SerialNumber: big.NewInt(serial), ExtKeyUsage: eku, PublicKeyAlgorithm: alg, NotBefore: now.Add(-time.Hour), NotAfter: until}
		return CertInfo{Certificate: token.Certificate{Cert: x, KeyUsage: ku, HasPrivateKey: true}, NotBefore: x.NotBefore, NotAfter: until}
	}
	year := now.Add(365 * 24 * time.Hour)
	auth := mk([]string{"digital_signature"}, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, x509.RSA, 0x1234, year)
	sigEC := mk([]string{"digital_signature", "non_repudiation"}, nil, x509.ECDSA, 0x015eed, year)
	sigRSA := mk([]string{"digital_signature", "non_repudiation"}, nil, x509.RSA, 0x025eed, year)

	got := CertLabels([]CertInfo{auth, sigEC}, "fr")
	if got[0] != "Certificat d’authentification" || got[1] != "Certificat de signature" {
		t.Fatalf("labels %q", got)
	}
	if i := DefaultSigningCert([]CertInfo{auth, sigEC}, now); i != 1 {
		t.Fatalf("default %d, want the signing certificate", i)
	}
	// two signing ones on the same day: the serial's end, long enough to differ; RSA by default
	all := []CertInfo{auth, sigEC, sigRSA}
	got = CertLabels(all, "en")
	if got[1] != "Signing certificate, no. 15EED" || got[2] != "Signing certificate, no. 25EED" {
		t.Fatalf("labels %q", got)
	}
	if i := DefaultSigningCert(all, now); i != 2 {
		t.Fatalf("default %d, want the RSA signing certificate", i)
	}
	// different expiry dates: the date, no number
	later := mk([]string{"non_repudiation"}, nil, x509.ECDSA, 0x035eed, year.Add(48*time.Hour))
	got = CertLabels([]CertInfo{sigRSA, later}, "fr")
	if !strings.Contains(got[0], "valable jusqu’au") || got[0] == got[1] || strings.Contains(got[0], "n°") {
		t.Fatalf("labels %q", got)
	}
	// an expired signing certificate gives way to a valid one
	old := mk([]string{"non_repudiation"}, nil, x509.RSA, 0x04, now.Add(-time.Hour))
	old.Expired = true
	if i := DefaultSigningCert([]CertInfo{old, sigEC}, now); i != 1 {
		t.Fatalf("default %d, want the valid one", i)
	}
}
