package pdfsign

import (
	"github.com/certigna-desktop/app/internal/pdf"

	"fmt"
	"sort"
	"strings"
)

// The change analysis: what each revision after a signature changed, object
// by object, and whether the signatures' DocMDP and FieldMDP permissions
// allow it. Every change must be cleared by a rule; anything not understood
// is "other" and never allowed (the approach of pyHanko's difference
// analysis and DSS's modification detection; the code is our own).

// Change classes, least to most intrusive (ChangeReport.Class).
const (
	ClassNone        = "none"        // nothing after the signature
	ClassLTV         = "ltv"         // validation data: DSS, VRI, document timestamps
	ClassSignatures  = "signatures"  // signatures or signature fields added
	ClassFormFill    = "form_fill"   // form field values and their widgets' appearances
	ClassAnnotations = "annotations" // comments and other annotations
	ClassOther       = "other"       // anything else: page content, structure…
)

// Why a revision is not allowed (RevisionChange.Reason).
const (
	ReasonOther    = "other"    // a change no rule allows
	ReasonDocMDP   = "docmdp"   // more than the certification (DocMDP P) allows
	ReasonFieldMDP = "fieldmdp" // a field locked by a signature (FieldMDP) was changed
)

var classNames = []string{ClassNone, ClassLTV, ClassSignatures, ClassFormFill, ClassAnnotations, ClassOther}

const (
	lvNone = iota
	lvLTV
	lvSignatures
	lvFormFill
	lvAnnotations
	lvOther
)

// ChangeReport is what changed after one signature.
type ChangeReport struct {
	Class     string           `json:"class"`
	Allowed   bool             `json:"allowed"`
	DocMDP    int              `json:"docmdp,omitempty"` // the strictest certification permission in force (1, 2, 3), 0 if none
	Revisions []RevisionChange `json:"revisions"`
}

// RevisionChange is one later revision.
type RevisionChange struct {
	Revision int      `json:"revision"` // 1-based, oldest first
	Class    string   `json:"class"`
	Allowed  bool     `json:"allowed"`
	Reason   string   `json:"reason,omitempty"`
	Fields   []string `json:"fields,omitempty"` // form fields filled or signed
	Details  []string `json:"details,omitempty"`
}

// revGroup is one revision: the xref sections that end at the same %%EOF.
type revGroup struct {
	index      int   // 1-based
	start, end int64 // first section's offset; end of the revision
}

