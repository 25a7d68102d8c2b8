package pdf

import (
	"bytes"
	"crypto/sha256"
	"io"
	"math"
	"sort"
)

// A document state as of one revision: the xref sections up to that
// revision only, so that an object can be read as it was when a signature
// was made. Object streams are read through the state's own xref (a later
// revision may reuse an object stream's number).

// State is the document as of one revision.
type State struct {
	r       *Reader
	xref    map[int]XrefEntry
	Trailer *Dict
	objstms map[int]*objStm
	cache   map[int]Object
}

// StateBefore is the document as it was before the byte offset bound: every
// xref section that starts before it.
func (r *Reader) StateBefore(bound int64) *State {
	st := &State{r: r, xref: map[int]XrefEntry{}, objstms: map[int]*objStm{}, cache: map[int]Object{}}
	r.Step(len(r.Sections)) // the sort below, once per state
	secs := append([]*XrefSection(nil), r.Sections...)
	sort.SliceStable(secs, func(i, j int) bool { return secs[i].Offset > secs[j].Offset }) // newest first
	for _, s := range secs {
		if s.Offset >= bound {
			continue
		}
		// Each revision's state copies the entries before it: a file of
		// thousands of small updates over a wide xref would copy it
		// thousands of times. Counted as steps; a state cut short by the
		// bound reads nothing (Fetch below).
		if r.Step(2*len(s.Entries)+1) != nil { // a map insert costs about two steps
			break
		}
		for n, e := range s.Entries {
			if _, ok := st.xref[n]; !ok {
				st.xref[n] = e
			}
		}
		if st.Trailer == nil {
			st.Trailer = s.trailer.Clone()
		} else {
			for _, k := range []string{"Root", "Info", "ID", "Encrypt"} {
				if !st.Trailer.Has(k) && s.trailer.Has(k) {
					st.Trailer.Set(k, s.trailer.Get(k))
				}
			}
		}
	}
	if st.Trailer == nil {
		st.Trailer = &Dict{}
	}
	return st
}

// InUse: object n exists in this state.
func (st *State) InUse(n int) bool {
	e, ok := st.xref[n]
	return ok && e.Typ != 0
}

// Fetch reads object n as of this state (nil when free or missing).
func (st *State) Fetch(n int) (Object, error) {
	// Counted even when cached: the analysis reads each revision's state,
	// and a loop over a large array of references is a loop of fetches.
	if err := st.r.Step(1); err != nil {
		return nil, err
	}
	if o, ok := st.cache[n]; ok {
		return o, nil
	}
	// Once a bound is reached the analysis is refused anyway (the caller
	// returns Reader.LimitErr): stop reading instead of going on.
	if err := st.r.lim.err; err != nil {
		return nil, err
	}
	e, ok := st.xref[n]
	if !ok || e.Typ == 0 {
		return nil, nil
	}
	var o Object
	var err error
	if e.Typ == 2 {
		o, err = st.r.fetchCompressed(st.xref, st.objstms, n, int(e.off), e.gen)
	} else {
		o, err = st.r.FetchEntry(n, e)
	}
	if err != nil {
		return nil, err
	}
	if len(st.cache) > 8192 {
		clear(st.cache)
	}
	st.cache[n] = o
	return o, nil
}

// Resolve follows references in this state.
func (st *State) Resolve(o Object) (Object, error) { return resolveWith(st.Fetch, o) }

// Dict resolves o to a dictionary (a stream's too), or nil.
func (st *State) Dict(o Object) *Dict {
	d, _ := resolveDict(st, o)
	return d
}

// Array resolves o to an array, or nil.
func (st *State) Array(o Object) Array {
	o, _ = st.Resolve(o)
	a, _ := o.(Array)
	return a
}

// Catalog is the state's document catalog.
func (st *State) Catalog() *Dict { return st.Dict(st.Trailer.Get("Root")) }

