package pdfsign

import "github.com/certigna-desktop/app/internal/pdf"

// Finding the signature fields of a document: /AcroForm /Fields, kids
// included, that have a signature value.

// sigField is a signature field found in the form.
type sigField struct {
	name  string
	v     *pdf.Dict
	field *pdf.Dict // the field (or its widget) holding v
	vNum  int       // object number of v (0 if direct)
}

// signatureFields walks the AcroForm field tree for signed signature fields.
func signatureFields(r *pdf.Reader) ([]sigField, error) {
	catalog, err := r.ResolveDict(r.Trailer.Get("Root"))
	if err != nil {
		return nil, err
	}
	if catalog == nil {
		return nil, damagedf("catalog missing")
	}
	acro, err := r.ResolveDict(catalog.Get("AcroForm"))
	if err != nil || acro == nil {
		return nil, err
	}
	var out []sigField
	visited := map[int]bool{}
	var walk func(o pdf.Object, parent string, ft string, depth int) error
	walk = func(o pdf.Object, parent, ft string, depth int) error {
		if depth > 32 || len(visited) > 100000 {
			return nil
		}
		if ref, ok := o.(pdf.Ref); ok {
			if visited[ref.Num] {
				return nil
			}
			visited[ref.Num] = true
		}
		d, err := r.ResolveDict(o)
		if err != nil || d == nil {
			return err
		}
		name := parent
		if t, ok := d.Get("T").(pdf.String); ok {
			if name != "" {
				name += "."
			}
			name += pdf.DecodeTextString(t.B)
		}
		if v := d.NameOf("FT"); v != "" {
			ft = v
		}
		// A kid without /T is its field's widget, not a field: a /V there
		// (mupdf's signer, ours for poppler) repeats the field's.
		widgetKid := depth > 0 && !d.Has("T")
		if ft == "Sig" && d.Has("V") && !widgetKid {
			v, err := r.ResolveDict(d.Get("V"))
			if err != nil {
				return err
			}
			if v != nil {
				out = append(out, sigField{name: name, v: v, field: d, vNum: refNum(d.Get("V"))})
			}
		}
		kids, err := r.Resolve(d.Get("Kids"))
		if err != nil {
			return err
		}
		if a, ok := kids.(pdf.Array); ok {
			for _, k := range a {
				if err := walk(k, name, ft, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	fo, err := r.Resolve(acro.Get("Fields"))
	if err != nil {
		return nil, err
	}
	fa, _ := fo.(pdf.Array)
	for _, fld := range fa {
		if err := walk(fld, "", "", 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}
