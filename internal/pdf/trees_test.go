package pdf

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func openObjs(t *testing.T, objs ...string) *Reader {
	t.Helper()
	data := Classic("", objs...)
	r, err := NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func pagesOf(t *testing.T, r *Reader) ([]*Page, *PageWalk) {
	t.Helper()
	cat, _ := r.ResolveDict(r.Trailer.Get("Root"))
	var got []*Page
	w := &PageWalk{Page: func(p *Page) bool { got = append(got, p); return true }}
	if err := w.Walk(r, cat.Get("Pages")); err != nil {
		t.Fatal(err)
	}
	return got, w
}

// Pages in order, with /Resources /MediaBox /CropBox /Rotate inherited
// from the nearest node that has them; a node without /Type (only /Kids) is
// a node, a kid without /Type nor /Kids a page.
func TestPageWalkInherits(t *testing.T) {
	r := openObjs(t,
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R 4 0 R]/Count 3/MediaBox[0 0 100 200]/Rotate 90/Resources<</X 1>>>>",
		"<</Type/Page/Parent 2 0 R>>",
		"<</Kids[5 0 R 6 0 R]/Parent 2 0 R/Count 2/CropBox[1 1 50 50]/Rotate 180>>", // no /Type
		"<</Parent 4 0 R/MediaBox[0 0 10 10]>>",                                     // no /Type: a page
		"<</Type/Page/Parent 4 0 R/Rotate 270/Resources<</Y 2>>>>",
	)
	got, w := pagesOf(t, r)
	var s []string
	for _, p := range got {
		s = append(s, fmt.Sprintf("%d#%d d%d %v %v %v %v", p.Ref.Num, p.Index, p.Depth, p.MediaBox, p.CropBox, p.Rotate, p.Resources))
	}
	want := []string{
		"3#1 d1 [0 0 100 200] <nil> 90 &{[{X 1}]}",
		"5#2 d2 [0 0 10 10] [1 1 50 50] 180 &{[{X 1}]}",
		"6#3 d2 [0 0 100 200] [1 1 50 50] 270 &{[{Y 2}]}",
	}
	if strings.Join(s, "\n") != strings.Join(want, "\n") || w.Looped {
		t.Fatalf("got\n%s\nwant\n%s (looped %v)", strings.Join(s, "\n"), strings.Join(want, "\n"), w.Looped)
	} // The same found upwards from the page, by /Parent.
	p6 := got[2].Dict
	for key, want := range map[string]string{"MediaBox": "[0 0 100 200]", "CropBox": "[1 1 50 50]", "Rotate": "270", "Resources": "&{[{Y 2}]}", "Parent": "4 0 R", "Contents": "<nil>"} {
		if g := fmt.Sprint(InheritedValue(r, p6, key)); g != want {
			t.Errorf("InheritedValue %s = %s, want %s", key, g, want)
		}
	}
}

// A tree that names itself: each node is read once and the walk says it
// looped; a page listed twice is one page.
func TestPageWalkCycles(t *testing.T) {
	r := openObjs(t,
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R 2 0 R 4 0 R 3 0 R]/Count 2>>",
		"<</Type/Pages/Kids[2 0 R 4 0 R 3 0 R]/Count 1>>",
		"<</Type/Page>>",
	)
	got, w := pagesOf(t, r)
	if len(got) != 1 || got[0].Ref.Num != 4 || !w.Looped {
		t.Fatalf("got %d pages, looped %v", len(got), w.Looped)
	}
}

// A chain of nodes deeper than MaxPageDepth: the pages below the bound are
// not met, the walk ends without error.
func TestPageWalkDeep(t *testing.T) {
	const n = MaxPageDepth + 10
	objs := []string{"<</Type/Catalog/Pages 2 0 R>>"}
	for i := 0; i < n; i++ {
		objs = append(objs, fmt.Sprintf("<</Type/Pages/Kids[%d 0 R %d 0 R]/Count 1>>", 2+n+i, 3+i))
	}
	for i := 0; i < n; i++ {
		objs = append(objs, "<</Type/Page>>")
	}
	objs[n] = strings.Replace(objs[n], fmt.Sprintf(" %d 0 R]", 2+n), "]", 1) // last node: one page
	got, _ := pagesOf(t, openObjs(t, objs...))
	if len(got) != MaxPageDepth {
		t.Fatalf("%d pages met, want %d (nodes at depth 0…%d)", len(got), MaxPageDepth, MaxPageDepth-1)
	}
	for i, p := range got {
		if p.Depth != i+1 {
			t.Fatalf("page %d at depth %d", i, p.Depth)
		}
	}
}

