package cms

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// A certificate Go refuses (a PrintableString holding '@', as some CAs
// wrote) is still read for what a signature check needs.
func TestParseCertificateLenient(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(4242), Subject: pkix.Name{CommonName: "Legacy", Country: []string{"FR"}},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	// C=FR is a PrintableString (tag 0x13): make it "F@".
	i := bytes.Index(der, []byte{0x13, 0x02, 'F', 'R'})
	if i < 0 {
		t.Fatal("country not found")
	}
	bad := append([]byte(nil), der...)
	bad[i+3] = '@'
	if _, err := x509.ParseCertificate(bad); err == nil {
		t.Fatal("Go now reads it: pick another legacy encoding for this test")
	}
	c, err := ParseCertificateLenient(bad)
	if err != nil {
		t.Fatal(err)
	}
	pub, ok := c.PublicKey.(*ecdsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) || c.SerialNumber.Int64() != 4242 || c.Subject.CommonName != "Legacy" || c.NotAfter.Year() != 2030 {
		t.Fatalf("lenient certificate %+v", c)
	}
}

// TSA genTime with fractions of a second (RFC 3161 §2.4.2) is read.
func TestGeneralizedTimeWithFraction(t *testing.T) {
	for in, want := range map[string]string{
		"20240304122433Z":     "2024-03-04T12:24:33Z",
		"20240304122433.123Z": "2024-03-04T12:24:33.123Z",
		"20240304122433.5Z":   "2024-03-04T12:24:33.5Z",
	} {
		der := append([]byte{0x18, byte(len(in))}, in...)
		s := cryptobyte.String(der)
		var got time.Time
		if !readGeneralizedTime(&s, &got) || got.Format(time.RFC3339Nano) != want {
			t.Errorf("%s: %v %s", in, got, got.Format(time.RFC3339Nano))
		}
	}
}