// streamDigest hashes a stream's raw (still encoded) bytes, streamed, so
// that two versions of a large stream compare without loading them.
func (st *State) streamDigest(s *Stream) [32]byte {
	h := sha256.New()
	lo, _ := st.Resolve(s.Dict.Get("Length"))
	length, ok := ToInt(lo)
	if !ok || length < 0 || s.Offset+length > st.r.size {
		if l, err := st.r.findEndstream(s.Offset); err == nil {
			length = l
		} else {
			length = 0
		}
	}
	io.Copy(h, io.NewSectionReader(st.r.f, s.Offset, length))
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// SameObject: same value and, for streams, the same data.
func SameObject(a *State, x Object, b *State, y Object) bool {
	xs, xok := x.(*Stream)
	ys, yok := y.(*Stream)
	if xok != yok {
		return false
	}
	if !xok {
		return EqualObj(x, y)
	}
	// /Length may be direct in one and indirect in the other.
	xd, yd := xs.Dict.Clone(), ys.Dict.Clone()
	xd.Del("Length")
	yd.Del("Length")
	if !EqualObj(xd, yd) {
		return false
	}
	if xs.Offset == ys.Offset && a.r == b.r {
		return true
	}
	return a.streamDigest(xs) == b.streamDigest(ys)
}

// RefsIn calls fn for every reference inside o (stream dictionaries included).
func RefsIn(o Object, fn func(Ref)) {
	switch v := o.(type) {
	case Ref:
		fn(v)
	case Array:
		for _, e := range v {
			RefsIn(e, fn)
		}
	case *Dict:
		for _, e := range v.kv {
			RefsIn(e.v, fn)
		}
	case *Stream:
		RefsIn(v.Dict, fn)
	}
}

// Reachable lists the object numbers reachable from the trailer.
func (st *State) Reachable() map[int]bool { return st.Walk(nil) }

// Walk is Reachable with a visitor called for every object read.
func (st *State) Walk(visit func(n int, o Object)) map[int]bool {
	return st.Reach(st.Trailer, 5_000_000, nil, func(n int, o Object) bool {
		if visit != nil && o != nil {
			visit(n, o)
		}
		return true
	})
}

// Reach walks, depth first, the objects reachable from o through
// dictionaries and arrays: content streams name resources, never objects,
// so stream data is not read. visit, if set, is called for each object
// number reached, with the object (nil when it cannot be read), and ends
// the walk by returning false; skip, if set, names keys of a read
// dictionary not to follow. At most max objects; every reference costs a
// step of the reader's budget (every revision's state may be walked: an
// unchanged array of a million references would be gone through each time).
func (st *State) Reach(o Object, max int, skip func(key string) bool, visit func(n int, o Object) bool) map[int]bool {
	seen := map[int]bool{}
	var stack []int
	push := func(x Object) int {
		refs := 0
		RefsIn(x, func(r Ref) {
			refs++
			if !seen[r.Num] {
				stack = append(stack, r.Num)
			}
		})
		return refs
	}
	push(o)
	for len(stack) > 0 && len(seen) < max && st.r.lim.err == nil {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		x, err := st.Fetch(n)
		if err != nil {
			x = nil
		}
		if visit != nil && !visit(n, x) {
			break
		}
		refs := 0
		if d, _ := resolveDict(st, x); d != nil && skip != nil {
			for _, k := range d.Keys() {
				if !skip(k) {
					refs += push(d.Get(k))
				}
			}
		} else {
			refs = push(x)
		}
		if st.r.Step(refs+1) != nil {
			break
		}
	}
	return seen
}

// Step counts n steps of a walk of this state in the reader's budget.
func (st *State) Step(n int) error { return st.r.Step(n) }

// EqualObj compares two PDF values by meaning, not by spelling: 612 and
// 612.0 are equal, a hex and a literal string with the same bytes are equal,
// dictionary key order and null entries do not matter (writers such as
// mutool re-spell an object they save again).
func EqualObj(a, b Object) bool {
	if af, ok := ToFloat(a); ok {
		// mutool re-writes reals in single precision (594.95996 → 594.95999):
		// a thousandth of a point is invisible.
		bf, ok := ToFloat(b)
		return ok && math.Abs(af-bf) <= 1e-3
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case Name:
		y, ok := b.(Name)
		return ok && x == y
	case String:
		y, ok := b.(String)
		return ok && bytes.Equal(x.B, y.B)
	case Ref:
		y, ok := b.(Ref)
		return ok && x == y
	case Array:
		y, ok := b.(Array)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !EqualObj(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Dict:
		y, ok := b.(*Dict)
		if !ok {
			return false
		}
		// Get is a linear search: for a large dictionary look the keys up
		// in a map, or two of 100,000 keys cost 10^10 comparisons.
		xm, ym := x.Lookup(), y.Lookup()
		for _, e := range x.kv {
			if !EqualObj(e.v, ym(e.k)) {
				return false
			}
		}
		for _, e := range y.kv {
			if e.v != nil && xm(e.k) == nil {
				return false
			}
		}
		return true
	case *Stream:
		y, ok := b.(*Stream)
		return ok && EqualObj(x.Dict, y.Dict)
	}
	return false
}

// ObjectOffset is where object n starts in the file, if it is stored
// uncompressed in the latest revision.
func (r *Reader) ObjectOffset(n int) (int64, bool) {
	e, ok := r.Xref[n]
	if !ok || e.Typ != 1 {
		return 0, false
	}
	return e.off, true
}
