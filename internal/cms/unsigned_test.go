package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// A timestamp added later: everything the signature covers and the
// signature itself stay byte for byte, earlier unsigned attributes are
// kept, the PDF's zero padding after the CMS is ignored, and what is not a
// one-signer DER SignedData is refused.
func TestAddUnsignedAttrs(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	digest := sha256.Sum256([]byte("document"))
	orig, err := Build(&Params{Signer: key, Cert: cert, Hash: crypto.SHA256}, digest[:], false, 0)
	if err != nil {
		t.Fatal(err)
	}
	a1 := MakeAttribute(OIDAttrTimeStampToken, []byte{0x30, 0x03, 0x02, 0x01, 0x01})
	a2 := MakeAttribute(OIDAttrTimeStampToken, []byte{0x30, 0x03, 0x02, 0x01, 0x02})
	padded := append(append([]byte(nil), orig...), make([]byte, 100)...)
	one, err := AddUnsignedAttrs(padded, []Attribute{a1})
	if err != nil {
		t.Fatal(err)
	}
	two, err := AddUnsignedAttrs(one, []Attribute{a2})
	if err != nil {
		t.Fatal(err)
	}
	p0, _ := Parse(orig)
	p2, err := Parse(two)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p0.SignerInfo.SignedAttrs, p2.SignerInfo.SignedAttrs) || !bytes.Equal(p0.SignerInfo.Signature, p2.SignerInfo.Signature) ||
		len(p2.Certs) != 1 || !p2.Certs[0].Equal(cert) {
		t.Fatal("signed parts changed")
	}
	if got := p2.SignerInfo.Unsigned[OIDAttrTimeStampToken.String()]; len(got) != 2 {
		t.Fatalf("unsigned attributes: %d values, want 2", len(got))
	}
	if err := CheckSignature(&p2.SignerInfo, cert.PublicKey, p2.SignerInfo.SignedBytes(), nil); err != nil {
		t.Fatalf("signature no longer verifies: %v", err)
	}
	// The bytes before the SignerInfos are the original's.
	if i := bytes.Index(two, p0.SignerInfo.Signature); i < 0 || !bytes.Contains(two, cert.Raw) {
		t.Fatal("signature value or certificate not found verbatim")
	}
	for _, bad := range [][]byte{nil, []byte("garbage"), {0x30, 0x03, 0x06, 0x01, 0x00}} {
		if _, err := AddUnsignedAttrs(bad, []Attribute{a1}); err == nil {
			t.Errorf("%x accepted", bad)
		}
	}
}
