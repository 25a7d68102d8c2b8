package verify

import (
	"bytes"
	"io"
	"sort"

	"github.com/certigna-desktop/app/internal/pdf"
)

// Revisions and what changed after a signature: where each revision ends
// (the %%EOF after each xref section) and whether the later ones only add
// signatures and their validation data.

// revision is where one revision ends: just after "%%EOF" (markerEnd) and
// after the end-of-line that follows it (end).
type revision struct{ markerEnd, end int64 }

// revisionEnds lists, oldest first, where revisions end, one per xref
// section (the first %%EOF after each section). Only the bytes after each
// section are searched, not the whole file: a 100 MB document is read once,
// for its digest.
func revisionEnds(f io.ReaderAt, size int64, r *pdf.Reader) ([]revision, error) {
	offs := make([]int64, 0, len(r.Sections))
	for _, s := range r.Sections {
		offs = append(offs, s.Offset)
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	// Sections in file order: the first %%EOF after a section is the one
	// found for the previous section when it lies beyond this one, so no
	// byte is searched twice (thousands of sections without a %%EOF between
	// them would otherwise each scan the rest of the file).
	var starts []int64
	found, none := int64(-1), false
	for _, o := range offs {
		if none {
			break // no %%EOF after an earlier section: none after this one
		}
		if found < o {
			p, ok := nextEOF(f, o, size)
			if !ok {
				none = true
				continue
			}
			found = p
		}
		starts = append(starts, found)
	}
	starts = dedup(starts)
	var revs []revision
	for _, o := range offs {
		k := sort.Search(len(starts), func(i int) bool { return starts[i] > o })
		if k == len(starts) {
			continue
		}
		me := starts[k] + 5
		if len(revs) > 0 && revs[len(revs)-1].markerEnd == me {
			continue
		}
		e := me
		eol := make([]byte, 2)
		n, _ := f.ReadAt(eol, me)
		if n > 0 && eol[0] == '\r' {
			e++
			if n > 1 && eol[1] == '\n' {
				e++
			}
		} else if n > 0 && eol[0] == '\n' {
			e++
		}
		revs = append(revs, revision{me, e})
	}
	if len(revs) == 0 {
		revs = append(revs, revision{size, size})
	} else if last := &revs[len(revs)-1]; last.end < size && isBlank(f, last.end, size) {
		// Blank bytes after the last %%EOF belong to the last revision.
		last.end = size
	}
	return revs, nil
}

func isBlank(f io.ReaderAt, from, to int64) bool {
	if to-from > 4096 {
		return false
	}
	b := make([]byte, to-from)
	f.ReadAt(b, from)
	return len(bytes.Trim(b, " \r\n\t\x00")) == 0
}

func dedup(a []int64) []int64 {
	sort.Slice(a, func(i, j int) bool { return a[i] < a[j] })
	out := a[:0]
	for i, v := range a {
		if i == 0 || v != a[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// laterChanges classifies what the revisions after end changed: only
// signatures (new signature fields, filled empty signature fields, the
// AcroForm's field list, page /Annots, a DSS) or something else.
func laterChanges(r *pdf.Reader, end int64) string {
	var later, earlier []*pdf.XrefSection
	for _, s := range r.Sections {
		if s.Offset >= end {
			later = append(later, s)
		} else {
			earlier = append(earlier, s)
		}
	}
	changed := map[int]bool{}
	for _, s := range later {
		if r.Step(len(s.Entries)) != nil {
			return ChangesUnknown // Verify returns the limit error
		}
		for n, e := range s.Entries {
			if e.Typ != 0 {
				changed[n] = true
			}
		}
	}
	for n := range changed {
		if r.Step(len(earlier)+1) != nil {
			return ChangesUnknown // Verify returns the limit error
		}
		var old *pdf.XrefEntry
		for _, s := range earlier {
			if e, ok := s.Entries[n]; ok {
				old = &e
				break
			}
		}
		if old == nil || old.Typ == 0 {
			continue // a new object cannot change what the signature saw unless something old points at it
		}
		oldObj, err1 := r.FetchEntry(n, *old)
		newObj, err2 := r.Fetch(n)
		if err1 != nil || err2 != nil {
			return ChangesOther
		}
		// Comparing serialises both objects: count it (a large object
		// changed once, and signatures by the hundred, would add up).
		if r.Step((len(pdf.AppendObject(nil, oldObj))+len(pdf.AppendObject(nil, newObj)))/16) != nil {
			return ChangesUnknown
		}
		if !AllowedChange(oldObj, newObj) {
			return ChangesOther
		}
	}
	return ChangesSignatures
}

func AllowedChange(oldObj, newObj pdf.Object) bool {
	if bytes.Equal(pdf.AppendObject(nil, oldObj), pdf.AppendObject(nil, newObj)) {
		if os, ok := oldObj.(*pdf.Stream); ok {
			ns, _ := newObj.(*pdf.Stream)
			return ns != nil && os.Offset == ns.Offset
		}
		return true
	}
	switch o := oldObj.(type) {
	case pdf.Array:
		n, ok := newObj.(pdf.Array)
		if !ok {
			return false
		}
		have := map[string]bool{}
		for _, e := range n {
			have[string(pdf.AppendObject(nil, e))] = true
		}
		for _, e := range o {
			if !have[string(pdf.AppendObject(nil, e))] {
				return false
			}
		}
		return true
	case *pdf.Dict:
		n, ok := newObj.(*pdf.Dict)
		if !ok {
			return false
		}
		var allowed map[string]bool
		switch {
		case o.NameOf("Type") == "Catalog":
			allowed = map[string]bool{"AcroForm": true, "DSS": true, "Extensions": true}
		case o.NameOf("Type") == "Page":
			allowed = map[string]bool{"Annots": true}
		case o.Has("Fields"):
			allowed = map[string]bool{"Fields": true, "SigFlags": true, "DR": true, "DA": true, "NeedAppearances": true}
		case o.NameOf("FT") == "Sig":
			if o.Has("V") {
				allowed = map[string]bool{"AP": true}
			} else {
				allowed = map[string]bool{"V": true, "AP": true, "F": true, "Rect": true, "MK": true}
			}
		default:
			return false
		}
		keys := map[string]bool{}
		for _, k := range o.Keys() {
			keys[k] = true
		}
		for _, k := range n.Keys() {
			keys[k] = true
		}
		og, ng := o.Lookup(), n.Lookup() // linear in the keys (a dictionary may have 100,000)
		for k := range keys {
			if allowed[k] {
				continue
			}
			if !bytes.Equal(pdf.AppendObject(nil, og(k)), pdf.AppendObject(nil, ng(k))) {
				return false
			}
		}
		return true
	}
	return false
}

// nextEOF is where the first "%%EOF" after off starts.
func nextEOF(f io.ReaderAt, off, size int64) (int64, bool) {
	buf := make([]byte, 64<<10)
	for pos := off; pos < size; {
		n, err := f.ReadAt(buf, pos)
		if n == 0 && err != nil {
			break
		}
		if j := bytes.Index(buf[:n], []byte("%%EOF")); j >= 0 {
			return pos + int64(j), true
		}
		if n < len(buf) {
			break
		}
		pos += int64(n) - 4 // overlap so that a marker across chunks is seen
	}
	return 0, false
}
