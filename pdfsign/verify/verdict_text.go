package verify

import (
	"strings"

	"github.com/certigna-desktop/app/assets"
)

// Plain-words rendering of a signature's verdict, shared by the CLI and the
// window (texts in assets/translations/verify.*.json).

// Headline is the first line about a signature: who, when, and the outcome,
// without jargon.
func (s *SignatureReport) Headline(lang string) string {
	v := s.Verdict()
	data := map[string]any{"Field": s.Field, "CN": s.SignerCN, "When": s.When(lang), "Algorithm": s.algorithmText()}
	if s.SignerCN == "" {
		data["CN"] = assets.T(lang, "verify.unknown_signer")
	}
	if s.Field == "" {
		data["Field"] = assets.T(lang, "verify.unnamed_field")
	}
	if s.Type == "timestamp" {
		if s.Valid {
			return assets.T(lang, "verify.headline.timestamp", data)
		}
		return assets.T(lang, "verify.headline.timestamp_invalid", data)
	}
	switch {
	case v.Signature == AnswerUnsupported && v.Intact != AnswerNo:
		return assets.T(lang, "verify.headline.unsupported", data)
	case !s.Valid:
		return assets.T(lang, "verify.headline.invalid", data)
	case v.Changes == AnswerNo || v.Changes == AnswerUnknown:
		return assets.T(lang, "verify.headline.not_allowed", data)
	case v.Changes == AnswerYes:
		return assets.T(lang, "verify.headline.ok_changed", data)
	}
	return assets.T(lang, "verify.headline.ok", data)
}

// When is the signing time for people: a verified timestamp's time first,
// then the signer's claimed time.
func (s *SignatureReport) When(lang string) string {
	t := s.SigningTime
	if s.LTV != nil && s.LTV.TimestampOK {
		t = s.LTV.Timestamp
	}
	if s.Type == "timestamp" && !s.TimestampTime.IsZero() {
		t = s.TimestampTime
	}
	if t.IsZero() {
		return assets.T(lang, "verify.unknown_time")
	}
	if lang == "fr" { // as the sign screen says it: "29/11/2026 à 20:38:43"
		return t.Local().Format("02/01/2006 à 15:04:05")
	}
	return t.Local().Format("2 Jan 2006 at 15:04:05")
}

func (s *SignatureReport) algorithmText() string {
	if s.Algorithm != "" {
		return s.Algorithm
	}
	return "?"
}

// Answers are the four answers as sentences: intact, signature, changes, trust.
func (s *SignatureReport) Answers(lang string) []string {
	v := s.Verdict()
	data := map[string]any{"Algorithm": s.algorithmText(), "Hash": s.Hash, "What": s.ChangesWhat(lang)}
	return []string{
		assets.T(lang, "verify.answer.intact."+v.Intact, data),
		assets.T(lang, "verify.answer.signature."+v.Signature, data),
		assets.T(lang, "verify.answer.changes."+v.Changes, data),
		assets.T(lang, "verify.answer.trust."+v.Trust, data),
	}
}

// ChangesWhat says what changed after the signature and, when not allowed, why.
func (s *SignatureReport) ChangesWhat(lang string) string {
	c := s.Changes
	if c == nil {
		return ""
	}
	what := assets.T(lang, "verify.class."+c.Class)
	if len(c.Visible) > 0 {
		// Whatever the objects say, the page shows something else: that
		// is the answer (not "further signatures were added").
		return assets.T(lang, "verify.reason.visible", map[string]any{"Pages": pagesText(c.Visible)})
	}
	if !c.Allowed {
		switch notAllowedReason(c) {
		case ReasonDocMDP:
			what += " ; " + assets.T(lang, "verify.reason.docmdp", map[string]any{"Allowed": assets.T(lang, "verify.docmdp."+itoa(c.DocMDP))})
		case ReasonFieldMDP:
			what += " ; " + assets.T(lang, "verify.reason.fieldmdp", map[string]any{"Fields": lockedFields(c)})
		}
	}
	if lang == "en" {
		what = strings.Replace(what, " ; ", "; ", 1)
	}
	return what
}

// RevisionLines describe each later revision, for the folded details.
func (s *SignatureReport) RevisionLines(lang string) []string {
	if s.Changes == nil {
		return nil
	}
	var out []string
	for i, rv := range s.Changes.Revisions {
		// Thousands of revisions (each counted by the reader's bounds)
		// would still be thousands of lines: the first ones say enough.
		if i == maxRevisionLines {
			out = append(out, assets.T(lang, "verify.revision_more", map[string]any{"N": len(s.Changes.Revisions) - i}))
			break
		}
		na := ""
		if !rv.Allowed {
			na = assets.T(lang, "verify.revision_not_allowed")
		}
		what := assets.T(lang, "verify.class."+rv.Class)
		if len(rv.Fields) > 0 && rv.Class == ClassFormFill {
			what += " (" + strings.Join(rv.Fields, ", ") + ")"
		}
		out = append(out, assets.T(lang, "verify.revision_line", map[string]any{"N": rv.Revision, "What": what, "Allowed": na}))
	}
	return out
}

// maxRevisionLines: later revisions described one by one, per signature.
const maxRevisionLines = 50

func itoa(n int) string {
	if n < 0 || n > 9 {
		return "?"
	}
	return string(rune('0' + n))
}
