package pdfsign

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"github.com/certigna-desktop/app/internal/pdf"
	"os"
	"strings"
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
			return nil, newErr(KindInputNotFound, path, err)
		}
		return nil, newErr(KindIO, path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, newErr(KindIO, path, err)
	}
	r, err := openForSigning(f, st.Size())
	if err != nil {
		return nil, withPath(err, path)
	}
	catalog, err := r.ResolveDict(r.Trailer.Get("Root"))
	if err != nil || catalog == nil {
		return nil, newErr(KindDamaged, path, errors.New("catalog missing"))
	}
	fs, err := listSigFields(r, catalog)
	if err != nil {
		return nil, withPath(err, path)
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
			out[i].OnPage = UserToDisplay(VisibleBox(pg.MediaBox, pg.CropBox), pg.Rotate, [4]float64{b[0], b[1], b[2] - b[0], b[3] - b[1]})
		}
	}
	return out, nil
}

// listSigFields walks the AcroForm's field tree (names joined with ".",
// /FT inherited) and returns the signature fields.
func listSigFields(r *pdf.Reader, catalog *pdf.Dict) ([]*formSigField, error) {
	acro, err := r.ResolveDict(catalog.Get("AcroForm"))
	if err != nil || acro == nil {
		return nil, err
	}
	fo, err := r.Resolve(acro.Get("Fields"))
	if err != nil {
		return nil, err
	}
	top, _ := fo.(pdf.Array)
	var out []*formSigField
	seen := map[int]bool{}
	count := 0
	var walk func(o pdf.Object, prefix, ft string, depth int) error
	walk = func(o pdf.Object, prefix, ft string, depth int) error {
		ref, ok := o.(pdf.Ref)
		if !ok || seen[ref.Num] || depth > 32 || count > 20000 {
			return nil
		}
		seen[ref.Num] = true
		count++
		d, err := r.ResolveDict(ref)
		if err != nil || d == nil {
			return err
		}
		name := prefix
		if t, ok := d.Get("T").(pdf.String); ok {
			if name != "" {
				name += "."
			}
			name += pdf.DecodeTextString(t.B)
		}
		if v := d.NameOf("FT"); v != "" {
			ft = v
		}
		ko, err := r.Resolve(d.Get("Kids"))
		if err != nil {
			return err
		}
		kids, _ := ko.(pdf.Array)
		// Kids that have no /T are this field's widgets, not fields.
		var widgets []pdf.Ref
		var fieldKids []pdf.Object
		for _, k := range kids {
			kd, err := r.ResolveDict(k)
			if err != nil {
				return err
			}
			if kd == nil {
				continue
			}
			if kd.Has("T") || (kd.Has("Kids") && !kd.Has("Rect")) {
				fieldKids = append(fieldKids, k)
			} else if kr, ok := k.(pdf.Ref); ok {
				widgets = append(widgets, kr)
			}
		}
		for _, k := range fieldKids {
			if err := walk(k, name, ft, depth+1); err != nil {
				return err
			}
		}
		if ft != "Sig" || len(fieldKids) > 0 {
			return nil
		}
		sf := &formSigField{ref: ref, widget: ref}
		sf.Name = name
		if len(widgets) > 0 {
			sf.widget = widgets[0]
		}
		wd := d
		if sf.widget != ref {
			if wd, err = r.ResolveDict(sf.widget); err != nil {
				return err
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
		return nil
	}
	for _, f := range top {
		if err := walk(f, "", "", 0); err != nil {
			return nil, err
		}
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
		return nil, damagedf("catalog has no page tree")
	}
	var out []pdf.Ref
	seen := map[int]bool{}
	var walk func(ref pdf.Ref, depth int) error
	walk = func(ref pdf.Ref, depth int) error {
		if seen[ref.Num] || depth > 64 || len(out) >= limit {
			return nil
		}
		seen[ref.Num] = true
		d, err := r.ResolveDict(ref)
		if err != nil || d == nil {
			return err
		}
		if d.NameOf("Type") == "Page" || !d.Has("Kids") {
			out = append(out, ref)
			return nil
		}
		ko, err := r.Resolve(d.Get("Kids"))
		if err != nil {
			return err
		}
		kids, _ := ko.(pdf.Array)
		for _, k := range kids {
			if kr, ok := k.(pdf.Ref); ok {
				if err := walk(kr, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, walk(root, 0)
}

// Field errors.
const (
	KindFieldNotFound Kind = "field_not_found" // Options.Field names no signature field
	KindFieldChoice   Kind = "field_choice"    // several empty signature fields: choose one
)

// chooseField picks the field to sign into: Options.Field, else the only
// empty one; nil means "add a new field". It refuses what the document's
// locks and the field's seed values forbid, and returns opts with the hash
// a seed value requires (when none was asked for).
// nameList joins field names for a message, the first few only: a hostile
// form has tens of thousands (issue #11).
func nameList(names []string) string {
	const shown = 20
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
			return nil, opts, &Error{Kind: KindFieldNotFound, Err: msgErr{key: "pdf.field.not_found",
				data: map[string]any{"Field": opts.Field, "Names": nameList(names)}}}
		}
		if target.Signed {
			return nil, opts, &Error{Kind: KindForbidden, Err: msgErr{key: "pdf.forbid.field_signed", data: map[string]any{"Field": target.Name}}}
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
			return nil, opts, &Error{Kind: KindFieldChoice, Err: msgErr{key: "pdf.field.choose", data: map[string]any{"Names": nameList(names)}}}
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

// checkFieldMDP applies the FieldMDP locks of the signatures already made
// (their /Reference transforms, and their fields' /Lock): /Action /All
// forbids any further form change, so any new signature; /Include and
// /Exclude forbid filling a listed (resp. unlisted) field.
func checkFieldMDP(r *pdf.Reader, fs []*formSigField, target *formSigField) error {
	var params []*pdf.Dict
	for _, f := range fs {
		if !f.Signed {
			continue
		}
		if f.lock != nil {
			params = append(params, f.lock)
		}
		ro, _ := r.Resolve(f.value.Get("Reference"))
		refs, _ := ro.(pdf.Array)
		for _, x := range refs {
			d, _ := r.ResolveDict(x)
			if d == nil || d.NameOf("TransformMethod") != "FieldMDP" {
				continue
			}
			if tp, _ := r.ResolveDict(d.Get("TransformParams")); tp != nil {
				params = append(params, tp)
			}
		}
	}
	for _, p := range params {
		fo, _ := r.Resolve(p.Get("Fields"))
		fa, _ := fo.(pdf.Array)
		listed := false
		for _, x := range fa {
			if s, ok := x.(pdf.String); ok && target != nil && pdf.DecodeTextString(s.B) == target.Name {
				listed = true
			}
		}
		switch p.NameOf("Action") {
		case "All":
			return &Error{Kind: KindForbidden, Err: msgErr{key: "pdf.forbid.locked_all"}}
		case "Include":
			if listed {
				return &Error{Kind: KindForbidden, Err: msgErr{key: "pdf.forbid.locked_field", data: map[string]any{"Field": target.Name}}}
			}
		case "Exclude":
			if target != nil && !listed {
				return &Error{Kind: KindForbidden, Err: msgErr{key: "pdf.forbid.locked_field", data: map[string]any{"Field": target.Name}}}
			}
		}
	}
	return nil
}

// Seed value flags (/SV /Ff, ISO 32000-1 table 234).
const (
	svFilter      = 1 << 0
	svSubFilter   = 1 << 1
	svReasons     = 1 << 3
	svAddRevInfo  = 1 << 5
	svDigest      = 1 << 6
	svTimeStampFf = 1 // in /TimeStamp's own /Ff
)

// checkSeedValues refuses a signature that the field's required seed
// values rule out, and picks the digest they ask for.
func checkSeedValues(r *pdf.Reader, f *formSigField, opts Options) (Options, error) {
	sv := f.sv
	ff, _ := pdf.ToInt(sv.Get("Ff"))
	refuse := func(what string, allowed any) (Options, error) {
		return opts, &Error{Kind: KindForbidden, Err: msgErr{key: "pdf.forbid.seed",
			data: map[string]any{"Field": f.Name, "What": what, "Allowed": allowed}}}
	}
	names := func(key string) []string {
		o, _ := r.Resolve(sv.Get(key))
		var out []string
		switch v := o.(type) {
		case pdf.Array:
			for _, x := range v {
				switch n := x.(type) {
				case pdf.Name:
					out = append(out, string(n))
				case pdf.String:
					out = append(out, pdf.DecodeTextString(n.B))
				}
			}
		case pdf.Name:
			out = append(out, string(v))
		}
		return out
	}
	if fl := sv.NameOf("Filter"); fl != "" && ff&svFilter != 0 && fl != "Adobe.PPKLite" {
		return refuse("Filter", fl)
	}
	if subs := names("SubFilter"); len(subs) > 0 && ff&svSubFilter != 0 && !contains(subs, "ETSI.CAdES.detached") {
		return refuse("SubFilter", strings.Join(subs, ", "))
	}
	if ds := names("DigestMethod"); len(ds) > 0 && ff&svDigest != 0 {
		byName := map[string]crypto.Hash{"SHA256": crypto.SHA256, "SHA384": crypto.SHA384, "SHA512": crypto.SHA512}
		if opts.Hash == 0 {
			for _, d := range ds {
				if h, ok := byName[strings.ToUpper(d)]; ok {
					opts.Hash = h
					break
				}
			}
		}
		h := opts.Hash
		if h == 0 {
			h = crypto.SHA256
		}
		ok := false
		for _, d := range ds {
			if byName[strings.ToUpper(d)] == h {
				ok = true
			}
		}
		if !ok {
			return refuse("DigestMethod", strings.Join(ds, ", "))
		}
	}
	if rs := names("Reasons"); len(rs) > 0 && ff&svReasons != 0 && !(len(rs) == 1 && rs[0] == ".") && !contains(rs, opts.Reason) {
		return refuse("Reasons", strings.Join(rs, " | "))
	}
	if b, ok := sv.Get("AddRevInfo").(bool); ok && b && ff&svAddRevInfo != 0 {
		return refuse("AddRevInfo", "adbe.pkcs7.detached")
	}
	if ts, _ := r.ResolveDict(sv.Get("TimeStamp")); ts != nil {
		if tf, _ := pdf.ToInt(ts.Get("Ff")); tf&svTimeStampFf != 0 && opts.TSA == nil {
			return refuse("TimeStamp", "--tsa")
		}
	}
	return opts, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fieldFill is the field Sign fills.
type fieldFill struct {
	field *formSigField
}

// prepareField runs before the sign hooks: it picks the field to fill and
// sets what follows from it in opts (the stamp goes in the field's
// rectangle; the hash its seed values require). Errors other than the
// field's own are left to signFile, which reports them with the same kinds.
func prepareField(in string, opts Options) (Options, *fieldFill, error) {
	f, err := os.Open(in)
	if err != nil {
		return opts, nil, nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return opts, nil, nil
	}
	// The file as it reads; only if that fails, as signing reads it (a
	// repair: internal/pdf/repair.go). The xref check is signFile's.
	choose := func(r *pdf.Reader) (*formSigField, Options, error) {
		catalog, err := r.ResolveDict(r.Trailer.Get("Root"))
		if err != nil || catalog == nil {
			return nil, opts, damagedf("catalog unreadable")
		}
		return chooseField(r, catalog, opts)
	}
	var target *formSigField
	var o2 Options
	r, err := pdf.NewReaderDecrypting(f, st.Size())
	if err == nil {
		target, o2, err = choose(r)
	}
	if err != nil && !isFieldError(err) {
		if r, err = openForSigning(f, st.Size()); err != nil {
			return opts, nil, nil // signFile reports it
		}
		target, o2, err = choose(r)
	}
	if err != nil {
		if isFieldError(err) {
			return opts, nil, withPath(err, in)
		}
		return opts, nil, nil
	}
	opts = o2
	if target == nil {
		return opts, nil, nil
	}
	if target.Visible() {
		v := Visible{}
		if opts.Visible != nil {
			v = *opts.Visible
		}
		b := target.Rect
		v.Rect = [4]float64{b[0], b[1], b[2] - b[0], b[3] - b[1]}
		opts.Visible = &v
	} else {
		opts.Visible = nil // the field was made invisible by the form's author
	}
	return opts, &fieldFill{field: target}, nil
}

// planFill is planSignature for an existing empty field: the field gets
// /V, its widget the stamp's appearance, the AcroForm /SigFlags 3; the
// widget is added to its page's /Annots if it was missing there.
func planFill(r *pdf.Reader, cfg *signConfig, contentsN int) (*sigPlan, error) {
	u := pdf.NewIncrement(r)
	rootRef := r.Trailer.Get("Root").(pdf.Ref)
	catalog, err := r.ResolveDict(rootRef)
	if err != nil {
		return nil, err
	}
	sf := cfg.fill.field
	pageNo := sf.Page
	if pageNo == 0 {
		pageNo = 1
	}
	pg, err := findPage(r, catalog, pageNo)
	if err != nil {
		return nil, err
	}
	fd, err := r.ResolveDict(sf.ref)
	if err != nil || fd == nil {
		return nil, damagedf("signature field %s unreadable", sf.Name)
	}
	fd = fd.Clone()
	sigRef := u.Alloc()
	fd.Set("V", sigRef)
	wd := fd
	if sf.widget != sf.ref {
		w, err := r.ResolveDict(sf.widget)
		if err != nil || w == nil {
			return nil, damagedf("widget of %s unreadable", sf.Name)
		}
		wd = w.Clone()
		// poppler and mupdf read the value from the widget (mupdf's own
		// signer writes it there), Acrobat from the field: both get it.
		wd.Set("V", sigRef)
	}
	if cfg.appearance != nil {
		_, ap, err := cfg.appearance(pg, u)
		if err != nil {
			return nil, err
		}
		if ap != nil {
			wd.Set("AP", ap)
		}
		fl, _ := pdf.ToInt(wd.Get("F"))
		wd.Set("F", pdf.Int((fl&^(1|2|32))|4)) // shown and printed
	}
	if !wd.Has("P") {
		wd.Set("P", pg.Ref)
	}
	u.Put(sf.ref, fd)
	if sf.widget != sf.ref {
		u.Put(sf.widget, wd)
	}
	// The page's /Annots must list the widget.
	page := pg.Dict.Clone()
	ao, err := r.Resolve(page.Get("Annots"))
	if err != nil {
		return nil, err
	}
	annots, _ := ao.(pdf.Array)
	listed := false
	for _, a := range annots {
		if ar, ok := a.(pdf.Ref); ok && ar.Num == sf.widget.Num {
			listed = true
		}
	}
	if !listed {
		if ar, ok := page.Get("Annots").(pdf.Ref); ok {
			u.Put(ar, append(append(pdf.Array(nil), annots...), sf.widget))
		} else {
			page.Set("Annots", append(append(pdf.Array(nil), annots...), sf.widget))
			u.Put(pg.Ref, page)
		}
	}
	// SigFlags 3 on the AcroForm (which exists: the field is in it).
	catalog = catalog.Clone()
	switch v := catalog.Get("AcroForm").(type) {
	case pdf.Ref:
		acro, err := r.ResolveDict(v)
		if err != nil || acro == nil {
			return nil, damagedf("AcroForm unreadable")
		}
		acro = acro.Clone()
		if fl, _ := pdf.ToInt(acro.Get("SigFlags")); fl&3 != 3 {
			acro.Set("SigFlags", pdf.Int(fl|3))
			u.Put(v, acro)
		}
	case *pdf.Dict:
		acro := v.Clone()
		if fl, _ := pdf.ToInt(acro.Get("SigFlags")); fl&3 != 3 {
			acro.Set("SigFlags", pdf.Int(fl|3))
			catalog.Set("AcroForm", acro)
			u.Put(rootRef, catalog)
		}
	}
	var extra []byte
	if sf.lock != nil {
		// The field's lock becomes this signature's FieldMDP transform.
		tp := &pdf.Dict{}
		tp.Set("Type", pdf.Name("TransformParams"))
		for _, k := range sf.lock.Keys() {
			if k != "Type" {
				tp.Set(k, sf.lock.Get(k))
			}
		}
		if !tp.Has("V") {
			tp.Set("V", pdf.Name("1.2"))
		}
		ref := &pdf.Dict{}
		ref.Set("Type", pdf.Name("SigRef"))
		ref.Set("TransformMethod", pdf.Name("FieldMDP"))
		ref.Set("TransformParams", tp)
		ref.Set("Data", rootRef)
		ref.Set("DigestMethod", pdf.Name(strings.ReplaceAll(hashName(cfg.hash), "-", "")))
		extra = pdf.AppendObject([]byte("/Reference"), u.EncObject(sigRef, pdf.Array{ref}))
	}
	putSigDict(u, sigRef, cfg, contentsN, extra)
	return &sigPlan{u: u, sigRef: sigRef, field: sf.Name, page: pg, contentsN: contentsN}, nil
}

// putSigDict writes the signature dictionary with fixed-width placeholders
// for /ByteRange and /Contents (extra: further entries, already encoded).
func putSigDict(u *pdf.Increment, sigRef pdf.Ref, cfg *signConfig, contentsN int, extra []byte) {
	var b bytes.Buffer
	b.WriteString("<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached")
	b.Write(pdf.AppendObject([]byte("/M"), u.EncString(sigRef, pdf.TextString(pdfDate(cfg.when)))))
	for _, kv := range [][2]string{{"Name", cfg.opts.Name}, {"Reason", cfg.opts.Reason}, {"Location", cfg.opts.Location}, {"ContactInfo", cfg.opts.ContactInfo}} {
		if kv[1] != "" {
			b.Write(pdf.AppendObject(pdf.AppendName(nil, kv[0]), u.EncString(sigRef, pdf.TextString(kv[1]))))
		}
	}
	b.Write(extra)
	b.WriteString("/ByteRange")
	marks := map[string]int{markByteRange: b.Len()}
	b.WriteString("[" + strings.Repeat(" ", byteRangeLen-2) + "]")
	b.WriteString("/Contents")
	marks[markContents] = b.Len()
	b.WriteString("<" + strings.Repeat("0", 2*contentsN) + ">")
	b.WriteString(">>")
	u.PutBody(sigRef, b.Bytes(), marks)
}

// isFieldError: the refusals of the field choice itself (not a reading error).
func isFieldError(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Kind == KindForbidden || e.Kind == KindFieldNotFound || e.Kind == KindFieldChoice)
}
