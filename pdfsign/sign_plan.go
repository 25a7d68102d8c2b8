package pdfsign

import (
	"fmt"
	"time"

	"github.com/certigna-desktop/app/internal/pdf"
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
}

// pdfDate formats t as a PDF date.
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	if off == 0 {
		return t.Format("D:20060102150405") + "Z"
	}
	return fmt.Sprintf("%s%c%02d'%02d'", t.Format("D:20060102150405"), sign, off/3600, off%3600/60)
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
		return nil, damagedf("catalog missing")
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
	var acro *pdf.Dict
	var acroRef *pdf.Ref
	switch v := catalog.Get("AcroForm").(type) {
	case pdf.Ref:
		d, err := r.ResolveDict(v)
		if err != nil {
			return nil, err
		}
		if d != nil {
			acro = d.Clone()
			acroRef = &v
		}
	case *pdf.Dict:
		acro = v.Clone()
	}
	if acro == nil {
		acro = &pdf.Dict{}
		ref := u.Alloc()
		acroRef = &ref
		catalog.Set("AcroForm", ref)
		catalogChanged = true
	}
	var fields pdf.Array
	var fieldsRef *pdf.Ref
	switch v := acro.Get("Fields").(type) {
	case pdf.Ref:
		o, err := r.Resolve(v)
		if err != nil {
			return nil, err
		}
		if a, ok := o.(pdf.Array); ok {
			fields = append(pdf.Array(nil), a...)
			fieldsRef = &v
		}
	case pdf.Array:
		fields = v
	}
	name := cfg.field
	if name == "" {
		name, err = freeFieldName(r, fields)
		if err != nil {
			return nil, err
		}
	}
	sigRef := u.Alloc()
	widgetRef := u.Alloc()
	fields = append(fields, widgetRef)
	if fieldsRef != nil {
		u.Put(*fieldsRef, fields)
	} else {
		acro.Set("Fields", fields)
	}
	flags, _ := pdf.ToInt(acro.Get("SigFlags"))
	acro.Set("SigFlags", pdf.Int(flags|3))
	if acroRef != nil {
		u.Put(*acroRef, acro)
	} else {
		catalog.Set("AcroForm", acro)
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
	page := pg.Dict.Clone()
	switch v := page.Get("Annots").(type) {
	case pdf.Ref:
		o, err := r.Resolve(v)
		if err != nil {
			return nil, err
		}
		if a, ok := o.(pdf.Array); ok {
			u.Put(v, append(append(pdf.Array(nil), a...), widgetRef))
		} else {
			page.Set("Annots", pdf.Array{widgetRef})
			u.Put(pg.Ref, page)
		}
	case pdf.Array:
		page.Set("Annots", append(v, widgetRef))
		u.Put(pg.Ref, page)
	default:
		page.Set("Annots", pdf.Array{widgetRef})
		u.Put(pg.Ref, page)
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
// boxes and rotation; only the nodes on the way are read.
func findPage(r *pdf.Reader, catalog *pdf.Dict, n int) (*pageInfo, error) {
	if n <= 0 {
		n = 1
	}
	rootRef, ok := catalog.Get("Pages").(pdf.Ref)
	if !ok {
		return nil, damagedf("catalog has no page tree")
	}
	node, err := r.ResolveDict(rootRef)
	if err != nil {
		return nil, err
	}
	if node == nil {
		return nil, damagedf("page tree missing")
	}
	total, _ := pdf.ToInt(node.Get("Count"))
	if int64(n) > total && total > 0 {
		return nil, &Error{Kind: KindPageRange, Err: fmt.Errorf("page %d of %d", n, total)}
	}
	var media, crop pdf.Object
	var rotate pdf.Object
	inherit := func(d *pdf.Dict) {
		if v := d.Get("MediaBox"); v != nil {
			media = v
		}
		if v := d.Get("CropBox"); v != nil {
			crop = v
		}
		if v := d.Get("Rotate"); v != nil {
			rotate = v
		}
	}
	inherit(node)
	want := n
	visited := map[int]bool{rootRef.Num: true}
	cycle := false
	for steps := 0; steps < 1_000_000; steps++ {
		kidsObj, err := r.Resolve(node.Get("Kids"))
		if err != nil {
			return nil, err
		}
		kids, _ := kidsObj.(pdf.Array)
		descended := false
		for _, k := range kids {
			kref, ok := k.(pdf.Ref)
			if !ok {
				continue
			}
			if visited[kref.Num] {
				cycle = true
				continue
			}
			kd, err := r.ResolveDict(kref)
			if err != nil {
				return nil, err
			}
			if kd == nil {
				continue
			}
			isNode := kd.NameOf("Type") == "Pages" || (kd.NameOf("Type") != "Page" && kd.Has("Kids"))
			if isNode {
				cnt, _ := pdf.ToInt(kd.Get("Count"))
				if int64(want) > cnt {
					want -= int(cnt)
					continue
				}
				visited[kref.Num] = true
				node = kd
				inherit(kd)
				descended = true
				break
			}
			if want == 1 {
				inherit(kd)
				pi := &pageInfo{Ref: kref, Number: n, Dict: kd}
				pi.MediaBox = boxOf(r, media, [4]float64{0, 0, 612, 792})
				pi.CropBox = boxOf(r, crop, pi.MediaBox)
				if rv, err := r.Resolve(rotate); err == nil {
					if v, ok := pdf.ToInt(rv); ok {
						pi.Rotate = NormRotate(int(v % 360)) // as readers show it
					}
				}
				return pi, nil
			}
			want--
		}
		if !descended {
			// The root's /Count promised this page: a tree that loops or
			// lies about its counts is a damaged file, not a bad page number.
			if cycle || total > 0 {
				return nil, damagedf("page tree: page %d of %d not found (the tree loops or its /Count is wrong)", n, total)
			}
			return nil, &Error{Kind: KindPageRange, Err: fmt.Errorf("page %d not found", n)}
		}
	}
	return nil, damagedf("page tree too deep")
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
