package verify

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/certigna-desktop/app/internal/pdf"
)

// Classifying one changed object: what a catalog, AcroForm, field list,
// annotation list, signature field or appearance may change and still be a
// signature, a form fill, an annotation or LTV data.

type classifier struct {
	prev, cur *pdf.State
	pr, cr    *stateRoles
	d         *revDiff
	filled    map[string]bool // non-signature fields whose value changed
	signing   map[string]bool // signature fields that got a value in this revision
	curReach  map[int]bool
	drOnly    map[int]bool // objects only /DR reaches (formOnly)
	// newParents: names of which a new non-signature field is a descendant.
	newParents map[string]bool
	// drawn: objects the pages' contents and resources reach in the
	// signed state (pageDraws), made on first need.
	drawn map[int]bool
}

// paintingWidget is a widget of field fi (in the new state) that paints.
func (c *classifier) paintingWidget(fi *fieldInfo) int {
	for w, f := range c.cr.widgets {
		if f == fi && paints(c.cur, c.cur.Dict(pdf.Ref{Num: w})) {
			return w
		}
	}
	return 0
}

// paints: an annotation with a normal appearance, a rectangle of some area,
// and not hidden (flags Hidden 2, NoView 32).
func paints(st *pdf.State, d *pdf.Dict) bool {
	if d == nil {
		return false
	}
	if f, ok := d.Get("F").(pdf.Int); ok && f&(2|32) != 0 {
		return false
	}
	ap := st.Dict(d.Get("AP"))
	if ap == nil || ap.Get("N") == nil {
		return false
	}
	r := numbers(st, d.Get("Rect"))
	return len(r) == 4 && math.Abs(r[2]-r[0]) >= 1 && math.Abs(r[3]-r[1]) >= 1
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
	ag, bg := a.Lookup(), b.Lookup() // linear in the keys, never quadratic
	for _, k := range append(a.Keys(), b.Keys()...) {
		if seen[k] {
			continue
		}
		seen[k] = true
		if !sameValue(ag(k), bg(k)) {
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
		if c.pageDraws(n) {
			// Shared between an appearance and what a page draws: a
			// signature or fill rewriting it rewrites the signed page.
			c.d.raise(lvOther, "object %d, drawn by a page, changed as an appearance", n)
			return
		}
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
		if keys := changedKeys(oldD, newD); oldD != nil && newD != nil && len(keys) == 1 && keys[0] == "ITXT" {
			return // iText's version marker on the page tree: not shown
		}
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

func (c *classifier) catalog(oldD, newD *pdf.Dict) {
	for _, k := range changedKeys(oldD, newD) {
		switch k {
		case "AcroForm":
			c.acroForm(c.prev.Dict(oldD.Get(k)), c.cur.Dict(newD.Get(k)))
		case "DSS", "Extensions":
			c.d.raise(lvLTV, "catalog /%s", k)
		case "Metadata", "Version":
			// The PDF version raised next to a DSS or extensions by
			// validation tools: nothing shown changes.
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
	// The parents of the new non-signature fields, found once: a revision
	// adding thousands of signature fields would otherwise go through
	// every field for each.
	if c.newParents == nil {
		c.newParents = map[string]bool{}
		for name, fi := range c.cr.byName {
			if fi.ft == "Sig" || c.pr.byName[name] != nil {
				continue
			}
			for i := strings.LastIndexByte(name, '.'); i >= 0; i = strings.LastIndexByte(name[:i], '.') {
				c.newParents[name[:i]] = true
			}
		}
	}
	return c.newParents[sig.name]
}

func (c *classifier) newSigField(fi *fieldInfo) {
	if !fi.signed {
		// An empty signature field that paints something (the Sneaky
		// Signature Attack: "further signatures were added" — none was).
		if w := c.paintingWidget(fi); w != 0 {
			c.d.raise(lvOther, "empty signature field %q with an appearance (widget %d)", fi.name, w)
			return
		}
	}
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
		case fi != nil && fi.ft == "Sig" && !fi.signed && paints(c.cur, c.cur.Dict(pdf.Ref{Num: k})):
			c.d.raise(lvOther, "widget %d of empty signature field %q with an appearance", k, fi.name)
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
			} else if (k == "AP" || k == "Rect" || k == "F") && paints(c.cur, newD) {
				c.d.raise(lvOther, "empty signature field %q: its appearance changed and it paints", fi.name)
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
