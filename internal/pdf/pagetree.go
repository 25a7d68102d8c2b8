package pdf

import "slices"

// The one walker of the page tree: signing (finding the page to sign), the
// signature fields' pages and the change analysis all read the tree through
// it, with the same bounds and the same idea of what a page is.

// Source is what the tree walkers read from: a *Reader (the latest
// revision) or a *State (one revision).
type Source interface {
	Resolve(o Object) (Object, error)
	Step(n int) error
}

// Bounds of the tree walks. A hostile file can make a tree deep, wide or
// looping: a walk never follows a node twice, leaves out what is deeper
// than the bound, and every node read costs a step of the reader's budget.
// More nodes than the bound end the walk with a limit error: a verifier
// must not miss a signature silently.
const (
	MaxPageDepth  = 64        // page-tree nesting
	MaxPageNodes  = 1_000_000 // page-tree nodes read in one walk
	MaxFieldDepth = 32        // field-tree nesting
	MaxFieldNodes = 100_000   // field-tree nodes read in one walk
)

func errTreeLimit(what string, limit int64) error {
	return &ReadError{Kind: readLimit, Err: &LimitError{What: what, Limit: limit}}
}

// Page is a page met by the walk, with its inheritable attributes as
// written on it or its nearest ancestor (unresolved; nil when none).
type Page struct {
	Ref   Ref // {0 0} for a direct page dictionary
	Dict  *Dict
	Index int // 1-based, among the pages met by this walk
	Depth int // 0 for a root that is itself a page

	Resources, MediaBox, CropBox, Rotate Object
}

// PageWalk walks a page tree in order.
type PageWalk struct {
	// Node, if set, is called for each intermediate node (the root
	// included, at depth 0); false skips the node's subtree.
	Node func(ref Ref, d *Dict, depth int) bool
	// Page is called for each page; false ends the walk.
	Page func(p *Page) bool
	// Lenient: a node that cannot be read is skipped; otherwise the walk
	// ends with the error.
	Lenient bool

	// Looped is set by Walk when a kid named a node already met.
	Looped bool
}

// IsPageNode reports whether d is an intermediate node of the page tree:
// /Type /Pages, or kids without /Type /Page (writers leave /Type out).
func IsPageNode(d *Dict) bool {
	return d.NameOf("Type") == "Pages" || (d.NameOf("Type") != "Page" && d.Has("Kids"))
}

// Inheritable are the page attributes a page takes from its nearest
// ancestor that has them (PDF 32000-1 7.7.3.4).
var Inheritable = []string{"Resources", "MediaBox", "CropBox", "Rotate"}

// InheritedValue is a page attribute as written on the page or its nearest
// ancestor (by /Parent, as deep as the walk goes), unresolved; nil when
// none has it or key is not inheritable.
func InheritedValue(src Source, page *Dict, key string) Object {
	v := page.Get(key)
	if v != nil || !slices.Contains(Inheritable, key) {
		return v
	}
	p := page
	for i := 0; i < MaxPageDepth && v == nil; i++ {
		if p, _ = resolveDict(src, p.Get("Parent")); p == nil {
			return nil
		}
		v = p.Get(key)
	}
	return v
}

type inherited struct{ resources, media, crop, rotate Object }

func (in inherited) from(d *Dict) inherited {
	pick := func(cur Object, k string) Object {
		if v := d.Get(k); v != nil {
			return v
		}
		return cur
	}
	return inherited{pick(in.resources, "Resources"), pick(in.media, "MediaBox"), pick(in.crop, "CropBox"), pick(in.rotate, "Rotate")}
}

// Walk walks the tree under root (the catalog's /Pages). It returns the
// first read error (none when Lenient) or the bound reached.
func (w *PageWalk) Walk(src Source, root Object) error {
	seen := map[int]bool{}
	nodes, pages := 0, 0
	stop := false
	var walk func(o Object, in inherited, depth int) error
	walk = func(o Object, in inherited, depth int) error {
		ref, isRef := o.(Ref)
		if isRef {
			if seen[ref.Num] {
				w.Looped = true
				return nil
			}
			seen[ref.Num] = true
		}
		if depth > MaxPageDepth {
			return nil
		}
		if nodes >= MaxPageNodes {
			return errTreeLimit("page_nodes", MaxPageNodes)
		}
		nodes++
		if err := src.Step(1); err != nil {
			return err
		}
		d, err := resolveDict(src, o)
		if err != nil {
			if w.Lenient {
				return nil
			}
			return err
		}
		if d == nil {
			return nil
		}
		in = in.from(d)
		if !IsPageNode(d) {
			pages++
			p := &Page{Ref: ref, Dict: d, Index: pages, Depth: depth,
				Resources: in.resources, MediaBox: in.media, CropBox: in.crop, Rotate: in.rotate}
			stop = !w.Page(p)
			return nil
		}
		if w.Node != nil && !w.Node(ref, d, depth) {
			return nil
		}
		ko, err := src.Resolve(d.Get("Kids"))
		if err != nil && !w.Lenient {
			return err
		}
		kids, _ := ko.(Array)
		for _, k := range kids {
			if err := walk(k, in, depth+1); err != nil || stop {
				return err
			}
		}
		return nil
	}
	return walk(root, inherited{}, 0)
}

func resolveDict(src Source, o Object) (*Dict, error) {
	o, err := src.Resolve(o)
	if err != nil {
		return nil, err
	}
	switch v := o.(type) {
	case *Dict:
		return v, nil
	case *Stream:
		return v.Dict, nil
	}
	return nil, nil
}
