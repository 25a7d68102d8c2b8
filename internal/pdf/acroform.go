package pdf

// Adding to the interactive form in an incremental update: a signature
// field to /AcroForm /Fields, /SigFlags, a widget to its page's /Annots.
// Each is rewritten where it is (its own object, or inside the object that
// holds it), the one way for a new field and for a filled one.

// Form is a document's /AcroForm being changed by an update.
type Form struct {
	Dict   *Dict // a copy; nil when the document has no form
	Fields Array // a copy of /Fields

	ref           *Ref // the form's own object; nil: inside the catalog
	fieldsRef     *Ref // /Fields' own object; nil: inside the form
	fieldsChanged bool
}

// ReadForm reads the catalog's /AcroForm and its /Fields.
func ReadForm(src Source, catalog *Dict) (*Form, error) {
	f := &Form{}
	switch v := catalog.Get("AcroForm").(type) {
	case Ref:
		d, err := resolveDict(src, v)
		if err != nil {
			return nil, err
		}
		if d != nil {
			f.Dict, f.ref = d.Clone(), &v
		}
	case *Dict:
		f.Dict = v.Clone()
	}
	switch v := f.Dict.Get("Fields").(type) {
	case Ref:
		o, err := src.Resolve(v)
		if err != nil {
			return nil, err
		}
		if a, ok := o.(Array); ok {
			f.Fields, f.fieldsRef = append(Array(nil), a...), &v
		}
	case Array:
		f.Fields = append(Array(nil), v...)
	}
	return f, nil
}

// Create gives a document without a form an empty one, in an object of its
// own that catalog (the caller's copy, to be written) names.
func (f *Form) Create(u *Increment, catalog *Dict) {
	ref := u.Alloc()
	f.Dict, f.ref = &Dict{}, &ref
	catalog.Set("AcroForm", ref)
}

// AddField appends a field to /Fields.
func (f *Form) AddField(ref Ref) {
	f.Fields = append(f.Fields, ref)
	f.fieldsChanged = true
}

// SetSigFlags sets /SigFlags 3 (the document has signatures; save it by
// incremental updates only) and reports whether it was not set already.
func (f *Form) SetSigFlags() bool {
	fl, _ := ToInt(f.Dict.Get("SigFlags"))
	f.Dict.Set("SigFlags", Int(fl|3))
	return fl&3 != 3
}

// Put writes the form and its /Fields where they were. It reports whether
// the form is inside catalog (the caller's copy), which then must be
// written too.
func (f *Form) Put(u *Increment, catalog *Dict) bool {
	if f.fieldsChanged {
		if f.fieldsRef != nil {
			u.Put(*f.fieldsRef, f.Fields)
		} else {
			f.Dict.Set("Fields", f.Fields)
		}
	}
	if f.ref != nil {
		u.Put(*f.ref, f.Dict)
		return false
	}
	catalog.Set("AcroForm", f.Dict)
	return true
}

// AddAnnot lists annot in the /Annots of page (object pageRef) unless it is
// there: an indirect array is rewritten in place, else the page.
func AddAnnot(src Source, u *Increment, pageRef Ref, page *Dict, annot Ref) error {
	ar, indirect := page.Get("Annots").(Ref)
	o, err := src.Resolve(page.Get("Annots"))
	if err != nil {
		return err
	}
	annots, isArray := o.(Array)
	for _, a := range annots {
		if r, ok := a.(Ref); ok && r.Num == annot.Num {
			return nil
		}
	}
	annots = append(append(Array(nil), annots...), annot)
	if indirect && isArray {
		u.Put(ar, annots)
		return nil
	}
	page = page.Clone()
	page.Set("Annots", annots)
	u.Put(pageRef, page)
	return nil
}
