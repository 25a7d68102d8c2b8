package actions

import (
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/pdfsign/verify"
)

// An expired signer certificate (or one not valid at signing time) is said
// in the headline. A double: no corpus vector is signed with an expired
// certificate, so the report is built here with the fields Verify fills.
func TestHeadlineExpiredCertificate(t *testing.T) {
	signed := time.Date(2025, 3, 4, 10, 5, 0, 0, time.Local)
	s := &verify.SignatureReport{
		Type: "signature", SignerCN: "Camille Martin", SigningTime: signed,
		ByteRangeOK: true, DigestOK: true, SignatureOK: true, CertificateOK: true, Valid: true,
		Changes: &verify.ChangeReport{Class: verify.ClassNone, Allowed: true},
		CertTo:  time.Date(2025, 12, 31, 0, 0, 0, 0, time.Local),
	}
	h := headline(s, s.Verdict(), "fr")
	for _, w := range []string{"Signé par Camille Martin, le 04/03/2025 à 10:05.", "Le document n’a pas été modifié depuis.", "a expiré depuis, le 31/12/2025"} {
		if !strings.Contains(h, w) {
			t.Errorf("headline %q, want %q", h, w)
		}
	}
	s.CertTo = time.Now().Add(24 * time.Hour)
	if h := headline(s, s.Verdict(), "en"); strings.Contains(h, "expired") {
		t.Errorf("valid certificate said expired: %q", h)
	}
	s.Problems = []verify.Problem{{Code: "cert_not_valid_at_signing", Severity: "error"}}
	s.SigningTime = time.Time{}
	if h := headline(s, s.Verdict(), "en"); !strings.Contains(h, "not valid on that date") || !strings.Contains(h, "unknown date") {
		t.Errorf("headline %q", h)
	}
}
