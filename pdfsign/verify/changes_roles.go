package verify

import (
	"strings"

	"github.com/certigna-desktop/app/internal/pdf"
)

// What each object of a document state is for (catalog, form field, widget,
// appearance stream, page, annotation, DSS…): the change analysis judges a
// changed object by its role.

type fieldInfo struct {
	num    int    // object number of the field dictionary (0 if direct)
	name   string // fully qualified name
	ft     string // field type, inherited
	signed bool   // a signature field with a value
	docTS  bool   // … and that value is a document timestamp
}

type stateRoles struct {
	catalog, acroForm, fieldsArr, info, metadata, perms int
	fields                                              map[int]*fieldInfo // field dictionaries
	widgets                                             map[int]*fieldInfo // widget annotations → their field
	apOwner                                             map[int]int        // appearance streams and dictionaries → annotation
	pages                                               map[int]int        // page objects → 1-based index
	pageNodes                                           map[int]bool       // intermediate page-tree nodes
	annotsArr                                           map[int]int        // indirect /Annots arrays → page
	annots                                              map[int]int        // non-widget annotations → page
	dss                                                 map[int]bool       // the DSS and everything under it
	sigValues                                           map[int]bool       // signature dictionaries (field /V)
	byName                                              map[string]*fieldInfo
}

func refNum(o pdf.Object) int {
	if r, ok := o.(pdf.Ref); ok {
		return r.Num
	}
	return 0
}

const maxRoleObjects = 1_000_000

func rolesOf(st *pdf.State) *stateRoles {
	ro := &stateRoles{
		fields: map[int]*fieldInfo{}, widgets: map[int]*fieldInfo{}, apOwner: map[int]int{}, pages: map[int]int{},
		pageNodes: map[int]bool{}, annotsArr: map[int]int{}, annots: map[int]int{}, dss: map[int]bool{},
		sigValues: map[int]bool{}, byName: map[string]*fieldInfo{},
	}
	ro.catalog = refNum(st.Trailer.Get("Root"))
	ro.info = refNum(st.Trailer.Get("Info"))
	cat := st.Catalog()
	if cat == nil {
		return ro
	}
	ro.metadata = refNum(cat.Get("Metadata"))
	ro.perms = refNum(cat.Get("Perms"))
	ro.acroForm = refNum(cat.Get("AcroForm"))
	if af := st.Dict(cat.Get("AcroForm")); af != nil {
		ro.fieldsArr = refNum(af.Get("Fields"))
		ro.walkFields(st, af.Get("Fields"))
	}
	ro.walkPages(st, cat.Get("Pages"))
	if d := cat.Get("DSS"); d != nil {
		ro.dss = reachFrom(st, d)
	}
	return ro
}

// walkFields records the fields (by name too) and their widgets; a node
// without /T under a field is a widget of it, not a field of its own.
func (ro *stateRoles) walkFields(st *pdf.State, fields pdf.Object) {
	info := map[*pdf.Field]*fieldInfo{}
	_ = pdf.WalkFields(st, fields, true, func(f *pdf.Field) error {
		n, d := f.Ref.Num, f.Dict
		fi := info[f.Parent]
		if f.HasT || f.Parent == nil {
			fi = &fieldInfo{num: n, name: f.Name, ft: f.FT}
			if f.FT == "Sig" && d.Has("V") {
				fi.signed = true
				if v := st.Dict(d.Get("V")); v != nil {
					fi.docTS = v.NameOf("Type") == "DocTimeStamp" || v.NameOf("SubFilter") == "ETSI.RFC3161"
				}
				if vn := refNum(d.Get("V")); vn != 0 {
					ro.sigValues[vn] = true
				}
			}
			if n != 0 {
				ro.fields[n] = fi
			}
			ro.byName[f.Name] = fi
		}
		info[f] = fi
		if d.NameOf("Subtype") == "Widget" || (!d.Has("T") && !d.Has("Kids")) {
			if n != 0 {
				ro.widgets[n] = fi
			}
			ro.appearance(st, d, n)
		}
		return nil
	})
}

// appearance records the /AP streams (and state dictionaries) of annotation n.
func (ro *stateRoles) appearance(st *pdf.State, annot *pdf.Dict, n int) {
	ap := annot.Get("AP")
	if an := refNum(ap); an != 0 {
		ro.apOwner[an] = n
	}
	apd := st.Dict(ap)
	if apd == nil {
		return
	}
	for _, k := range []string{"N", "R", "D"} {
		v := apd.Get(k)
		if vn := refNum(v); vn != 0 {
			ro.apOwner[vn] = n
		}
		if o, _ := st.Resolve(v); o != nil {
			if sd, ok := o.(*pdf.Dict); ok { // appearance states (/On /Off …)
				if st.Step(sd.Len()) != nil { // read again for every revision
					return
				}
				for _, k := range sd.Keys() {
					if sn := refNum(sd.Get(k)); sn != 0 {
						ro.apOwner[sn] = n
					}
				}
			}
		}
	}
}

// walkPages records the page-tree nodes, the pages (by index) and their
// annotations with their appearances.
func (ro *stateRoles) walkPages(st *pdf.State, root pdf.Object) {
	w := pdf.PageWalk{Lenient: true,
		Node: func(ref pdf.Ref, _ *pdf.Dict, _ int) bool {
			if ref.Num != 0 {
				ro.pageNodes[ref.Num] = true
			}
			return true
		},
		Page: func(p *pdf.Page) bool {
			ro.page(st, p)
			return true
		},
	}
	_ = w.Walk(st, root)
}

func (ro *stateRoles) page(st *pdf.State, p *pdf.Page) {
	n, d := p.Ref.Num, p.Dict
	if n != 0 {
		ro.pages[n] = p.Index
	}
	if an := refNum(d.Get("Annots")); an != 0 {
		ro.annotsArr[an] = n
	}
	annots := st.Array(d.Get("Annots"))
	if st.Step(len(annots)) != nil { // read again for every revision
		return
	}
	for _, a := range annots {
		an := refNum(a)
		if an == 0 {
			continue
		}
		if _, ok := ro.widgets[an]; ok {
			continue
		}
		ad := st.Dict(a)
		if ad == nil {
			continue
		}
		ro.annots[an] = n
		ro.appearance(st, ad, an)
		if pn := refNum(ad.Get("Popup")); pn != 0 {
			ro.annots[pn] = n
		}
	}
}

// fieldMDP is a FieldMDP lock: which fields a signature froze.
type fieldMDP struct {
	action string // All, Include, Exclude
	fields []string
}

func (l fieldMDP) locks(name string) bool {
	in := false
	for _, f := range l.fields {
		if f == name || strings.HasPrefix(name, f+".") {
			in = true
			break
		}
	}
	switch l.action {
	case "All":
		return true
	case "Include":
		return in
	case "Exclude":
		return !in
	}
	return false
}
