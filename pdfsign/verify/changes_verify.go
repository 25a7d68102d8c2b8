package verify

import (
	"strings"

	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
)

// applyChanges runs the change analysis for every signature that does not
// cover the whole file and decides the report's verdict: a signature counts
// only if it is valid and every change after it is allowed.
func applyChanges(r *pdf.Reader, ends []revision, fields []doc.SigField, rep *Report) {
	a := newChangeAnalyser(r, ends)
	// Bytes after the last revision that no cross-reference section
	// describes (an incremental save without its xref): not a revision we
	// can judge, so never "no change".
	a.trailing = len(ends) > 0 && ends[len(ends)-1].end < rep.Size
	certified := 0
	if cat, _ := r.ResolveDict(r.Trailer.Get("Root")); cat != nil {
		if perms, _ := r.ResolveDict(cat.Get("Perms")); perms != nil {
			certified = refNum(perms.Get("DocMDP"))
		}
	}
	var rules []mdpRule
	locks := map[*pdf.Dict]*fieldMDP{}
	for i, sf := range fields {
		s := &rep.Signatures[i]
		// Oldest first: by where the signed range ends, or, for a byte range
		// that cannot be trusted, by where the signature dictionary is.
		s.order = lastEnd(s.ByteRange)
		if !s.ByteRangeOK {
			s.order = rep.Size
			if off, ok := r.ObjectOffset(sf.VNum); ok {
				s.order = off
			}
		}
		if len(s.ByteRange) < 4 {
			continue
		}
		rule := sigMDP(r, sf.V, sf.Field, lastEnd(s.ByteRange), locks)
		if rule.docMDP == 0 && certified != 0 && certified == sf.VNum {
			rule.docMDP = 2 // /Perms names it but its /Reference lacks /P: the default
		}
		if s.Type == "signature" && rule.docMDP > 0 {
			s.DocMDP = rule.docMDP
		}
		rules = append(rules, rule)
	}
	rep.OK = true
	for i := range fields {
		s := &rep.Signatures[i]
		switch {
		case !s.ByteRangeOK || (s.ModifiedAfter && s.Revision == 0):
			// Unknown signed range, or not at a revision end: already an error.
		case !s.ModifiedAfter:
			s.Changes = &ChangeReport{Class: ClassNone, Allowed: true, Revisions: []RevisionChange{}}
		default:
			s.Changes = a.report(lastEnd(s.ByteRange), rules)
			kept := s.Problems[:0]
			for _, p := range s.Problems {
				if p.Code != "modified_after" && p.Code != "later_signatures" {
					kept = append(kept, p)
				}
			}
			s.Problems = kept
			switch s.Changes.Class {
			case ClassNone:
				// Later revisions that change nothing shown or signed
				// (a /Version, iText's /ITXT): said the same in text and JSON.
				s.LaterChanges = ChangesNone
			case ClassLTV, ClassSignatures:
				s.LaterChanges = ChangesSignatures
			default:
				s.LaterChanges = ChangesOther
			}
			switch {
			case s.Changes.Allowed && s.Changes.Class == ClassNone:
			case s.Changes.Allowed && s.LaterChanges == ChangesSignatures:
				s.problem("later_signatures", "info", s.Changes.Class)
			case s.Changes.Allowed:
				s.problem("changes_allowed", "info", s.Changes.Class)
			case notAllowedReason(s.Changes) == ReasonDocMDP:
				s.problem("changes_docmdp", "error", s.Changes.Class)
			case notAllowedReason(s.Changes) == ReasonFieldMDP:
				s.problem("changes_fieldmdp", "error", lockedFields(s.Changes))
			default:
				s.problem("modified_after", "error", s.Changes.Class)
			}
		}
		if !s.Valid || s.Changes == nil || !s.Changes.Allowed {
			rep.OK = false
		}
	}
}

func notAllowedReason(c *ChangeReport) string {
	for _, rv := range c.Revisions {
		if !rv.Allowed {
			return rv.Reason
		}
	}
	if len(c.Visible) > 0 {
		return ReasonVisible
	}
	return ReasonOther
}

func lockedFields(c *ChangeReport) string {
	var out []string
	for _, rv := range c.Revisions {
		if rv.Reason == ReasonFieldMDP {
			out = append(out, rv.Fields...)
		}
	}
	return strings.Join(dedupStrings(out), ", ")
}
