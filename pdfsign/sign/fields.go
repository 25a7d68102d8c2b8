package sign

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
)

// Signature fields that a form already has (administration forms come with
// an empty field "Signature" placed where the signature must go): Sign
// fills the one chosen (Options.Field), or the only empty one, instead of
// adding a new invisible field; the stamp then goes in its rectangle. The
// field's seed values (/SV) and the FieldMDP locks of the signatures
// already in the document are checked before any PIN (Check).

// FieldInfo describes a signature field of a document.
type FieldInfo struct {
	Name   string     `json:"name"`   // fully qualified ("form.Signature")
	Signed bool       `json:"signed"` // has a value: already signed
	Page   int        `json:"page"`   // 1-based; 0 when the widget is on no page
	Rect   [4]float64 `json:"rect"`   // llx, lly, urx, ury; zero size = invisible
	// OnPage is Rect in page coordinates (place.go: x, y, w, h on the page
	// as displayed, from its bottom-left), for the window's preview.
	OnPage [4]float64 `json:"on_page"`
	Lock   bool       `json:"lock"` // signing it locks fields (/Lock)
	Seed   bool       `json:"seed"` // it has seed values (/SV)
}

// Visible reports whether the field has a rectangle large enough for a stamp.
func (f FieldInfo) Visible() bool {
	return f.Rect[2]-f.Rect[0] >= 10 && f.Rect[3]-f.Rect[1] >= 10
}

// formSigField is a signature field as found in the AcroForm.
type formSigField struct {
	FieldInfo
	ref     pdf.Ref // the terminal field
	widget  pdf.Ref // its (first) widget; = ref when merged
	pageRef pdf.Ref
	lock    *pdf.Dict
	sv      *pdf.Dict
	value   *pdf.Dict // the signature dictionary, when signed
}

// SignatureFields lists the signature fields of the PDF at path (for the
// GUI's choice). It does not need a PIN.
func SignatureFields(path string) ([]FieldInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, doc.NewErr(pdfsign.KindInputNotFound, path, err)
		}
		return nil, doc.NewErr(pdfsign.KindIO, path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, doc.NewErr(pdfsign.KindIO, path, err)
	}
	r, err := doc.OpenForSigning(f, st.Size())
	if err != nil {
		return nil, doc.WithPath(err, path)
	}
	catalog, err := r.ResolveDict(r.Trailer.Get("Root"))
	if err != nil || catalog == nil {
		return nil, doc.NewErr(pdfsign.KindDamaged, path, errors.New("catalog missing"))
	}
	fs, err := listSigFields(r, catalog)
	if err != nil {
		return nil, doc.WithPath(err, path)
	}
	out := make([]FieldInfo, len(fs))
	pages := map[int]*pageInfo{}
	for i, f := range fs {
		out[i] = f.FieldInfo
		if f.Page <= 0 || !f.Visible() {
			continue
		}
		pg, ok := pages[f.Page]
		if !ok {
			pg, _ = findPage(r, catalog, f.Page) // nil: the field is not shown
			pages[f.Page] = pg
		}
		if pg != nil {
			b := f.Rect
			out[i].OnPage = userToDisplay(VisibleBox(pg.MediaBox, pg.CropBox), pg.Rotate, [4]float64{b[0], b[1], b[2] - b[0], b[3] - b[1]})
		}
	}
	return out, nil
}

