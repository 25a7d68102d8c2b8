package backend

import (
	"context"
	"errors"
	"os"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/ui"
)

// CheckDocument verifies any signed PDF for the verify screen, trusting the
// system roots and the user's added certificates.
func (PDF) CheckDocument(path, lang string) (ui.DocumentCheck, error) {
	// the trusted lists as last downloaded: the window never goes online to verify
	rep, _, err := actions.Verify(context.Background(), path, actions.Trust{})
	if err != nil {
		var pe *pdfsign.Error
		if errors.As(err, &pe) && pe.Kind == pdfsign.KindNoSignature {
			return ui.DocumentCheck{File: path}, ui.ErrNoSignature
		}
		return ui.DocumentCheck{File: path}, err
	}
	c := ui.DocumentCheck{File: path, OK: rep.OK}
	for i := range rep.Signatures {
		s := &rep.Signatures[i]
		v := s.Verdict()
		sc := ui.SignatureCheck{
			Field: s.Field, Timestamp: s.Type == "timestamp", Headline: s.Headline(lang),
			Intact: v.Intact, Signature: v.Signature, Changes: v.Changes, Trust: v.Trust, Level: s.Level,
		}
		if s.Changes != nil && s.Changes.Class != pdfsign.ClassNone {
			sc.ChangesText = s.Answers(lang)[2]
		}
		sc.Details = append(sc.Details, s.Answers(lang)...)
		sc.Details = append(sc.Details, s.RevisionLines(lang)...)
		for _, p := range s.Problems {
			if p.Code == "untrusted" && v.Trust == "no" {
				// the trust answer above says it in words; this one ends
				// with Go's English x509 error
				continue
			}
			sc.Details = append(sc.Details, p.Message(lang))
		}
		if s.Algorithm != "" {
			sc.Details = append(sc.Details, s.Algorithm+" · "+s.Hash+" · "+s.SubFilter)
		}
		if s.Signer != "" {
			sc.Details = append(sc.Details, s.Signer)
		}
		c.Signatures = append(c.Signatures, sc)
	}
	return c, nil
}

// HasSignatures tells whether a dropped PDF is already signed.
func (PDF) HasSignatures(path string) bool {
	if _, err := os.Stat(path); err != nil {
		return false
	}
	return pdfsign.HasSignatures(path)
}

var _ ui.DocumentVerifier = PDF{}
