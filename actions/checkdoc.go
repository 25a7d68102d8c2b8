package actions

import (
	"context"
	"errors"
	"time"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// SignatureCheck is one signature, already in the person's words.
type SignatureCheck struct {
	Field     string
	Signer    string // who signed, as a screen may show it ("" unknown)
	Timestamp bool   // a document timestamp rather than a signature
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
			Field: s.Field, Signer: ShownText(s.SignerCN), Timestamp: s.Type == "timestamp", Headline: headline(s, v, lang),
			Intact: v.Intact, Signature: v.Signature, Changes: v.Changes, Trust: v.Trust, Level: s.Level,
		}
		if s.Changes != nil && s.Changes.Class != verify.ClassNone {
			sc.ChangesText = s.Answers(lang)[2]
		}
		sc.Revision = s.Revision
		if s.Changes != nil {
			sc.Visible = s.Changes.Visible
		}
		if s.Field != "" {
			// the field's name is for who looks for it: not in the headline
			sc.Details = append(sc.Details, assets.T(lang, "verify.ui.field", map[string]any{"Field": s.Field}))
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
		// the technical names, said for what they are
		if s.Algorithm != "" {
			sc.Details = append(sc.Details, assets.T(lang, "verify.ui.algorithm", map[string]any{"Alg": s.Algorithm, "Hash": s.Hash, "Format": s.SubFilter}))
		}
		if s.Signer != "" {
			sc.Details = append(sc.Details, assets.T(lang, "verify.ui.signer_dn", map[string]any{"DN": s.Signer}))
		}
		c.Signatures = append(c.Signatures, sc)
	}
	return c, nil
}

// headline is one signature in plain words for the window: who signed, when
// (the date always), and whether the document changed since; an expired
// certificate said too. No field name, no constant, one date.
func headline(s *verify.SignatureReport, v verify.Verdict, lang string) string {
	when := s.SigningTime
	if s.LTV != nil && s.LTV.TimestampOK {
		when = s.LTV.Timestamp
	}
	if s.Type == "timestamp" && !s.TimestampTime.IsZero() {
		when = s.TimestampTime
	}
	cn := s.SignerCN
	if cn == "" {
		cn = assets.T(lang, "verify.unknown_signer")
	}
	data := map[string]any{"CN": cn, "When": whenText(lang, when)}
	if s.Type == "timestamp" {
		if s.Valid {
			return assets.T(lang, "verify.ui.head.timestamp", data)
		}
		return assets.T(lang, "verify.ui.head.timestamp_invalid", data)
	}
	var h string
	switch {
	case v.Intact == verify.AnswerNo:
		return assets.T(lang, "verify.ui.head.invalid_intact", data)
	case v.Signature == verify.AnswerUnsupported:
		return assets.T(lang, "verify.ui.head.unsupported", data)
	case v.Signature == verify.AnswerNo:
		h = assets.T(lang, "verify.ui.head.invalid_signature", data)
	case !s.Valid:
		return assets.T(lang, "verify.ui.head.invalid_unknown", data)
	default:
		h = assets.T(lang, "verify.ui.head.signed", data) + " " +
			assets.T(lang, "verify.ui.head.changes."+v.Changes, map[string]any{"What": s.ChangesWhat(lang)})
	}
	for _, p := range s.Problems {
		if p.Code == "cert_not_valid_at_signing" {
			return h + " " + assets.T(lang, "verify.ui.head.cert_not_valid_then")
		}
	}
	if !s.CertTo.IsZero() && time.Now().After(s.CertTo) {
		h += " " + assets.T(lang, "verify.ui.head.cert_expired", map[string]any{"Date": dateText(lang, s.CertTo)})
	}
	return h
}

// whenText is a date and time as the rest of the window says it
// ("29/11/2026 à 20:38"), "date inconnue" when the signature has none.
func whenText(lang string, t time.Time) string {
	if t.IsZero() {
		return assets.T(lang, "verify.unknown_time")
	}
	if lang == "en" {
		return t.Local().Format("2 Jan 2006 at 15:04")
	}
	return t.Local().Format("02/01/2006 à 15:04")
}

func dateText(lang string, t time.Time) string {
	if lang == "en" {
		return t.Local().Format("2 Jan 2006")
	}
	return t.Local().Format("02/01/2006")
}
