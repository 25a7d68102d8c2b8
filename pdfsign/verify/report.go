package verify

import (
	"crypto/x509"
	"time"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/cms"
)

// What Verify reports: one SignatureReport per signature, with its
// problems (codes translated as pdf.problem.CODE).

// Options tune Verify.
type Options struct {
	// Roots, when set, are the trust anchors the signer's chain is checked
	// against; the result is reported (Trust) and does not make a signature
	// invalid.
	Roots *x509.CertPool
	// Intermediates are extra CA certificates besides those in the CMS.
	Intermediates *x509.CertPool

	// docCerts are the certificates the document carries in its DSS: a
	// signer or TSA certificate left out of a CMS is looked up there.
	docCerts []*x509.Certificate
	// written: what Sign wrote, for ReadBack (written.go).
	written *Written
}

// Report is the result of Verify.
type Report struct {
	File       string            `json:"file"`
	Size       int64             `json:"size"`
	Revisions  int               `json:"revisions"`
	Signatures []SignatureReport `json:"signatures"`
	// OK: every signature is intact and covers the document up to its
	// revision, and any later change is only further signatures (or their
	// validation data). The CLI's exit code 0.
	OK bool `json:"ok"`
	// Encrypted: the document is encrypted with an empty opening password
	// and was read decrypted (a signature's /Contents is never encrypted).
	Encrypted bool `json:"encrypted,omitempty"`
	// TrustedLists: whether the EU trusted lists were part of the trust
	// anchors (trustlist.go): not_checked, fresh or cached. Set by the caller.
	TrustedLists string `json:"trusted_lists,omitempty"`
	// Level is the document's PAdES level: the lowest of its signatures'
	// (document timestamps aside), "" when one is not baseline or invalid.
	Level string `json:"level"`

	Checked int `json:"-"` // signatures actually verified (the same one named twice is checked once)
}

// Problem is one finding about a signature; Code is stable (for programs and
// translations), Detail is technical text.
type Problem struct {
	Code     string `json:"code"`
	Severity string `json:"severity"` // "error" (invalid), "warning", "info"
	Detail   string `json:"detail,omitempty"`
}

// Message is the problem for a person, in lang.
func (p Problem) Message(lang string) string {
	return assets.T(lang, "pdf.problem."+p.Code, map[string]any{"Detail": p.Detail})
}

// Later-change classes of SignatureReport.LaterChanges.
const (
	ChangesNone       = "none"       // the signature covers the whole file
	ChangesSignatures = "signatures" // later revisions only add signatures, their fields and validation data
	ChangesOther      = "other"      // later revisions change something else (content, form values, annotations…)
	ChangesUnknown    = "unknown"    // the signed range does not end at a revision boundary
)

// Trust statuses of SignatureReport.Trust.
const (
	TrustNotChecked = "not_checked"
	TrustTrusted    = "trusted"
	TrustUntrusted  = "untrusted"
)

// SignatureReport describes one signature.
type SignatureReport struct {
	Field       string    `json:"field"`
	Type        string    `json:"type"` // "signature" or "timestamp" (document timestamp)
	SubFilter   string    `json:"subfilter"`
	SignerCN    string    `json:"signer_cn"`
	Signer      string    `json:"signer"` // full subject
	Issuer      string    `json:"issuer"`
	Serial      string    `json:"serial"`
	CertSHA256  string    `json:"cert_sha256"`
	CertFrom    time.Time `json:"cert_not_before"`
	CertTo      time.Time `json:"cert_not_after"`
	SigningTime time.Time `json:"signing_time,omitzero"` // from /M (claimed by the signer)
	Reason      string    `json:"reason,omitempty"`
	Location    string    `json:"location,omitempty"`
	ContactInfo string    `json:"contact_info,omitempty"`
	Name        string    `json:"name,omitempty"`
	Hash        string    `json:"hash"`
	Algorithm   string    `json:"algorithm"`
	Level       string    `json:"level"` // "B-B", "B-T", "B-LT", "B-LTA" or "" (not PAdES baseline)
	// TimestampTime is a document timestamp's own time (its TSTInfo genTime).
	TimestampTime time.Time `json:"timestamp_time,omitzero"`
	// ArchiveTimestamps are the document timestamps that make it B-LTA.
	ArchiveTimestamps []ArchiveTimestamp `json:"archive_timestamps,omitempty"`
	ByteRange         []int64            `json:"byte_range"`

	ByteRangeOK   bool `json:"byte_range_ok"` // covers the file (up to its revision) but its /Contents
	DigestOK      bool `json:"digest_ok"`
	SignatureOK   bool `json:"signature_ok"`
	CertificateOK bool `json:"certificate_ok"` // signer certificate present and matching the signed attribute
	Valid         bool `json:"valid"`          // all four above
	// Answer: the four answers kept apart (intact, signature, changes, trust).
	Answer Verdict `json:"verdict"`
	// Unsupported: the signature could not be checked because its algorithm
	// is not supported here (Ed448…): neither valid nor proven invalid.
	Unsupported bool `json:"unsupported,omitempty"`

	CoversWholeDocument bool   `json:"covers_whole_document"`
	Revision            int    `json:"revision"` // 1-based revision the signature ends; 0 if not at a revision end
	ModifiedAfter       bool   `json:"modified_after"`
	LaterChanges        string `json:"later_changes"`
	// Changes: what the later revisions changed and whether the signatures'
	// permissions allow it (changes.go).
	Changes *ChangeReport `json:"changes,omitempty"`
	// DocMDP is the certification permission this signature sets (1 no
	// change, 2 form filling and signing, 3 also annotations), 0 if none.
	DocMDP int `json:"docmdp,omitempty"`

	Trust      string    `json:"trust"`
	TrustError string    `json:"trust_error,omitempty"`
	Problems   []Problem `json:"problems"`
	// LTV: timestamp, embedded revocation data, trust reason (ltv_verify.go).
	LTV *LTVReport `json:"ltv,omitempty"`

	signerCert *x509.Certificate
	cms        *cms.SignedData
	order      int64 // where the signature sits in the file (changes_verify.go)
}

// SignerCertificate is the signer's certificate (nil if not found).
func (s *SignatureReport) SignerCertificate() *x509.Certificate { return s.signerCert }

func (s *SignatureReport) problem(code, severity, detail string) {
	s.Problems = append(s.Problems, Problem{Code: code, Severity: severity, Detail: detail})
}
