package actions

import (
	"context"
	"errors"

	"github.com/certigna-desktop/app/pdfsign"
)

// SignatureCheck is one signature, already in the person's words.
type SignatureCheck struct {
	Field     string
	Timestamp bool // a document timestamp rather than a signature
	Headline  string
	// The four answers: Intact yes|no|unknown, Signature
	// yes|no|unsupported|unknown, Changes none|yes|no|unknown, Trust
	// yes|no|not_checked.
	Intact, Signature, Changes, Trust string
	Level                             string
	ChangesText                       string   // what changed after it, in words
	Details                           []string // the answers as sentences, revisions, problems
	// Revision is the revision it signed (1-based, 0 if unknown); Visible
	// the pages that show something else now (signed_version.go).
	Revision int
	Visible  []VisibleChange
}

// DocumentCheck is the verification of a whole document.
type DocumentCheck struct {
	File       string
	OK         bool
	Signatures []SignatureCheck
}

// ErrNoSignature: the document has no signature.
var ErrNoSignature = errors.New("no signature")

// CheckDocument verifies any signed PDF for the verify screen, with the one
// trust store (Trust{}: the trusted lists as last downloaded — the window
// never goes online to verify).
func (d *Documents) CheckDocument(path, lang string) (DocumentCheck, error) {
	rep, _, err := Verify(context.Background(), path, Trust{})
	if err != nil {
		var pe *pdfsign.Error
		if errors.As(err, &pe) && pe.Kind == pdfsign.KindNoSignature {
			return DocumentCheck{File: path}, ErrNoSignature
		}
		return DocumentCheck{File: path}, err
	}
	c := DocumentCheck{File: path, OK: rep.OK}
	for i := range rep.Signatures {
		s := &rep.Signatures[i]
		v := s.Verdict()
		sc := SignatureCheck{
			Field: s.Field, Timestamp: s.Type == "timestamp", Headline: s.Headline(lang),
			Intact: v.Intact, Signature: v.Signature, Changes: v.Changes, Trust: v.Trust, Level: s.Level,
		}
		if s.Changes != nil && s.Changes.Class != pdfsign.ClassNone {
			sc.ChangesText = s.Answers(lang)[2]
		}
		sc.Revision = s.Revision
		if s.Changes != nil {
			sc.Visible = s.Changes.Visible
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
