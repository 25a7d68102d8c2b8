package cms

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ParseCertificateLenient reads a certificate as Go's x509 does and, when Go
// refuses it for an encoding real CAs used (a string with a character its
// type does not allow, duplicate or malformed extensions…), reads just what
// verifying a signature needs: serial, issuer, subject, validity and public
// key. Such a certificate is never used for a chain (its extensions are
// unknown).
func ParseCertificateLenient(der []byte) (*x509.Certificate, error) {
	c, err := x509.ParseCertificate(der)
	if err == nil {
		return c, nil
	}
	if lc := lenientCert(der); lc != nil {
		return lc, nil
	}
	return nil, err
}

func lenientCert(der []byte) *x509.Certificate {
	s := cryptobyte.String(der)
	var cert, tbs, tbsFull cryptobyte.String
	if !s.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1Element(&tbsFull, cbasn1.SEQUENCE) {
		return nil
	}
	tbs = tbsFull
	if !tbs.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil
	}
	c := &x509.Certificate{Raw: der, RawTBSCertificate: tbsFull, SerialNumber: new(big.Int)}
	if tbs.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var v cryptobyte.String
		tbs.ReadASN1(&v, cbasn1.Tag(0).Constructed().ContextSpecific())
	}
	var sigAlg, issuer, validity, subject, spki cryptobyte.String
	if !tbs.ReadASN1Integer(c.SerialNumber) || !tbs.ReadASN1(&sigAlg, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&issuer, cbasn1.SEQUENCE) || !tbs.ReadASN1(&validity, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&subject, cbasn1.SEQUENCE) || !tbs.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return nil
	}
	c.RawIssuer, c.RawSubject, c.RawSubjectPublicKeyInfo = issuer, subject, spki
	// A key Go cannot use (brainpool curves, Ed448…) stays nil: the
	// signature is then "unsupported", not "invalid".
	if pub, err := x509.ParsePKIXPublicKey(spki); err == nil {
		c.PublicKey = pub
	}
	c.NotBefore, c.NotAfter = readTime(&validity), readTime(&validity)
	var rdn pkix.RDNSequence
	if _, err := asn1.Unmarshal(subject, &rdn); err == nil {
		c.Subject.FillFromRDNSequence(&rdn)
	}
	if _, err := asn1.Unmarshal(issuer, &rdn); err == nil {
		c.Issuer.FillFromRDNSequence(&rdn)
	}
	return c
}

func readTime(s *cryptobyte.String) time.Time {
	var t time.Time
	switch {
	case s.PeekASN1Tag(cbasn1.UTCTime):
		s.ReadASN1UTCTime(&t)
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		s.ReadASN1GeneralizedTime(&t)
	}
	return t
}
