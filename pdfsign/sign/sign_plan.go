package sign

import (
	"fmt"

	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
)

// Planning the incremental update of a signature: the signature dictionary
// with its placeholders, the field and widget, the AcroForm, the page's
// /Annots — read from the few objects on the way, never the page contents.

// pageInfo describes the page that carries the widget.
type pageInfo struct {
	Ref      pdf.Ref
	Number   int        // 1-based
	MediaBox [4]float64 // inherited if need be
	CropBox  [4]float64 // = MediaBox when absent
	Rotate   int        // 0, 90, 180, 270
	Dict     *pdf.Dict  // the page dictionary as read (do not modify)
	// Resources is the page's /Resources as written on it or inherited
	// (unresolved; nil when none).
	Resources pdf.Object
}

const (
	markContents  = "contents"  // the '<' of the /Contents placeholder
	markByteRange = "byterange" // the '[' of the /ByteRange placeholder
	byteRangeLen  = 48          // width of the /ByteRange array text
)

// sigPlan is the update of a signature, before hashing.
type sigPlan struct {
	u         *pdf.Increment
	sigRef    pdf.Ref
	field     string
	page      *pageInfo
	contentsN int   // bytes reserved for the CMS (hex digits = 2×)
	base      int64 // where the PDF starts in the input (bytes before %PDF are left out)
}

// planSignature prepares the update: signature dictionary, field/widget,
// AcroForm, page /Annots, catalog if need be.
func planSignature(r *pdf.Reader, cfg *signConfig, contentsN int) (*sigPlan, error) {
	u := pdf.NewIncrement(r)
	rootRef := r.Trailer.Get("Root").(pdf.Ref)
	catalog, err := r.ResolveDict(rootRef)
	if err != nil {
		return nil, err
	}
	if catalog == nil {
		return nil, doc.Damagedf("catalog missing")
	}
	if err := checkSignable(r, catalog, cfg.opts); err != nil {
		return nil, err
	}
	if cfg.fill != nil {
		return planFill(r, cfg, contentsN)
	}
	pg, err := findPage(r, catalog, cfg.opts.Page)
	if err != nil {
		return nil, err
	}
	catalog = catalog.Clone()
	catalogChanged := false

	// AcroForm: rewrite the object that holds it.
	form, err := pdf.ReadForm(r, catalog)
	if err != nil {
		return nil, err
	}
	if form.Dict == nil {
		form.Create(u, catalog)
		catalogChanged = true
	}
	name := cfg.field
	if name == "" {
		name, err = freeFieldName(r, form.Fields)
		if err != nil {
			return nil, err
		}
	}
	sigRef := u.Alloc()
	widgetRef := u.Alloc()
	form.AddField(widgetRef)
	form.SetSigFlags()
	if form.Put(u, catalog) {
		catalogChanged = true
	}

	// The widget, merged with its field.
	w := &pdf.Dict{}
	w.Set("Type", pdf.Name("Annot"))
	w.Set("Subtype", pdf.Name("Widget"))
	w.Set("FT", pdf.Name("Sig"))
	w.Set("T", pdf.TextString(name))
	w.Set("V", sigRef)
	w.Set("P", pg.Ref)
	w.Set("F", pdf.Int(132)) // hidden from view but printed flags: Print + Locked
	w.Set("Rect", pdf.Array{pdf.Int(0), pdf.Int(0), pdf.Int(0), pdf.Int(0)})
	if cfg.appearance != nil {
		rect, ap, err := cfg.appearance(pg, u)
		if err != nil {
			return nil, err
		}
		w.Set("Rect", pdf.Array{float64(rect[0]), float64(rect[1]), float64(rect[2]), float64(rect[3])})
		w.Set("F", pdf.Int(4|128))
		if ap != nil {
			w.Set("AP", ap)
		}
	}
	u.Put(widgetRef, w)

	// The page's /Annots (an indirect array is rewritten in place).
	if err := pdf.AddAnnot(r, u, pg.Ref, pg.Dict, widgetRef); err != nil {
		return nil, err
	}
	if catalogChanged {
		u.Put(rootRef, catalog)
	}

	// The signature dictionary, with fixed-width placeholders.
	putSigDict(u, sigRef, cfg, contentsN, nil)
	return &sigPlan{u: u, sigRef: sigRef, field: name, page: pg, contentsN: contentsN}, nil
}

