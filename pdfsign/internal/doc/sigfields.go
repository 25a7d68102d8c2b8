package doc

import "github.com/certigna-desktop/app/internal/pdf"

// Finding the signature fields of a document: /AcroForm /Fields, kids
// included, that have a signature value.

// SigField is a signature field found in the form.
type SigField struct {
	Name  string
	V     *pdf.Dict
	Field *pdf.Dict // the field (or its widget) holding v
	VNum  int       // object number of v (0 if direct)
}

// signatureFields walks the AcroForm field tree for signed signature fields.
func SigFields(r *pdf.Reader) ([]SigField, error) {
	catalog, err := r.ResolveDict(r.Trailer.Get("Root"))
	if err != nil {
		return nil, err
	}
	if catalog == nil {
		return nil, Damagedf("catalog missing")
	}
	acro, err := r.ResolveDict(catalog.Get("AcroForm"))
	if err != nil || acro == nil {
		return nil, err
	}
	var out []SigField
	err = pdf.WalkFields(r, acro.Get("Fields"), false, func(f *pdf.Field) error {
		// A kid without /T is its field's widget, not a field: a /V there
		// (mupdf's signer, ours for poppler) repeats the field's.
		widgetKid := f.Parent != nil && !f.HasT
		if f.FT == "Sig" && f.Dict.Has("V") && !widgetKid {
			v, err := r.ResolveDict(f.Dict.Get("V"))
			if err != nil {
				return err
			}
			if v != nil {
				out = append(out, SigField{Name: f.Name, V: v, Field: f.Dict, VNum: vNum(f.Dict.Get("V"))})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// VNum is the object number of a field's /V (0 when direct).
func vNum(o pdf.Object) int {
	if r, ok := o.(pdf.Ref); ok {
		return r.Num
	}
	return 0
}
