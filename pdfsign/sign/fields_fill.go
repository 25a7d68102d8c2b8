package sign

import (
	"bytes"
	"errors"
	"os"
	"strings"

	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
)

// Filling an existing empty signature field: the field chosen and checked
// (prepareField), the update planned (planFill), the signature dictionary
// written into it.

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
			return nil, opts, doc.Damagedf("catalog unreadable")
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
		if r, err = doc.OpenForSigning(f, st.Size()); err != nil {
			return opts, nil, nil // signFile reports it
		}
		target, o2, err = choose(r)
	}
	if err != nil {
		if isFieldError(err) {
			return opts, nil, doc.WithPath(err, in)
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
		return nil, doc.Damagedf("signature field %s unreadable", sf.Name)
	}
	fd = fd.Clone()
	sigRef := u.Alloc()
	fd.Set("V", sigRef)
	wd := fd
	if sf.widget != sf.ref {
		w, err := r.ResolveDict(sf.widget)
		if err != nil || w == nil {
			return nil, doc.Damagedf("widget of %s unreadable", sf.Name)
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
	if err := pdf.AddAnnot(r, u, pg.Ref, pg.Dict, sf.widget); err != nil {
		return nil, err
	}
	// SigFlags 3 on the AcroForm (which exists: the field is in it).
	catalog = catalog.Clone()
	form, err := pdf.ReadForm(r, catalog)
	if err != nil || form.Dict == nil {
		return nil, doc.Damagedf("AcroForm unreadable")
	}
	if form.SetSigFlags() && form.Put(u, catalog) {
		u.Put(rootRef, catalog)
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
		ref.Set("DigestMethod", pdf.Name(strings.ReplaceAll(pki.HashName(cfg.hash), "-", "")))
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
	b.Write(pdf.AppendObject([]byte("/M"), u.EncString(sigRef, pdf.TextString(pdf.Date(cfg.when)))))
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
	var e *pdfsign.Error
	return errors.As(err, &e) && (e.Kind == pdfsign.KindForbidden || e.Kind == KindFieldNotFound || e.Kind == KindFieldChoice)
}