// freeFieldName is the first "SignatureN" not used by a top-level field.
func freeFieldName(r *pdf.Reader, fields pdf.Array) (string, error) {
	used := map[string]bool{}
	for i, f := range fields {
		if i > 20000 {
			break
		}
		d, err := r.ResolveDict(f)
		if err != nil {
			return "", err
		}
		if s, ok := d.Get("T").(pdf.String); ok {
			used[pdf.DecodeTextString(s.B)] = true
		}
	}
	for n := 1; ; n++ {
		name := fmt.Sprintf("Signature%d", n)
		if !used[name] {
			return name, nil
		}
	}
}

// findPage walks the page tree to page n (0 = 1), carrying the inheritable
// boxes and rotation; only the nodes on the way are read (a subtree of
// pages before n is passed by its /Count).
func findPage(r *pdf.Reader, catalog *pdf.Dict, n int) (*pageInfo, error) {
	if n <= 0 {
		n = 1
	}
	rootRef, ok := catalog.Get("Pages").(pdf.Ref)
	if !ok {
		return nil, doc.Damagedf("catalog has no page tree")
	}
	root, err := r.ResolveDict(rootRef)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, doc.Damagedf("page tree missing")
	}
	total, _ := pdf.ToInt(root.Get("Count"))
	if int64(n) > total && total > 0 {
		return nil, &pdfsign.Error{Kind: pdfsign.KindPageRange, Err: fmt.Errorf("page %d of %d", n, total)}
	}
	want := n
	// in: the depth of the node the page is in; a walk that comes back
	// above it did not find the page where the counts said.
	in := 0
	var pi *pageInfo
	w := pdf.PageWalk{
		Node: func(ref pdf.Ref, d *pdf.Dict, depth int) bool {
			if depth == 0 {
				return true
			}
			if ref.Num == 0 { // a direct node cannot be written back: not a page of ours
				return false
			}
			if depth <= in {
				want = 0
				return false
			}
			if cnt, _ := pdf.ToInt(d.Get("Count")); int64(want) > cnt {
				want -= int(cnt)
				return false
			}
			in = depth
			return true
		},
		Page: func(p *pdf.Page) bool {
			if p.Ref.Num == 0 {
				return true
			}
			if p.Depth <= in && in > 0 {
				want = 0
			}
			if want != 1 {
				want--
				return want > 0
			}
			pi = &pageInfo{Ref: p.Ref, Number: n, Dict: p.Dict, Resources: p.Resources}
			pi.MediaBox = boxOf(r, p.MediaBox, [4]float64{0, 0, 612, 792})
			pi.CropBox = boxOf(r, p.CropBox, pi.MediaBox)
			if rv, err := r.Resolve(p.Rotate); err == nil {
				if v, ok := pdf.ToInt(rv); ok {
					pi.Rotate = normRotate(int(v % 360)) // as readers show it
				}
			}
			return false
		},
	}
	if err := w.Walk(r, rootRef); err != nil {
		return nil, err
	}
	if pi != nil {
		return pi, nil
	}
	// The root's /Count promised this page: a tree that loops or lies
	// about its counts is a damaged file, not a bad page number.
	if w.Looped || total > 0 {
		return nil, doc.Damagedf("page tree: page %d of %d not found (the tree loops or its /Count is wrong)", n, total)
	}
	return nil, &pdfsign.Error{Kind: pdfsign.KindPageRange, Err: fmt.Errorf("page %d not found", n)}
}

func boxOf(r *pdf.Reader, o pdf.Object, def [4]float64) [4]float64 {
	o, err := r.Resolve(o)
	a, ok := o.(pdf.Array)
	if err != nil || !ok || len(a) != 4 {
		return def
	}
	var box [4]float64
	for i := range box {
		ao, _ := r.Resolve(a[i])
		v, ok := pdf.ToFloat(ao)
		if !ok {
			return def
		}
		box[i] = v
	}
	return box
}
