// Package refcheck is a test helper: the property every signed output must
// have (issue 21). The input's bytes are a prefix of the output; every
// reference of the input resolves in the output to the same object, except
// the objects a signature intentionally updates (the catalog, the AcroForm
// and its /Fields, a page's /Annots, the signature field being filled);
// a reference to an object the input does not have still resolves to
// nothing; and no number the input uses or refers to is given to a new
// object. It reads both files completely: for tests, never the product.
package refcheck

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/certigna-desktop/app/internal/pdf"
)

// CheckFiles is Check on two files.
func CheckFiles(in, out string) error {
	a, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	return Check(a, b)
}

// read opens a file as the signer does: as it is when its xref describes
// it, else rebuilt by a scan.
func read(data []byte) (*pdf.Reader, error) {
	r, err := pdf.NewReaderDecrypting(bytes.NewReader(data), int64(len(data)))
	if err == nil {
		if err = r.CheckXref(); err == nil {
			return r, nil
		}
	}
	if r2, err2 := pdf.NewRepairedReader(bytes.NewReader(data), int64(len(data))); err2 == nil {
		return r2, nil
	}
	return nil, err
}

// Check checks the property for an input and the output signed from it.
func Check(in, out []byte) error {
	if !bytes.HasPrefix(out, in) {
		// Bytes before %PDF left out of the copy (internal/pdf/oddfiles.go).
		h := bytes.Index(in, []byte("%PDF-"))
		if h <= 0 || !bytes.HasPrefix(out, in[h:]) {
			return errors.New("the input is not a prefix of the output")
		}
	}
	rin, err := read(in)
	if err != nil {
		return fmt.Errorf("input: %v", err)
	}
	rout, err := pdf.NewReaderDecrypting(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		return fmt.Errorf("output: %v", err)
	}
	inEnd := int64(len(in)) - rin.Base()
	// The objects the update(s) write: entries of the sections after the input.
	// (A repaired input's update lists every object; those it does not
	// write keep their offset in the input.)
	updated := map[int]bool{}
	for _, s := range rout.Sections {
		if s.Offset >= inEnd {
			for n := range s.Entries {
				if off, ok := rout.ObjectOffset(n); ok && off >= inEnd {
					updated[n] = true
				}
			}
			if s.Stream {
				updated[s.Num] = true
			}
		}
	}
	if len(updated) == 0 {
		return errors.New("the output has no update after the input")
	}

	// Every object of the input, and every number it uses or refers to.
	objs := map[int]pdf.Object{}
	inUse := map[int]bool{}
	referred := map[int]bool{}
	nums := make([]int, 0, len(rin.Xref))
	for n := range rin.Xref {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	for _, n := range nums {
		if rin.Xref[n].Typ == 0 {
			continue
		}
		inUse[n] = true
		o, err := rin.Fetch(n)
		if err != nil {
			continue // unreadable in the input: nothing to compare
		}
		objs[n] = o
		pdf.RefsIn(o, func(r pdf.Ref) { referred[r.Num] = true })
	}
	pdf.RefsIn(rin.Trailer, func(r pdf.Ref) { referred[r.Num] = true })
	next := rin.NextFree() // after reading everything: above every number met

	root, _ := rin.Trailer.Get("Root").(pdf.Ref)
	var problems []string
	bad := func(format string, a ...any) {
		if len(problems) < 10 {
			problems = append(problems, fmt.Sprintf(format, a...))
		}
	}
	intended := intendedChanges(rin, objs, root)
	for n := range updated {
		if inUse[n] {
			if _, ok := intended[n]; !ok {
				bad("object %d (%s) rewritten, which a signature never changes", n, describe(objs[n]))
			}
			continue
		}
		if n < next {
			if referred[n] {
				bad("new object %d: the input already refers to that number (a dangling reference now points at it)", n)
			} else {
				bad("new object %d: below %d, a number the input uses or refers to", n, next)
			}
		}
	}
	for _, n := range nums {
		o, ok := objs[n]
		if !ok {
			continue
		}
		got, err := rout.Fetch(n)
		if err != nil {
			bad("object %d unreadable in the output: %v", n, err)
			continue
		}
		if keys, ok := intended[n]; ok {
			if msg := allowedChange(o, got, keys); msg != "" {
				bad("object %d (%s): %s", n, describe(o), msg)
			}
			continue
		}
		if !same(o, got) {
			bad("object %d (%s) reads differently in the output", n, describe(o))
		}
	}
	for n := range referred {
		if inUse[n] {
			continue
		}
		if got, err := rout.Fetch(n); err == nil && got != nil {
			bad("the input's dangling reference %d 0 R now resolves to %s", n, describe(got))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// intendedChanges lists the objects a signature may rewrite and the keys
// it may change in each (nil: an array that may only grow).
func intendedChanges(r *pdf.Reader, objs map[int]pdf.Object, root pdf.Ref) map[int][]string {
	m := map[int][]string{}
	// The catalog gets /AcroForm (B-LT: /DSS, /Extensions).
	m[root.Num] = []string{"AcroForm", "DSS", "Extensions"}
	cat, _ := objs[root.Num].(*pdf.Dict)
	if cat == nil {
		return m
	}
	acroForm := cat.Get("AcroForm")
	if ar, ok := acroForm.(pdf.Ref); ok {
		m[ar.Num] = []string{"Fields", "SigFlags", "DR", "DA"}
	}
	if af, _ := r.ResolveDict(acroForm); af != nil {
		if fr, ok := af.Get("Fields").(pdf.Ref); ok {
			m[fr.Num] = nil
		}
	}
	for n, o := range objs {
		d, ok := o.(*pdf.Dict)
		if !ok {
			continue
		}
		switch {
		case d.NameOf("Type") == "Page":
			m[n] = []string{"Annots"}
			if ar, ok := d.Get("Annots").(pdf.Ref); ok {
				m[ar.Num] = nil
			}
		case d.NameOf("FT") == "Sig" || d.NameOf("Subtype") == "Widget":
			// An empty signature field (and its widget) being filled.
			if d.Get("V") == nil {
				m[n] = []string{"V", "AP", "F", "MK"}
			}
		}
	}
	return m
}

// allowedChange says what is wrong with the change from a to b, "" if
// nothing: only the listed keys of a dictionary change; an array keeps its
// elements and may grow.
func allowedChange(a, b pdf.Object, keys []string) string {
	switch x := a.(type) {
	case pdf.Array:
		y, ok := b.(pdf.Array)
		if !ok || len(y) < len(x) || !pdf.EqualObj(x, y[:len(x)]) {
			return "an array whose elements changed (it may only grow)"
		}
		return ""
	case *pdf.Dict:
		y, ok := b.(*pdf.Dict)
		if !ok {
			return "no longer a dictionary"
		}
		allowed := map[string]bool{}
		for _, k := range keys {
			allowed[k] = true
		}
		for _, k := range union(x.Keys(), y.Keys()) {
			if !allowed[k] && !pdf.EqualObj(noNul(x.Get(k)), noNul(y.Get(k))) {
				return fmt.Sprintf("/%s changed", k)
			}
		}
		return ""
	}
	if !pdf.EqualObj(a, b) {
		return "changed"
	}
	return ""
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range append(append([]string(nil), a...), b...) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// same: the same value; a stream, the same dictionary and the same data
// (same place: the input is a prefix of the output).
func same(a, b pdf.Object) bool {
	if !pdf.EqualObj(a, b) {
		return false
	}
	if x, ok := a.(*pdf.Stream); ok {
		return x.Offset == b.(*pdf.Stream).Offset
	}
	return true
}

// noNul drops the NULs of names: a NUL is invalid in a name (written "#00"
// by some producers) and the writer leaves it out (internal/pdf/serialize.go).
func noNul(o pdf.Object) pdf.Object {
	switch v := o.(type) {
	case pdf.Name:
		return pdf.Name(strings.ReplaceAll(string(v), "\x00", ""))
	case pdf.Array:
		a := make(pdf.Array, len(v))
		for i, e := range v {
			a[i] = noNul(e)
		}
		return a
	case *pdf.Dict:
		d := &pdf.Dict{}
		for _, k := range v.Keys() {
			d.Set(strings.ReplaceAll(k, "\x00", ""), noNul(v.Get(k)))
		}
		return d
	}
	return o
}

func describe(o pdf.Object) string {
	switch v := o.(type) {
	case *pdf.Dict:
		if t := v.NameOf("Type"); t != "" {
			return "/" + t
		}
		return "a dictionary"
	case *pdf.Stream:
		if t := v.Dict.NameOf("Type"); t != "" {
			return "/" + t + " stream"
		}
		return "a stream"
	case pdf.Array:
		return "an array"
	case nil:
		return "nothing"
	}
	return fmt.Sprintf("%T", o)
}

// Hook is CheckFiles counting the files it checked (Checked), for a
// TestMain to install as testhook.Signed and report.
func Hook(in, out string) error {
	checked.Add(1)
	return CheckFiles(in, out)
}

var checked atomic.Int64

// Checked is the number of files Hook checked.
func Checked() int64 { return checked.Load() }
