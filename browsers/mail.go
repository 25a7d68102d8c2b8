package browsers

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"strings"
)

// oidEmailAddress is PKCS #9 emailAddress, the old place of the address in
// the subject's name (still used by some CAs beside or instead of the SAN).
var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// MailCheck says whether a certificate can sign e-mail (S/MIME) in
// Thunderbird and other mail programs.
type MailCheck struct {
	Emails          []string `json:"emails"`           // from the subjectAltName and the subject
	EmailProtection bool     `json:"email_protection"` // extended key usage emailProtection (or anyExtendedKeyUsage)
	DigitalSig      bool     `json:"digital_signature"`
	OK              bool     `json:"ok"`
}

// CheckMail reads what a mail program needs from the certificate: the
// e-mail protection usage, a digital-signature key usage, and the address
// the mail is sent from.
func CheckMail(c *x509.Certificate) MailCheck {
	var m MailCheck
	seen := map[string]bool{}
	add := func(e string) {
		e = strings.TrimSpace(e)
		if e != "" && !seen[strings.ToLower(e)] {
			seen[strings.ToLower(e)] = true
			m.Emails = append(m.Emails, e)
		}
	}
	for _, e := range c.EmailAddresses {
		add(e)
	}
	for _, n := range c.Subject.Names {
		if n.Type.Equal(oidEmailAddress) {
			add(fmt.Sprint(n.Value))
		}
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageEmailProtection || u == x509.ExtKeyUsageAny {
			m.EmailProtection = true
		}
	}
	m.DigitalSig = c.KeyUsage == 0 || c.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) != 0
	m.OK = m.EmailProtection && m.DigitalSig && len(m.Emails) > 0
	return m
}

// CanLogIn says whether the certificate may authenticate a TLS client: no
// extended key usage at all (unrestricted), or clientAuth/any among them;
// and a key usage, if any, that allows digital signatures.
func CanLogIn(c *x509.Certificate) bool {
	if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return false
	}
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

// LoginScore ranks certificates for the login test: 2 = clientAuth named in
// its extended key usage (an authentication certificate, as RGS tokens have
// beside the signature one), 1 = allowed (no restriction), 0 = not allowed.
func LoginScore(c *x509.Certificate) int {
	if !CanLogIn(c) {
		return 0
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth {
			return 2
		}
	}
	return 1
}