// Node can skip a subtree and Page end the walk.
func TestPageWalkSkipAndStop(t *testing.T) {
	r := openObjs(t,
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R 5 0 R 6 0 R]/Count 3>>",
		"<</Type/Pages/Kids[4 0 R]/Count 1>>",
		"<</Type/Page>>",
		"<</Type/Page>>",
		"<</Type/Page>>",
	)
	cat, _ := r.ResolveDict(r.Trailer.Get("Root"))
	var met []int
	w := PageWalk{
		Node: func(ref Ref, _ *Dict, depth int) bool { return depth == 0 },
		Page: func(p *Page) bool { met = append(met, p.Ref.Num); return len(met) < 1 },
	}
	if err := w.Walk(r, cat.Get("Pages")); err != nil || fmt.Sprint(met) != "[5]" {
		t.Fatalf("met %v, %v", met, err)
	}
}

// The field tree: names joined with ".", /FT /Ff /V /DA inherited, kids
// without /T (widgets) carry their field's name, a kid naming an ancestor
// is not walked again.
func TestWalkFields(t *testing.T) {
	r := openObjs(t,
		"<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[3 0 R 7 0 R]>>>>",
		"<</Type/Pages/Kids[]/Count 0>>",
		"<</T(form)/FT/Tx/Ff 2/DA(/Helv 0 Tf)/Kids[4 0 R 6 0 R]>>",
		"<</T(name)/V(Ann)/Kids[5 0 R 3 0 R]>>",
		"<</Subtype/Widget/Rect[0 0 1 1]>>",
		"<</T(sig)/FT/Sig/Ff 0>>",
		"<</T(\xfe\xff\x00\xe9)/Kids[<</Subtype/Widget>>]>>",
	)
	cat, _ := r.ResolveDict(r.Trailer.Get("Root"))
	acro, _ := r.ResolveDict(cat.Get("AcroForm"))
	var s []string
	err := WalkFields(r, acro.Get("Fields"), false, func(f *Field) error {
		s = append(s, fmt.Sprintf("%d %q t%v d%d %s %d %v %v", f.Ref.Num, f.Name, f.HasT, f.Depth, f.FT, f.Ff, f.V, f.DA))
		return nil
	})
	want := []string{
		`3 "form" ttrue d0 Tx 2 <nil> {[47 72 101 108 118 32 48 32 84 102] false}`,
		`4 "form.name" ttrue d1 Tx 2 {[65 110 110] false} {[47 72 101 108 118 32 48 32 84 102] false}`,
		`5 "form.name" tfalse d2 Tx 2 {[65 110 110] false} {[47 72 101 108 118 32 48 32 84 102] false}`,
		`6 "form.sig" ttrue d1 Sig 0 <nil> {[47 72 101 108 118 32 48 32 84 102] false}`,
		`7 "é" ttrue d0  0 <nil> <nil>`,
		`0 "é" tfalse d1  0 <nil> <nil>`,
	}
	if err != nil || strings.Join(s, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got (%v)\n%s\nwant\n%s", err, strings.Join(s, "\n"), strings.Join(want, "\n"))
	}
}

