package pdf

import (
	"bytes"
	"errors"
	"testing"

	"github.com/certigna-desktop/app/internal/oddpdf"
)

// Shorter names for the vectors' writer.
type (
	genRev = oddpdf.Rev
	genObj = oddpdf.Obj
)

var (
	genPDF    = oddpdf.Write
	basicObjs = oddpdf.BasicObjs
)

func open(t *testing.T, data []byte) *Reader {
	t.Helper()
	r, err := NewReaderDecrypting(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return r
}

// TestNumberingRule: the first new number is above every number the file
// uses or refers to, whatever part of the file names it.
func TestNumberingRule(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		read func(r *Reader) // what is read before the first number is taken
		want int
	}{
		{
			// The trailer refers to object 4 = /Size, which does not exist:
			// a new object 4 would be what that reference means.
			name: "dangling trailer reference = /Size",
			data: genPDF(genRev{Objs: basicObjs(""), Trailer: "/Root 1 0 R/AdditionalStreams[4 0 R]"}),
			want: 5,
		},
		{
			// The xref stream is object 41, outside its own /Size 4 and
			// not Listed: /Size alone would give a new object its number.
			name: "xref stream outside its /Size",
			data: genPDF(genRev{Objs: basicObjs(""), Stream: 41, Size: 4, Trailer: "/Root 1 0 R"}),
			want: 42,
		},
		{
			name: "xref stream listed in its own /Index",
			data: genPDF(genRev{Objs: basicObjs(""), Stream: 7, Self: true, Trailer: "/Root 1 0 R"}),
			want: 8,
		},
		{
			// Object 9 sits in the object stream 5 with no entry anywhere.
			name: "object stream holds an unlisted object",
			data: genPDF(genRev{Objs: basicObjs(""), Objstm: 5, Stream: 6,
				InStm:  []genObj{{Num: 4, Body: "<</A 1>>"}, {Num: 9, Body: "<</B 2>>"}},
				Listed: map[int]bool{4: true}, Trailer: "/Root 1 0 R"}),
			want: 10,
		},
		{
			// An older revision used object 12; the newest table and
			// /Size no longer mention it.
			name: "number of an older revision",
			data: genPDF(genRev{Objs: append(basicObjs(""), genObj{Num: 12, Body: "(old)"}), Trailer: "/Root 1 0 R"},
				genRev{Objs: basicObjs("/Lang(fr)"), Size: 4, Trailer: "/Root 1 0 R"}),
			want: 13,
		},
		{
			name: "an older revision's /Size",
			data: genPDF(genRev{Objs: basicObjs(""), Size: 30, Trailer: "/Root 1 0 R"},
				genRev{Objs: basicObjs("/Lang(fr)"), Size: 4, Trailer: "/Root 1 0 R"}),
			want: 30,
		},
		{
			// The catalog names object 20, which does not exist: found
			// once the catalog is read.
			name: "dangling reference in an object read",
			data: genPDF(genRev{Objs: basicObjs("/Extra 20 0 R"), Trailer: "/Root 1 0 R"}),
			read: func(r *Reader) { r.Fetch(1) },
			want: 21,
		},
		{
			// Beyond ISO 32000's largest object number: nothing can be
			// created there, so nothing can be captured.
			name: "reference above the largest object number",
			data: genPDF(genRev{Objs: basicObjs("/Extra 9999999 0 R"), Trailer: "/Root 1 0 R"}),
			read: func(r *Reader) { r.Fetch(1) },
			want: 4,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := open(t, c.data)
			if c.read != nil {
				c.read(r)
			}
			if got := NewIncrement(r).Alloc().Num; got != c.want {
				t.Errorf("first new number %d, want %d", got, c.want)
			}
		})
	}
}

// TestNumbersMetAfterAlloc: a reference to a new number met after it was
// taken makes the update refuse to serialise (the caller plans again), and
// the second plan numbers above it.
func TestNumbersMetAfterAlloc(t *testing.T) {
	data := genPDF(genRev{Objs: basicObjs("/Extra 4 0 R"), Trailer: "/Root 1 0 R"})
	r := open(t, data)
	plan := func() *Increment {
		u := NewIncrement(r)
		ref := u.Alloc()
		cat, _ := r.ResolveDict(Ref{1, 0}) // read after the number was taken
		cat = cat.Clone()
		cat.Set("New", ref)
		u.Put(Ref{1, 0}, cat)
		u.Put(ref, Int(1))
		return u
	}
	if _, err := plan().Bytes(int64(len(data)), '\n'); !errors.Is(err, ErrNumbersMet) {
		t.Fatalf("first plan: %v, want ErrNumbersMet", err)
	}
	u := plan()
	s, err := u.Bytes(int64(len(data)), '\n')
	if err != nil {
		t.Fatal(err)
	}
	out := append(append([]byte(nil), data...), s.Data...)
	r2 := open(t, out)
	cat, _ := r2.ResolveDict(Ref{1, 0})
	if nr, _ := cat.Get("New").(Ref); nr.Num != 5 {
		t.Errorf("new object %v, want 5 (4 is the input's dangling reference)", cat.Get("New"))
	}
	if o, _ := r2.Fetch(4); o != nil {
		t.Errorf("the input's dangling 4 0 R now resolves to %v", o)
	}
	if sz, _ := ToInt(r2.Trailer.Get("Size")); sz != 6 {
		t.Errorf("/Size %d, want 6", sz)
	}
}

// TestUpdateKeepsXrefStreamNumber: an update of an xref-stream file whose
// stream is outside /Size numbers its own objects and its xref stream
// above it; the input's stream number is never reused.
func TestUpdateKeepsXrefStreamNumber(t *testing.T) {
	data := genPDF(genRev{Objs: basicObjs(""), Stream: 41, Size: 4, Trailer: "/Root 1 0 R"})
	r := open(t, data)
	u := NewIncrement(r)
	ref := u.Alloc()
	u.Put(ref, Int(7))
	s, err := u.Bytes(int64(len(data)), '\n')
	if err != nil {
		t.Fatal(err)
	}
	out := append(append([]byte(nil), data...), s.Data...)
	r2 := open(t, out)
	if !r2.Sections[0].Stream || r2.Sections[0].Num <= 41 || ref.Num <= 41 {
		t.Errorf("new object %d, new xref stream %d: both must be above 41", ref.Num, r2.Sections[0].Num)
	}
	if o, _ := r2.Fetch(ref.Num); o != Int(7) {
		t.Errorf("new object reads %v", o)
	}
}
