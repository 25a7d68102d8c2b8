package actions

import (
	"crypto/x509"
	"fmt"
	"time"

	"github.com/certigna-desktop/app/assets"
)

// What a certificate is for, in a person's words, and which one signs by
// default. A Certigna token may hold several certificates with the same
// holder, issuer, dates and usages (an RSA and an EC one, a signing and an
// authentication one): the window and the CLI name them so that no two read
// the same, without key types, key labels or raw DNs.

// Certificate purposes (CertPurpose).
const (
	PurposeSigning = "signing"
	PurposeAuth    = "authentication"
	PurposeOther   = "other"
)

// CertPurpose: a certificate with non-repudiation (or only
// digitalSignature, without client authentication) is for signing; one
// marked for client authentication and without non-repudiation is for
// logging in; anything else (a CA's certificate) is "other".
func CertPurpose(c CertInfo) string {
	nonRep, digSig := hasKU(c, "non_repudiation"), hasKU(c, "digital_signature")
	clientAuth := false
	if c.Cert != nil {
		for _, e := range c.Cert.ExtKeyUsage {
			if e == x509.ExtKeyUsageClientAuth {
				clientAuth = true
			}
		}
	}
	switch {
	case nonRep:
		return PurposeSigning
	case clientAuth:
		return PurposeAuth
	case digSig:
		return PurposeSigning
	}
	return PurposeOther
}

func hasKU(c CertInfo, u string) bool {
	for _, x := range c.KeyUsage {
		if x == u {
			return true
		}
	}
	return false
}

// CertLabels names each certificate in lang, all names different: the
// purpose ("Certificat de signature"); when two share it, the expiry date;
// when that is the same too, the end of the serial number ("n° 15EED"),
// as long as it needs to be to differ.
func CertLabels(certs []CertInfo, lang string) []string {
	out := make([]string, len(certs))
	for i, c := range certs {
		out[i] = assets.T(lang, "actions.cert."+CertPurpose(c))
	}
	groups := func() map[string][]int {
		g := map[string][]int{}
		for i, l := range out {
			g[l] = append(g[l], i)
		}
		return g
	}
	for _, idx := range groups() {
		if len(idx) < 2 {
			continue
		}
		dates := map[string]bool{}
		for _, i := range idx {
			dates[certDate(lang, certs[i].NotAfter)] = true
		}
		if len(dates) == len(idx) {
			for _, i := range idx {
				out[i] = assets.T(lang, "actions.cert.until", map[string]any{"Name": out[i], "Date": certDate(lang, certs[i].NotAfter)})
			}
			continue
		}
		// the same day: the end of the serial number tells them apart
		n := serialSuffixLen(certs, idx)
		for _, i := range idx {
			out[i] = assets.T(lang, "actions.cert.number", map[string]any{"Name": out[i], "No": serialEnd(certs[i], n)})
		}
	}
	return out
}

// CertNames names every certificate of a token, as the window and the CLI
// show them: those with a private key among themselves (CertLabels), each
// other one (the authority's) on its own.
func CertNames(certs []CertInfo, lang string) []string {
	out := make([]string, len(certs))
	var mine []CertInfo
	var at []int
	for i, c := range certs {
		if c.HasPrivateKey {
			mine, at = append(mine, c), append(at, i)
			continue
		}
		out[i] = CertLabels([]CertInfo{c}, lang)[0]
	}
	for j, l := range CertLabels(mine, lang) {
		out[at[j]] = l
	}
	return out
}

func serialHex(c CertInfo) string {
	if c.Cert == nil || c.Cert.SerialNumber == nil {
		return fmt.Sprintf("%X", c.SHA256[:4]) // nothing parsed: the fingerprint still tells them apart
	}
	return fmt.Sprintf("%X", c.Cert.SerialNumber)
}

func serialEnd(c CertInfo, n int) string {
	s := serialHex(c)
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}

// serialSuffixLen: the shortest end (4 digits at least) that differs
// between the certificates idx.
func serialSuffixLen(certs []CertInfo, idx []int) int {
	longest := 0
	for _, i := range idx {
		longest = max(longest, len(serialHex(certs[i])))
	}
	for n := 4; n < longest; n++ {
		seen, ok := map[string]bool{}, true
		for _, i := range idx {
			e := serialEnd(certs[i], n)
			ok = ok && !seen[e]
			seen[e] = true
		}
		if ok {
			return n
		}
	}
	return longest
}

func certDate(lang string, t time.Time) string {
	if lang == "en" {
		return t.Local().Format("2 Jan 2006")
	}
	return t.Local().Format("02/01/2006")
}

// DefaultSigningCert is the index in certs of the certificate a signature
// uses when the person has chosen none (-1: none can sign). The rule: a
// Certigna customer signs with the certificate issued for signatures, so
// first one with a private key and a signing purpose (non-repudiation
// before digitalSignature alone), valid now; then, on a tie, RSA — the key
// every PDF reader has verified for longest; then the later expiry; then
// the token's order. A certificate that cannot sign (expired, not yet valid,
// for authentication) is chosen only when nothing better exists, so the
// sign screen can say why it cannot sign.
func DefaultSigningCert(certs []CertInfo, now time.Time) int {
	best, bestScore := -1, -1
	for i, c := range certs {
		if !c.HasPrivateKey {
			continue
		}
		score := 0
		valid := !c.Expired && !c.NotYetValid && (c.NotAfter.IsZero() || !now.After(c.NotAfter)) && (c.NotBefore.IsZero() || !now.Before(c.NotBefore))
		if CertPurpose(c) == PurposeSigning {
			score += 8
		}
		if valid {
			score += 4
		}
		if hasKU(c, "non_repudiation") {
			score += 2
		}
		if c.Cert != nil && c.Cert.PublicKeyAlgorithm == x509.RSA {
			score++
		}
		if score > bestScore || (score == bestScore && c.NotAfter.After(certs[best].NotAfter)) {
			best, bestScore = i, score
		}
	}
	return best
}
