package verify

import (
	"os"

	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
)

// The four answers a person wants about a signature, kept apart: is the
// signed content intact, is the signature itself right, are the changes made
// after it allowed, is the signer recognised. Each is a stable word (for
// programs and translations: "verify.answer.KIND.WORD").

// Answers of Verdict.
const (
	AnswerYes         = "yes"
	AnswerNo          = "no"
	AnswerUnknown     = "unknown"     // could not be decided (damaged signature data…)
	AnswerUnsupported = "unsupported" // the algorithm is not supported here
	AnswerNone        = "none"        // no change after the signature
	AnswerNotChecked  = "not_checked"
)

// Verdict is a signature's four answers.
type Verdict struct {
	Intact    string `json:"intact"`    // yes | no | unknown: the signed bytes are those the signer signed
	Signature string `json:"signature"` // yes | no | unsupported | unknown: the cryptographic signature and its certificate are right
	Changes   string `json:"changes"`   // none | yes (allowed) | no (not allowed) | unknown
	Trust     string `json:"trust"`     // yes | no | not_checked: the signer's certificate chains to a recognised authority
}

// Verdict computes the four answers from the report's checks.
func (s *SignatureReport) Verdict() Verdict {

	v := Verdict{Intact: AnswerUnknown, Signature: AnswerUnknown, Changes: AnswerUnknown, Trust: AnswerNotChecked}
	switch {
	case !s.ByteRangeOK:
		v.Intact = AnswerNo
	case s.DigestOK:
		v.Intact = AnswerYes
	case s.Unsupported && !s.HasProblem("digest_mismatch"):
		// The digest algorithm itself is unknown here: nothing was compared.
	case s.cms != nil || s.HasProblem("digest_mismatch"):
		v.Intact = AnswerNo
	}
	switch {
	case s.Unsupported:
		v.Signature = AnswerUnsupported
	case s.SignatureOK && s.CertificateOK:
		v.Signature = AnswerYes
	case s.HasProblem("signer_cert_missing"):
		// Without the certificate nothing can be checked either way.
	case s.cms != nil || s.HasProblem("signature_invalid") || s.HasProblem("signing_cert_mismatch"):
		v.Signature = AnswerNo
	}
	switch {
	case s.Changes == nil:
	case s.Changes.Class == ClassNone:
		v.Changes = AnswerNone
	case s.Changes.Allowed:
		v.Changes = AnswerYes
	default:
		v.Changes = AnswerNo
	}
	switch s.Trust {
	case TrustTrusted:
		v.Trust = AnswerYes
	case TrustUntrusted:
		v.Trust = AnswerNo
	}
	return v
}

func (s *SignatureReport) HasProblem(code string) bool {
	for _, p := range s.Problems {
		if p.Code == code {
			return true
		}
	}
	return false
}

// HasSignatures reports whether the PDF at path has at least one signed
// signature field; it reads only the form, not the signed data.
func HasSignatures(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return false
	}
	r, err := pdf.NewReaderDecrypting(f, st.Size())
	if err != nil {
		return false
	}
	fields, err := doc.SigFields(r)
	return err == nil && len(fields) > 0
}