// ErrSkipKids leaves a node's kids unread; a deep chain stops at
// MaxFieldDepth; a wide form at MaxFieldNodes, with a limit error.
func TestWalkFieldsBounds(t *testing.T) {
	objs := []string{"<</Type/Catalog/Pages 2 0 R>>", "<</Type/Pages/Kids[]/Count 0>>"}
	const n = MaxFieldDepth + 5
	for i := 0; i < n; i++ {
		objs = append(objs, fmt.Sprintf("<</T(f%d)/Kids[%d 0 R]>>", i, 4+i))
	}
	r := openObjs(t, objs...)
	count := func(skipAt int) int {
		k := 0
		err := WalkFields(r, Array{Ref{Num: 3}}, false, func(f *Field) error {
			k++
			if f.Depth == skipAt {
				return ErrSkipKids
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	if got := count(-1); got != MaxFieldDepth+1 {
		t.Errorf("deep chain: %d nodes, want %d", got, MaxFieldDepth+1)
	}
	if got := count(2); got != 3 {
		t.Errorf("skip at depth 2: %d nodes, want 3", got)
	}
	wide := make(Array, 0, MaxFieldNodes+100)
	for i := 0; i < MaxFieldNodes+100; i++ {
		wide = append(wide, &Dict{kv: []kv{{"T", String{B: []byte("x")}}}})
	}
	k := 0
	if err := WalkFields(r, wide, false, func(*Field) error { k++; return nil }); !IsLimit(err) || k != MaxFieldNodes {
		t.Errorf("wide form: %d nodes (%v), want %d and a limit error", k, err, MaxFieldNodes)
	}
}

func written(u *Increment) string {
	var s []string
	for _, o := range u.objs {
		s = append(s, fmt.Sprintf("%d: %s", o.ref.Num, o.body))
	}
	return strings.Join(s, "\n")
}

// A field is added where /Fields is (its own object here), /SigFlags set
// on the form's own object; a form inside the catalog tells the caller to
// write the catalog; a document without a form gets one of its own.
func TestFormAddField(t *testing.T) {
	r := openObjs(t,
		"<</Type/Catalog/Pages 2 0 R/AcroForm 3 0 R>>",
		"<</Type/Pages/Kids[]/Count 0>>",
		"<</Fields 4 0 R/SigFlags 1>>",
		"[5 0 R]",
		"<</T(a)>>",
	)
	cat, _ := r.ResolveDict(r.Trailer.Get("Root"))
	u := NewIncrement(r)
	f, err := ReadForm(r, cat)
	if err != nil || len(f.Fields) != 1 {
		t.Fatalf("%v %v", f, err)
	}
	f.AddField(Ref{Num: 9})
	if !f.SetSigFlags() || f.SetSigFlags() {
		t.Error("SigFlags 1 → 3 is a change, 3 → 3 is not")
	}
	if f.Put(u, cat) {
		t.Error("a form of its own does not change the catalog")
	}
	if got, want := written(u), "4: [5 0 R 9 0 R]\n3: <</Fields 4 0 R/SigFlags 3>>"; got != want {
		t.Errorf("wrote\n%s\nwant\n%s", got, want)
	}

	r = openObjs(t, "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[]>>>>", "<</Type/Pages/Kids[]/Count 0>>")
	cat, _ = r.ResolveDict(r.Trailer.Get("Root"))
	cat = cat.Clone()
	u = NewIncrement(r)
	f, _ = ReadForm(r, cat)
	f.AddField(Ref{Num: 9})
	if !f.Put(u, cat) || written(u) != "" || fmt.Sprint(cat.Get("AcroForm")) != "&{[{Fields [{9 0}]}]}" {
		t.Errorf("form in the catalog: wrote %q, catalog's form %v", written(u), cat.Get("AcroForm"))
	}

	r = openObjs(t, "<</Type/Catalog/Pages 2 0 R>>", "<</Type/Pages/Kids[]/Count 0>>")
	cat, _ = r.ResolveDict(r.Trailer.Get("Root"))
	cat = cat.Clone()
	u = NewIncrement(r)
	if f, _ = ReadForm(r, cat); f.Dict != nil {
		t.Fatal("no form read as one")
	}
	f.Create(u, cat)
	f.AddField(Ref{Num: 9})
	f.SetSigFlags()
	if f.Put(u, cat) || written(u) != "3: <</SigFlags 3/Fields [9 0 R]>>" || fmt.Sprint(cat.Get("AcroForm")) != "3 0 R" {
		t.Errorf("new form: wrote %q, catalog names %v", written(u), cat.Get("AcroForm"))
	}
}

// A widget joins its page's /Annots: an indirect array in place, a direct
// one by rewriting the page, not at all when it is there already.
func TestAddAnnot(t *testing.T) {
	r := openObjs(t,
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R 4 0 R]/Count 2>>",
		"<</Type/Page/Annots 5 0 R>>",
		"<</Type/Page/Annots[6 0 R]>>",
		"[6 0 R]",
		"<</Subtype/Widget>>",
	)
	for _, c := range []struct {
		page  int
		annot int
		want  string
	}{
		{3, 9, "5: [6 0 R 9 0 R]"},
		{4, 9, "4: <</Type /Page/Annots [6 0 R 9 0 R]>>"},
		{3, 6, ""},
		{4, 6, ""},
	} {
		u := NewIncrement(r)
		d, _ := r.ResolveDict(Ref{Num: c.page})
		if err := AddAnnot(r, u, Ref{Num: c.page}, d, Ref{Num: c.annot}); err != nil || written(u) != c.want {
			t.Errorf("page %d, annot %d: wrote %q (%v), want %q", c.page, c.annot, written(u), err, c.want)
		}
	}
}