// docRevisions groups the xref sections by the revision end that follows them.
func docRevisions(r *pdf.Reader, ends []revision) []revGroup {
	offs := make([]int64, 0, len(r.Sections))
	for _, s := range r.Sections {
		offs = append(offs, s.Offset)
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	var out []revGroup
	for i, e := range ends {
		g := revGroup{index: i + 1, start: -1, end: e.end}
		for _, o := range offs {
			if o < e.markerEnd && (i == 0 || o >= ends[i-1].end) {
				if g.start < 0 {
					g.start = o
				}
			}
		}
		if g.start < 0 {
			if i > 0 {
				g.start = ends[i-1].end
			} else {
				g.start = 0
			}
		}
		out = append(out, g)
	}
	return out
}

// revDiff is what one revision changed.
type revDiff struct {
	level   int
	details []string
	touched []string // fields whose value or appearance changed, or that were signed
	signed  []string // signature fields signed in this revision
}

func (d *revDiff) raise(lv int, format string, a ...any) {
	if lv > d.level {
		d.level = lv
	}
	if lv == lvNone || len(d.details) >= 20 {
		return
	}
	msg := fmt.Sprintf(format, a...)
	for _, m := range d.details {
		if m == msg {
			return
		}
	}
	d.details = append(d.details, msg)
}

// changeAnalyser caches per-revision diffs for one verification.
type changeAnalyser struct {
	r      *pdf.Reader
	revs   []revGroup
	diffs  map[int]*revDiff
	states map[int]analysedState
}

func newChangeAnalyser(r *pdf.Reader, ends []revision) *changeAnalyser {
	return &changeAnalyser{r: r, revs: docRevisions(r, ends), diffs: map[int]*revDiff{}}
}

func (a *changeAnalyser) diff(g revGroup) *revDiff {
	if d, ok := a.diffs[g.index]; ok {
		return d
	}
	prev, pr := a.state(g.start)
	cur, cr := a.state(g.end)
	d := diffStates(a.r, prev, cur, pr, cr, g)
	a.diffs[g.index] = d
	return d
}

// state is the document before offset bound and its roles, kept: one
// revision's "after" is the next one's "before".
func (a *changeAnalyser) state(bound int64) (*pdf.State, *stateRoles) {
	if a.states == nil {
		a.states = map[int]analysedState{}
	}
	key := 0 // the same sections make the same state
	for _, sec := range a.r.Sections {
		if sec.Offset < bound {
			key++
		}
	}
	if s, ok := a.states[key]; ok {
		return s.st, s.roles
	}
	st := a.r.StateBefore(bound)
	ro := rolesOf(st)
	a.states[key] = analysedState{st, ro}
	return st, ro
}

type analysedState struct {
	st    *pdf.State
	roles *stateRoles
}

func diffStates(r *pdf.Reader, prev, cur *pdf.State, pr, cr *stateRoles, g revGroup) *revDiff {
	d := &revDiff{}
	nums := map[int]bool{}
	for _, s := range r.Sections {
		if s.Offset >= g.start && s.Offset < g.end {
			for n := range s.Entries {
				nums[n] = true
			}
		}
	}
	var modified, freed, created []int
	for n := range nums {
		if n == 0 {
			continue
		}
		switch {
		case !cur.InUse(n):
			if prev.InUse(n) {
				freed = append(freed, n)
			}
		case !prev.InUse(n):
			created = append(created, n)
		default:
			o1, err1 := prev.Fetch(n)
			o2, err2 := cur.Fetch(n)
			if err1 != nil || err2 != nil {
				d.raise(lvOther, "object %d unreadable", n)
				continue
			}
			if !pdf.SameObject(prev, o1, cur, o2) {
				modified = append(modified, n)
			}
		}
	}
	sort.Ints(modified)
	c := &classifier{prev: prev, cur: cur, pr: pr, cr: cr, d: d, filled: map[string]bool{}, signing: map[string]bool{}}
	c.collectFilled(modified)
	// One walk of the new state: deleted objects must be unused, and an
	// object an unchanged older object points to must not be new — that
	// reference was dangling (read as null) when the signature was made, and
	// defining it now would change the signed revision without touching it.
	if len(freed)+len(created) > 0 {
		isNew := map[int]bool{}
		for _, n := range created {
			isNew[n] = true
		}
		reach := cur.Walk(func(n int, o pdf.Object) {
			if nums[n] {
				return
			}
			pdf.RefsIn(o, func(r pdf.Ref) {
				if isNew[r.Num] {
					d.raise(lvOther, "object %d was referenced before it existed", r.Num)
				}
			})
		})
		c.curReach = reach
		for _, n := range freed {
			if reach[n] {
				d.raise(lvOther, "object %d deleted while still used", n)
			}
		}
	}
	for _, n := range modified {
		c.classify(n)
	}
	// A revision may point the trailer at a new catalog: judge it against
	// the old one as if it had been rewritten in place.
	if pr.catalog != cr.catalog {
		c.catalog(prev.Catalog(), cur.Catalog())
	}
	for name := range c.filled {
		d.touched = append(d.touched, name)
	}
	for name := range c.signing {
		d.signed = append(d.signed, name)
		if fi := pr.byName[name]; fi != nil { // an existing (empty) signature field
			d.touched = append(d.touched, name)
		}
	}
	sort.Strings(d.touched)
	sort.Strings(d.signed)
	return d
}

type classifier struct {
	prev, cur *pdf.State
	pr, cr    *stateRoles
	d         *revDiff
	filled    map[string]bool // non-signature fields whose value changed
	signing   map[string]bool // signature fields that got a value in this revision
	curReach  map[int]bool
	drOnly    map[int]bool // objects only /DR reaches (formOnly)
}

// collectFilled finds the fields filled or signed in this revision, before
// judging appearances (which may only change with their field's value).
func (c *classifier) collectFilled(modified []int) {
	for name, fi := range c.cr.byName {
		if fi.ft != "Sig" || !fi.signed {
			continue
		}
		if old := c.pr.byName[name]; old == nil || !old.signed {
			c.signing[name] = true
		}
	}
	for _, n := range modified {
		fi := c.cr.fields[n]
		if fi == nil || fi.ft == "Sig" {
			continue
		}
		o, n2 := c.prev.Dict(pdf.Ref{Num: n}), c.cur.Dict(pdf.Ref{Num: n})
		if !sameValue(o.Get("V"), n2.Get("V")) {
			c.filled[fi.name] = true
		}
	}
}

func sameValue(a, b pdf.Object) bool { return pdf.EqualObj(a, b) }

// changedKeys lists the keys whose value differs between a and b.
func changedKeys(a, b *pdf.Dict) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range append(a.Keys(), b.Keys()...) {
		if seen[k] {
			continue
		}
		seen[k] = true
		if !sameValue(a.Get(k), b.Get(k)) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func (c *classifier) classify(n int) {
	cr, pr := c.cr, c.pr
	oldD, newD := c.prev.Dict(pdf.Ref{Num: n}), c.cur.Dict(pdf.Ref{Num: n})
	switch {
	case n == cr.catalog || n == pr.catalog:
		c.catalog(oldD, newD)
	case n == cr.acroForm:
		c.acroForm(oldD, newD)
	case n == cr.fieldsArr:
		c.fieldList(c.prev.Array(pdf.Ref{Num: n}), c.cur.Array(pdf.Ref{Num: n}))
	case cr.pages[n] != 0:
		for _, k := range changedKeys(oldD, newD) {
			if k == "Annots" {
				c.annotList(c.prev.Array(oldD.Get("Annots")), c.cur.Array(newD.Get("Annots")))
				continue
			}
			if pdf.EqualObj(pageValue(c.prev, oldD, k), pageValue(c.cur, newD, k)) {
				continue // the same attribute, spelled or inherited differently
			}
			c.d.raise(lvOther, "page %d: /%s changed", cr.pages[n], k)
		}
	case cr.annotsArr[n] != 0:
		c.annotList(c.prev.Array(pdf.Ref{Num: n}), c.cur.Array(pdf.Ref{Num: n}))
	case cr.fields[n] != nil || cr.widgets[n] != nil:
		c.field(n, oldD, newD)
	case cr.apOwner[n] != 0:
		c.appearanceOf(cr.apOwner[n], fmt.Sprintf("appearance stream %d", n))
	case cr.annots[n] != 0:
		c.d.raise(lvAnnotations, "annotation %d on page %d changed", n, cr.pages[cr.annots[n]])
	case cr.dss[n]:
		c.d.raise(lvLTV, "DSS")
	case cr.sigValues[n] || pr.sigValues[n]:
		c.d.raise(lvOther, "signature dictionary %d changed", n)
	case n == cr.info || n == cr.metadata:
		// Document information (producer, modification date): not content.
	case cr.pageNodes[n] || pr.pageNodes[n] || pr.pages[n] != 0:
		c.d.raise(lvOther, "page tree object %d changed", n)
	default:
		o, _ := c.cur.Fetch(n)
		if s, ok := o.(*pdf.Stream); ok {
			if t := s.Dict.NameOf("Type"); t == "XRef" || t == "ObjStm" {
				return // structure: the objects inside are judged one by one
			}
		}
		if c.curReach == nil {
			c.curReach = c.cur.Reachable()
		}
		switch {
		case !c.curReach[n]:
			// Unused: changes nothing shown.
		case c.formOnly(n):
			// A resource only the form's defaults use (/DR fonts): it
			// shapes appearances made later, not what is shown now.
			c.d.raise(lvFormFill, "form resource %d changed", n)
		default:
			c.d.raise(lvOther, "object %d changed", n)
		}
	}
}

// formOnly: object n is reachable from the form's default resources (/DR)
// and from nothing the pages show (contents, resources, annotations and
// their appearances).
func (c *classifier) formOnly(n int) bool {
	if c.drOnly == nil {
		c.drOnly = map[int]bool{}
		cat := c.cur.Catalog()
		af := c.cur.Dict(cat.Get("AcroForm"))
		if af == nil {
			return false
		}
		dr := reachFrom(c.cur, af.Get("DR"))
		if len(dr) == 0 {
			return false
		}
		shown := reachFrom(c.cur, cat.Get("Pages"))
		for k := range dr {
			if !shown[k] {
				c.drOnly[k] = true
			}
		}
	}
	return c.drOnly[n]
}

// reachFrom lists the objects reachable from o in st.
func reachFrom(st *pdf.State, o pdf.Object) map[int]bool {
	seen := map[int]bool{}
	var stack []int
	pdf.RefsIn(o, func(r pdf.Ref) { stack = append(stack, r.Num) })
	for len(stack) > 0 && len(seen) < maxRoleObjects {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		if x, err := st.Fetch(n); err == nil {
			pdf.RefsIn(x, func(r pdf.Ref) {
				if !seen[r.Num] {
					stack = append(stack, r.Num)
				}
			})
		}
	}
	return seen
}

func (c *classifier) catalog(oldD, newD *pdf.Dict) {
	for _, k := range changedKeys(oldD, newD) {
		switch k {
		case "AcroForm":
			c.acroForm(c.prev.Dict(oldD.Get(k)), c.cur.Dict(newD.Get(k)))
		case "DSS", "Extensions":
			c.d.raise(lvLTV, "catalog /%s", k)
		case "Metadata":
		default:
			c.d.raise(lvOther, "catalog: /%s changed", k)
		}
	}
}

func (c *classifier) acroForm(oldD, newD *pdf.Dict) {
	for _, k := range changedKeys(oldD, newD) {
		switch k {
		case "Fields":
			c.fieldList(c.prev.Array(oldD.Get(k)), c.cur.Array(newD.Get(k)))
		case "SigFlags":
		case "DR", "DA":
			// Resources for the new fields' appearances.
			if len(c.signing) > 0 && len(c.filled) == 0 {
				c.d.raise(lvSignatures, "form /%s", k)
			} else {
				c.d.raise(lvFormFill, "form /%s changed", k)
			}
		case "NeedAppearances":
			c.d.raise(lvFormFill, "form /NeedAppearances changed")
		default:
			c.d.raise(lvOther, "form: /%s changed", k)
		}
	}
}

func numsOf(a pdf.Array) map[int]bool {
	m := map[int]bool{}
	for _, e := range a {
		if n := refNum(e); n != 0 {
			m[n] = true
		}
	}
	return m
}

func (c *classifier) fieldList(oldA, newA pdf.Array) {
	o, n := numsOf(oldA), numsOf(newA)
	for k := range o {
		if !n[k] {
			c.d.raise(lvOther, "form field %d removed", k)
		}
	}
	for k := range n {
		if o[k] {
			continue
		}
		fi := c.cr.fields[k]
		switch {
		case fi == nil:
			c.d.raise(lvOther, "form: object %d added to the fields", k)
		case c.prev.InUse(k) && c.pr.fields[k] == nil:
			c.d.raise(lvOther, "form: existing object %d made a field", k)
		case fi.ft == "Sig" && !c.smuggles(fi):
			c.newSigField(fi)
		default:
			c.d.raise(lvOther, "form field %q added", fi.name)
		}
	}
}

// smuggles: a new signature field must not carry other new field types
// in its kids.
func (c *classifier) smuggles(sig *fieldInfo) bool {
	for name, fi := range c.cr.byName {
		if fi.ft != "Sig" && strings.HasPrefix(name, sig.name+".") && c.pr.byName[name] == nil {
			return true
		}
	}
	return false
}

func (c *classifier) newSigField(fi *fieldInfo) {
	if fi.docTS {
		c.d.raise(lvLTV, "document timestamp %q", fi.name)
	} else {
		c.d.raise(lvSignatures, "signature field %q", fi.name)
	}
}

func (c *classifier) annotList(oldA, newA pdf.Array) {
	o, n := numsOf(oldA), numsOf(newA)
	for k := range o {
		if n[k] {
			continue
		}
		if c.pr.widgets[k] != nil {
			c.d.raise(lvOther, "form widget %d removed from its page", k)
		} else {
			c.d.raise(lvAnnotations, "annotation %d removed", k)
		}
	}
	for k := range n {
		if o[k] {
			continue
		}
		switch fi := c.cr.widgets[k]; {
		case fi != nil && fi.ft == "Sig":
			if fi.docTS {
				c.d.raise(lvLTV, "document timestamp widget")
			} else {
				c.d.raise(lvSignatures, "signature widget %q", fi.name)
			}
		case fi != nil:
			c.d.raise(lvOther, "widget of field %q added to a page", fi.name)
		case c.prev.InUse(k) && c.pr.annots[k] == 0:
			c.d.raise(lvOther, "existing object %d put on a page", k)
		default:
			c.d.raise(lvAnnotations, "annotation %d added", k)
		}
	}
}

// appearanceOf judges a changed appearance of annotation owner: a widget's
// appearance may change only with its field's value (or its signing); any
// other annotation's is an annotation change.
func (c *classifier) appearanceOf(owner int, what string) {
	if fi := c.cr.widgets[owner]; fi != nil {
		switch {
		case fi.ft == "Sig" && c.signing[fi.name]:
			c.d.raise(lvSignatures, "%s of signature %q", what, fi.name)
		case fi.ft != "Sig" && c.filled[fi.name]:
			c.d.raise(lvFormFill, "%s of field %q", what, fi.name)
		default:
			c.d.raise(lvOther, "%s of field %q changed without its value", what, fi.name)
		}
		return
	}
	if c.cr.annots[owner] != 0 {
		c.d.raise(lvAnnotations, "%s of annotation %d", what, owner)
		return
	}
	c.d.raise(lvOther, "%s changed", what)
}

var sigFillKeys = map[string]bool{"V": true, "AP": true, "AS": true, "F": true, "MK": true, "Rect": true, "DA": true, "Lock": true, "SV": true, "P": true}

func (c *classifier) field(n int, oldD, newD *pdf.Dict) {
	fi := c.cr.fields[n]
	if fi == nil {
		fi = c.cr.widgets[n]
	}
	if fi == nil {
		c.d.raise(lvOther, "object %d changed", n)
		return
	}
	keys := changedKeys(oldD, newD)
	if fi.ft == "Sig" {
		old := c.pr.byName[fi.name]
		if old != nil && old.signed {
			c.d.raise(lvOther, "signed field %q changed (%v)", fi.name, keys)
			return
		}
		for _, k := range keys {
			if !sigFillKeys[k] {
				c.d.raise(lvOther, "signature field %q: /%s changed", fi.name, k)
			} else if c.signing[fi.name] {
				c.newSigField(fi)
			} else {
				c.d.raise(lvFormFill, "empty signature field %q: /%s changed", fi.name, k)
			}
		}
		return
	}
	for _, k := range keys {
		switch k {
		case "V":
			c.d.raise(lvFormFill, "field %q filled", fi.name)
		case "AP", "AS":
			c.appearanceOf(n, "/"+k)
		default:
			c.d.raise(lvOther, "field %q: /%s changed", fi.name, k)
		}
	}
}

// mdpRule is what one signature allows after it.
type mdpRule struct {
	after  int64 // the rule applies to revisions that start at or after this offset
	docMDP int   // 1–3, 0 for none
	lock   *fieldMDP
}

// sigMDP reads a signature's DocMDP and FieldMDP permissions: its
// /Reference entries, the catalog's /Perms /DocMDP, and the field's /Lock.
func sigMDP(r *pdf.Reader, v, field *pdf.Dict, end int64) mdpRule {
	rule := mdpRule{after: end}
	refs, _ := r.Resolve(v.Get("Reference"))
	ra, _ := refs.(pdf.Array)
	for _, ref := range ra {
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
			rule.lock = lockOf(r, tp)
		}
	}
	if rule.lock == nil && field != nil {
		if l, _ := r.ResolveDict(field.Get("Lock")); l != nil {
			rule.lock = lockOf(r, l)
		}
	}
	return rule
}

func lockOf(r *pdf.Reader, d *pdf.Dict) *fieldMDP {
	if d == nil {
		return nil
	}
	l := &fieldMDP{action: d.NameOf("Action")}
	fo, _ := r.Resolve(d.Get("Fields"))
	fa, _ := fo.(pdf.Array)
	for _, f := range fa {
		if s, ok := f.(pdf.String); ok {
			l.fields = append(l.fields, pdf.DecodeTextString(s.B))
		}
	}
	return l
}

// report judges the revisions after a signature ending at end.
func (a *changeAnalyser) report(end int64, rules []mdpRule) *ChangeReport {
	cr := &ChangeReport{Class: ClassNone, Allowed: true, Revisions: []RevisionChange{}}
	top := lvNone
	for _, g := range a.revs {
		if g.start < end {
			continue
		}
		d := a.diff(g)
		rc := RevisionChange{Revision: g.index, Class: classNames[d.level], Allowed: true, Details: d.details}
		rc.Fields = append(append([]string(nil), d.signed...), d.touched...)
		rc.Fields = dedupStrings(rc.Fields)
		p := 0
		for _, rl := range rules {
			if rl.after > g.start {
				continue
			}
			if rl.docMDP > 0 && (p == 0 || rl.docMDP < p) {
				p = rl.docMDP
			}
			if rl.lock != nil {
				for _, f := range d.touched {
					if rl.lock.locks(f) {
						rc.Allowed, rc.Reason = false, ReasonFieldMDP
						rc.Details = append(rc.Details, fmt.Sprintf("field %q is locked", f))
					}
				}
			}
		}
		if p > 0 && (cr.DocMDP == 0 || p < cr.DocMDP) {
			cr.DocMDP = p
		}
		max := lvAnnotations // an approval signature alone: anything but "other"
		switch p {
		case 1:
			max = lvLTV
		case 2:
			max = lvFormFill
		}
		switch {
		case d.level == lvOther:
			rc.Allowed, rc.Reason = false, ReasonOther
		case d.level > max:
			rc.Allowed, rc.Reason = false, ReasonDocMDP
		}
		if d.level > top {
			top = d.level
		}
		if !rc.Allowed {
			cr.Allowed = false
		}
		cr.Revisions = append(cr.Revisions, rc)
	}
	cr.Class = classNames[top]
	return cr
}

func dedupStrings(a []string) []string {
	sort.Strings(a)
	out := a[:0]
	for i, s := range a {
		if i == 0 || s != a[i-1] {
			out = append(out, s)
		}
	}
	return out
}

var pageInherited = map[string]bool{"MediaBox": true, "CropBox": true, "Rotate": true, "Resources": true}

// pageValue is a page attribute as a viewer sees it: inherited from the page
// tree, boxes defaulted (CropBox to MediaBox, the others to CropBox), and
// references inside arrays resolved. Writers copy inherited boxes onto the
// page when they save it; that changes nothing shown.
func pageValue(st *pdf.State, page *pdf.Dict, key string) pdf.Object {
	v := page.Get(key)
	if v == nil && pageInherited[key] {
		p := page
		for i := 0; i < 32 && v == nil; i++ {
			p = st.Dict(p.Get("Parent"))
			if p == nil {
				break
			}
			v = p.Get(key)
		}
	}
	if v == nil {
		switch key {
		case "CropBox":
			return pageValue(st, page, "MediaBox")
		case "BleedBox", "TrimBox", "ArtBox":
			return pageValue(st, page, "CropBox")
		case "Rotate":
			return pdf.Int(0)
		}
		return nil
	}
	v, _ = st.Resolve(v)
	if a, ok := v.(pdf.Array); ok {
		out := make(pdf.Array, len(a))
		for i, e := range a {
			out[i], _ = st.Resolve(e)
		}
		return out
	}
	return v
}