// listSigFields walks the AcroForm's field tree (names joined with ".",
// /FT inherited) and returns the signature fields: the terminal fields of
// type /Sig, each with its first widget.
func listSigFields(r *pdf.Reader, catalog *pdf.Dict) ([]*formSigField, error) {
	acro, err := r.ResolveDict(catalog.Get("AcroForm"))
	if err != nil || acro == nil {
		return nil, err
	}
	// A kid is a field if it has a name, or kids and no place on a page;
	// otherwise it is its field's widget.
	isField := func(f *pdf.Field) bool {
		return f.Parent == nil || f.HasT || (f.Dict.Has("Kids") && !f.Dict.Has("Rect"))
	}
	var order []*pdf.Field
	fieldKids := map[*pdf.Field]bool{}
	widgets := map[*pdf.Field][]pdf.Ref{}
	err = pdf.WalkFields(r, acro.Get("Fields"), false, func(f *pdf.Field) error {
		if !isField(f) {
			if f.Ref.Num != 0 {
				widgets[f.Parent] = append(widgets[f.Parent], f.Ref)
			}
			return pdf.ErrSkipKids
		}
		if f.Parent != nil {
			fieldKids[f.Parent] = true
		}
		if f.Ref.Num == 0 {
			return pdf.ErrSkipKids // a field must be an object of its own to be filled
		}
		order = append(order, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []*formSigField
	for _, f := range order {
		if f.FT != "Sig" || fieldKids[f] {
			continue
		}
		d := f.Dict
		sf := &formSigField{ref: f.Ref, widget: f.Ref}
		sf.Name = f.Name
		if w := widgets[f]; len(w) > 0 {
			sf.widget = w[0]
		}
		wd := d
		if sf.widget != f.Ref {
			if wd, err = r.ResolveDict(sf.widget); err != nil {
				return nil, err
			}
		}
		if v, err := r.ResolveDict(d.Get("V")); err == nil && v != nil {
			sf.Signed, sf.value = true, v
		}
		sf.lock, _ = r.ResolveDict(d.Get("Lock"))
		sf.sv, _ = r.ResolveDict(d.Get("SV"))
		sf.Lock, sf.Seed = sf.lock != nil, sf.sv != nil
		if wd != nil {
			sf.Rect = normRect(boxOf(r, wd.Get("Rect"), [4]float64{}))
			if p, ok := wd.Get("P").(pdf.Ref); ok {
				sf.pageRef = p
			}
		}
		out = append(out, sf)
	}
	if len(out) > 0 {
		if err := placeFields(r, catalog, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func normRect(b [4]float64) [4]float64 {
	if b[0] > b[2] {
		b[0], b[2] = b[2], b[0]
	}
	if b[1] > b[3] {
		b[1], b[3] = b[3], b[1]
	}
	return b
}

// placeFields finds each field's page number: the widget's /P, else the
// page whose /Annots holds the widget.
func placeFields(r *pdf.Reader, catalog *pdf.Dict, fs []*formSigField) error {
	pages, err := pageRefs(r, catalog, 100000)
	if err != nil {
		return err
	}
	num := map[int]int{}
	for i, p := range pages {
		num[p.Num] = i + 1
	}
	missing := 0
	for _, f := range fs {
		if n, ok := num[f.pageRef.Num]; ok && f.pageRef.Num != 0 {
			f.Page = n
		} else {
			f.pageRef = pdf.Ref{}
			missing++
		}
	}
	if missing == 0 {
		return nil
	}
	for i, p := range pages {
		if i > 5000 {
			break // a widget without /P on a huge document: left "on no page"
		}
		pd, err := r.ResolveDict(p)
		if err != nil || pd == nil {
			continue
		}
		ao, _ := r.Resolve(pd.Get("Annots"))
		annots, _ := ao.(pdf.Array)
		for _, a := range annots {
			ar, ok := a.(pdf.Ref)
			if !ok {
				continue
			}
			for _, f := range fs {
				if f.Page == 0 && f.widget.Num == ar.Num {
					f.Page, f.pageRef = i+1, p
				}
			}
		}
	}
	return nil
}

// pageRefs lists the page objects in order (at most limit).
func pageRefs(r *pdf.Reader, catalog *pdf.Dict, limit int) ([]pdf.Ref, error) {
	root, ok := catalog.Get("Pages").(pdf.Ref)
	if !ok {
		return nil, doc.Damagedf("catalog has no page tree")
	}
	var out []pdf.Ref
	w := pdf.PageWalk{Page: func(p *pdf.Page) bool {
		if p.Ref.Num != 0 {
			out = append(out, p.Ref)
		}
		return len(out) < limit
	}}
	return out, w.Walk(r, root)
}

// Field errors.
const (
	KindFieldNotFound pdfsign.Kind = "field_not_found" // Options.Field names no signature field
	KindFieldChoice   pdfsign.Kind = "field_choice"    // several empty signature fields: choose one
)

// chooseField picks the field to sign into: Options.Field, else the only
// empty one; nil means "add a new field". It refuses what the document's
// locks and the field's seed values forbid, and returns opts with the hash
// a seed value requires (when none was asked for).
// nameList joins field names for a message, the first few only: a hostile
// form has tens of thousands (issue #11).
func nameList(names []string) string {
	const shown = 20
	// Field names are the PDF's text: shown escaped (safetext.go).
	safe := make([]string, len(names))
	for i, n := range names {
		safe[i] = pdfsign.SafeText(n, 128)
	}
	names = safe
	if len(names) <= shown {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:shown], ", ") + fmt.Sprintf(", … (+%d)", len(names)-shown)
}

func chooseField(r *pdf.Reader, catalog *pdf.Dict, opts Options) (*formSigField, Options, error) {
	fs, err := listSigFields(r, catalog)
	if err != nil {
		return nil, opts, err
	}
	var target *formSigField
	if opts.Field != "" {
		for _, f := range fs {
			if f.Name == opts.Field {
				target = f
			}
		}
		if target == nil {
			var names []string
			for _, f := range fs {
				if !f.Signed {
					names = append(names, f.Name)
				}
			}
			return nil, opts, &pdfsign.Error{Kind: KindFieldNotFound, Err: assets.Reason{Key: "pdf.field.not_found",
				Data: map[string]any{"Field": pdfsign.SafeText(opts.Field, pdfsign.MaxTextRunes), "Names": nameList(names)}}}
		}
		if target.Signed {
			return nil, opts, &pdfsign.Error{Kind: pdfsign.KindForbidden, Err: assets.Reason{Key: "pdf.forbid.field_signed", Data: map[string]any{"Field": pdfsign.SafeText(target.Name, pdfsign.MaxTextRunes)}}}
		}
	} else {
		var empty []*formSigField
		var names []string
		for _, f := range fs {
			if !f.Signed {
				empty = append(empty, f)
				names = append(names, f.Name)
			}
		}
		if len(empty) > 1 {
			return nil, opts, &pdfsign.Error{Kind: KindFieldChoice, Err: assets.Reason{Key: "pdf.field.choose", Data: map[string]any{"Names": nameList(names)}}}
		}
		if len(empty) == 1 {
			target = empty[0]
		}
	}
	if err := checkFieldMDP(r, fs, target); err != nil {
		return nil, opts, err
	}
	if target != nil && target.sv != nil {
		if opts, err = checkSeedValues(r, target, opts); err != nil {
			return nil, opts, err
		}
	}
	return target, opts, nil
}
