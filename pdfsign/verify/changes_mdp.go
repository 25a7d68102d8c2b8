package verify

import "github.com/certigna-desktop/app/internal/pdf"

// The permissions a signature grants to later revisions: DocMDP (its P
// value) and FieldMDP (the fields it locks).

// mdpRule is what one signature allows after it.
type mdpRule struct {
	after  int64 // the rule applies to revisions that start at or after this offset
	docMDP int   // 1–3, 0 for none
	lock   *fieldMDP
}

// sigMDP reads a signature's DocMDP and FieldMDP permissions: its
// /Reference entries, the catalog's /Perms /DocMDP, and the field's /Lock.
func sigMDP(r *pdf.Reader, v, field *pdf.Dict, end int64, locks map[*pdf.Dict]*fieldMDP) mdpRule {
	rule := mdpRule{after: end}
	refs, _ := r.Resolve(v.Get("Reference"))
	ra, _ := refs.(pdf.Array)
	// Read for every field: a /Reference or /Fields list of thousands,
	// named by hundreds of fields, is counted in the reader's steps.
	if r.Step(len(ra)) != nil {
		return rule
	}
	seen := map[pdf.Object]bool{}
	for _, ref := range ra {
		if r.LimitErr() != nil {
			return rule
		}
		// The same reference twice says nothing more (a hostile file names
		// one thousands of times).
		if _, isRef := ref.(pdf.Ref); isRef {
			if seen[ref] {
				continue
			}
			seen[ref] = true
		}
		d, err := r.ResolveDict(ref)
		if err != nil || d == nil {
			continue
		}
		tp, _ := r.ResolveDict(d.Get("TransformParams"))
		switch d.NameOf("TransformMethod") {
		case "DocMDP":
			rule.docMDP = 2
			if p, ok := pdf.ToInt(tp.Get("P")); ok && p >= 1 && p <= 3 {
				rule.docMDP = int(p)
			}
		case "FieldMDP":
			rule.lock = lockOf(r, tp, locks)
		}
	}
	if rule.lock == nil && field != nil {
		if l, _ := r.ResolveDict(field.Get("Lock")); l != nil {
			rule.lock = lockOf(r, l, locks)
		}
	}
	return rule
}

// lockOf reads a FieldMDP lock; locks keeps those read (fields may share one).
func lockOf(r *pdf.Reader, d *pdf.Dict, locks map[*pdf.Dict]*fieldMDP) *fieldMDP {
	if d == nil {
		return nil
	}
	if l, ok := locks[d]; ok {
		return l
	}
	l := lockOf1(r, d)
	if locks != nil {
		locks[d] = l
	}
	return l
}

func lockOf1(r *pdf.Reader, d *pdf.Dict) *fieldMDP {
	l := &fieldMDP{action: d.NameOf("Action")}
	fo, _ := r.Resolve(d.Get("Fields"))
	fa, _ := fo.(pdf.Array)
	if r.Step(len(fa)) != nil {
		return l
	}
	for _, f := range fa {
		if s, ok := f.(pdf.String); ok {
			l.fields = append(l.fields, pdf.DecodeTextString(s.B))
		}
	}
	return l
}
