package verify

import (
	"fmt"
	"sort"

	"github.com/certigna-desktop/app/internal/pdf"
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
	ReasonVisible  = "visible"  // the pages show something else than what was signed (verify_visual.go)
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
	// Visible: pages that show something else than the signed revision
	// did, beyond what the later changes may paint (verify_visual.go).
	// Not empty ⇒ not allowed.
	Visible []PageChange `json:"visible_changes,omitempty"`
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
// revisionSteps: listing one revision in a signature's report costs as
// much as this many reader steps (a revision entry is a few hundred bytes).
const revisionSteps = 64

type changeAnalyser struct {
	reports map[int64]*ChangeReport // by the end of the signed range
	r       *pdf.Reader
	revs    []revGroup
	diffs   map[int]*revDiff
	states  map[int]analysedState
	// trailing: data after the last revision end (see applyChanges).
	trailing bool
}

func newChangeAnalyser(r *pdf.Reader, ends []revision) *changeAnalyser {
	return &changeAnalyser{r: r, revs: docRevisions(r, ends), diffs: map[int]*revDiff{}}
}

func (a *changeAnalyser) diff(g revGroup) *revDiff {
	if d, ok := a.diffs[g.index]; ok {
		return d
	}
	if a.r.LimitErr() != nil {
		// A bound was reached: Verify refuses the file (exit 7); stop here.
		return &revDiff{level: lvOther}
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
	// Revisions are analysed oldest first, each needing the state before
	// and after it: keeping the last two is enough, keeping all would hold
	// a copy of the xref per revision.
	if len(a.states) >= 2 {
		clear(a.states)
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
	if r.Step(len(nums)) != nil {
		d.level = lvOther
		return d
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

// report judges the revisions after a signature ending at end.
func (a *changeAnalyser) report(end int64, rules []mdpRule) *ChangeReport {
	// Fields naming one signature share its report (the rules are the
	// same for all): hundreds of them would each list every revision.
	if cr, ok := a.reports[end]; ok {
		// Still listed once more in the verdict (and its JSON).
		if a.r.Step(revisionSteps*len(cr.Revisions)) != nil {
			return &ChangeReport{Class: ClassOther, Revisions: []RevisionChange{}}
		}
		return cr
	}
	if a.reports == nil {
		a.reports = map[int64]*ChangeReport{}
	}
	cr := &ChangeReport{Class: ClassNone, Allowed: true, Revisions: []RevisionChange{}}
	a.reports[end] = cr
	top := lvNone
	for _, g := range a.revs {
		if g.start < end {
			continue
		}
		// Each revision listed costs memory and output: counted, with the
		// FieldMDP lists checked against its fields.
		if a.r.Step(revisionSteps) != nil {
			cr.Allowed, cr.Class = false, ClassOther
			return cr
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
				if a.r.Step(len(d.touched)*len(rl.lock.fields)) != nil {
					break
				}
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
	if a.trailing {
		top = lvOther
		cr.Allowed = false
		cr.Revisions = append(cr.Revisions, RevisionChange{Revision: len(a.revs) + 1, Class: ClassOther, Reason: ReasonOther,
			Details: []string{"data appended without a cross-reference section"}})
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
