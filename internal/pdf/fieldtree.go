package pdf

import "errors"

// The one walker of the interactive form's field tree (/AcroForm /Fields
// and their /Kids): listing signature fields to sign, finding signatures to
// verify and the change analysis's roles all read it here.

// Field is a node of the field tree met by the walk: a field, or a widget
// kid of one. FT, Ff, V and DA are inherited from the nearest ancestor that
// has them (PDF 32000-1 12.7.3.1); V and DA are left unresolved.
type Field struct {
	Ref    Ref // {0 0} for a direct dictionary
	Dict   *Dict
	Parent *Field // nil at the top of /Fields
	Depth  int
	// Name is the fully qualified name: the parent's and this node's /T
	// joined with "."; a node without /T has its parent's name.
	Name string
	HasT bool

	FT string
	Ff int64
	V  Object
	DA Object
}

// ErrSkipKids, returned by a visit, leaves the node's kids unread (it is
// not an error: the walk goes on).
var ErrSkipKids = errors.New("skip kids")

// WalkFields visits the field tree under fields (the /Fields array or a
// reference to it) in order, parents before their kids. A node that cannot
// be read ends the walk with its error, or is skipped when lenient; the
// visit's own error, or the bound reached, ends the walk and is returned.
func WalkFields(src Source, fields Object, lenient bool, visit func(*Field) error) error {
	top, err := src.Resolve(fields)
	if err != nil {
		if lenient {
			return nil
		}
		return err
	}
	seen := map[int]bool{}
	nodes := 0
	var walk func(o Object, parent *Field, depth int) error
	walk = func(o Object, parent *Field, depth int) error {
		ref, isRef := o.(Ref)
		if isRef && seen[ref.Num] {
			return nil
		}
		if depth > MaxFieldDepth {
			return nil
		}
		if nodes >= MaxFieldNodes {
			return errTreeLimit("field_nodes", MaxFieldNodes)
		}
		if isRef {
			seen[ref.Num] = true
		}
		nodes++
		if err := src.Step(1); err != nil {
			return err
		}
		d, err := resolveDict(src, o)
		if err != nil && !lenient {
			return err
		}
		if d == nil {
			return nil
		}
		f := &Field{Ref: ref, Dict: d, Parent: parent, Depth: depth}
		if parent != nil {
			f.Name, f.FT, f.Ff, f.V, f.DA = parent.Name, parent.FT, parent.Ff, parent.V, parent.DA
		}
		if t, ok := d.Get("T").(String); ok {
			f.HasT = true
			if f.Name != "" {
				f.Name += "."
			}
			f.Name += DecodeTextString(t.B)
		}
		if v := d.NameOf("FT"); v != "" {
			f.FT = v
		}
		if v, ok := ToInt(d.Get("Ff")); ok {
			f.Ff = v
		}
		if v := d.Get("V"); v != nil {
			f.V = v
		}
		if v := d.Get("DA"); v != nil {
			f.DA = v
		}
		switch err := visit(f); {
		case errors.Is(err, ErrSkipKids):
			return nil
		case err != nil:
			return err
		}
		ko, err := src.Resolve(d.Get("Kids"))
		if err != nil && !lenient {
			return err
		}
		kids, _ := ko.(Array)
		for _, k := range kids {
			if err := walk(k, f, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	arr, _ := top.(Array)
	for _, o := range arr {
		if err := walk(o, nil, 0); err != nil {
			return err
		}
	}
	return nil
}
