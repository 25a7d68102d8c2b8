package pdf

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"testing"

	"github.com/certigna-desktop/app/internal/oddpdf"
)

func parseOne(t *testing.T, s string) Object {
	t.Helper()
	o, _, _, err := ParseIndirect([]byte(s), 0, false, true)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return o
}

// TestParseObjects: the spellings of ISO 32000 §7.3, each read to its
// value, and written back to something that reads the same.
func TestParseObjects(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Object
	}{
		{"42", Int(42)},
		{"-3", Int(-3)},
		{"3.25", Real("3.25")},
		{"true", true},
		{"null", nil},
		{"/A#20B", Name("A B")},
		{"(a\\(b\\)c\\n\\101)", String{B: []byte("a(b)c\nA")}},
		{"(line\\\ncontinued)", String{B: []byte("linecontinued")}},
		{"(nested (paren) ok)", String{B: []byte("nested (paren) ok")}},
		{"<48 65 6C6C 6F>", String{B: []byte("Hello"), Hex: true}},
		{"<414>", String{B: []byte("A@"), Hex: true}}, // odd digit count: a final 0
		{"12 0 R", Ref{12, 0}},
		{"[1 2 R 3]", Array{Ref{1, 2}, Int(3)}}, // "1 2 R" is one reference
		{"[1 2 3]", Array{Int(1), Int(2), Int(3)}},
	} {
		got := parseOne(t, c.in)
		if !EqualObj(got, c.want) {
			t.Errorf("%s: %#v, want %#v", c.in, got, c.want)
		}
		if s, ok := got.(String); ok && s.Hex != c.want.(String).Hex {
			t.Errorf("%s: hex %v", c.in, s.Hex)
		}
		back := parseOne(t, string(AppendObject(nil, got)))
		if !EqualObj(back, got) {
			t.Errorf("%s: written %q reads %#v", c.in, AppendObject(nil, got), back)
		}
	}
	d := parseOne(t, "<</Type/Page/Kids[1 0 R 2 0 R]/Sub<</X (y)>>/N null>>").(*Dict)
	if d.NameOf("Type") != "Page" || len(d.Get("Kids").(Array)) != 2 || d.Get("Sub").(*Dict).Get("X").(String).B[0] != 'y' {
		t.Errorf("dictionary: %s", AppendObject(nil, d))
	}
}

// TestParseTruncated: an object cut by the end of a read window says so
// (the reader then reads a larger window), at the end of the file it is an
// error, never a panic.
func TestParseTruncated(t *testing.T) {
	for _, s := range []string{"<</A [1 2", "(open string", "<</A 1 0", "12 0 obj\n<</A"} {
		_, _, _, err := ParseIndirect([]byte(s), 0, s[0] == '1', false)
		if !errors.Is(err, errTruncated) {
			t.Errorf("%q in a window: %v, want truncated", s, err)
		}
		if _, _, _, err := ParseIndirect([]byte(s), 0, s[0] == '1', true); err == nil {
			t.Errorf("%q at the end of the file: no error", s)
		}
	}
}

// TestXrefStreamPredictor: an xref stream compressed with the PNG Up
// predictor (what most writers produce) reads to the same entries as the
// table it stands for.
func TestXrefStreamPredictor(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n")
	var offs []int
	for _, o := range oddpdf.BasicObjs("") {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", o.Num, o.Body)
	}
	x := b.Len()
	// Rows of 1+4 bytes: type 1, a 3-byte offset, a 1-byte generation;
	// each predicted with PNG Up (filter byte 2).
	rows := [][]byte{{0, 0, 0, 0, 255}}
	for _, o := range append(offs, x) {
		rows = append(rows, []byte{1, byte(o >> 16), byte(o >> 8), byte(o), 0})
	}
	var raw []byte
	prev := make([]byte, 5)
	for _, r := range rows {
		raw = append(raw, 2)
		for i := range r {
			raw = append(raw, r[i]-prev[i])
		}
		prev = r
	}
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(raw)
	w.Close()
	fmt.Fprintf(&b, "4 0 obj\n<</Type/XRef/Size 5/W[1 3 1]/Root 1 0 R/Filter/FlateDecode/DecodeParms<</Predictor 12/Columns 5>>/Length %d>>\nstream\n", z.Len())
	b.Write(z.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", x)
	r := open(t, b.Bytes())
	if len(r.Sections) != 1 || !r.Sections[0].Stream || r.Sections[0].Num != 4 {
		t.Fatalf("sections %+v", r.Sections)
	}
	for n := 1; n <= 3; n++ {
		if off, ok := r.ObjectOffset(n); !ok || off != int64(offs[n-1]) {
			t.Errorf("object %d at %d, want %d", n, off, offs[n-1])
		}
	}
	if err := r.CheckXref(); err != nil {
		t.Error(err)
	}
	if got := NewIncrement(r).Alloc().Num; got != 5 {
		t.Errorf("first new number %d, want 5", got)
	}
}

// TestIncrementKinds: the writer's update is of the input's kind (table or
// stream), chained with /Prev, keeps the trailer's keys, and a stream
// object written through PutStream reads back with its data.
func TestIncrementKinds(t *testing.T) {
	for _, stream := range []bool{false, true} {
		rev := oddpdf.Rev{Objs: oddpdf.BasicObjs(""), Trailer: "/Root 1 0 R/Info 2 0 R/ID[<01><02>]"}
		if stream {
			rev.Stream = 9
		}
		data := oddpdf.Write(rev)
		r := open(t, data)
		u := NewIncrement(r)
		ref := u.Alloc()
		d := &Dict{}
		d.Set("Type", Name("Test"))
		u.PutStream(ref, d, []byte("hello stream"))
		cat, _ := r.ResolveDict(Ref{1, 0})
		cat = cat.Clone()
		cat.Set("Test", ref)
		u.Put(Ref{1, 0}, cat)
		s, err := u.Bytes(int64(len(data)), data[len(data)-1])
		if err != nil {
			t.Fatal(err)
		}
		out := append(append([]byte(nil), data...), s.Data...)
		r2 := open(t, out)
		if len(r2.Sections) != 2 || r2.Sections[0].Stream != stream {
			t.Fatalf("stream=%v: sections %d, newest stream %v", stream, len(r2.Sections), r2.Sections[0].Stream)
		}
		if prev, _ := ToInt(r2.Sections[0].trailer.Get("Prev")); prev != r.startxref {
			t.Errorf("stream=%v: /Prev %d, want %d", stream, prev, r.startxref)
		}
		for _, k := range []string{"Root", "Info", "ID"} {
			if !EqualObj(r2.Trailer.Get(k), r.Trailer.Get(k)) {
				t.Errorf("stream=%v: trailer /%s %v, want %v", stream, k, r2.Trailer.Get(k), r.Trailer.Get(k))
			}
		}
		o, err := r2.Fetch(ref.Num)
		st, ok := o.(*Stream)
		if err != nil || !ok {
			t.Fatalf("stream=%v: new stream %v %v", stream, o, err)
		}
		if b, err := r2.StreamData(st, 1<<20); err != nil || string(b) != "hello stream" {
			t.Errorf("stream=%v: data %q %v", stream, b, err)
		}
		if err := r2.CheckXref(); err != nil {
			t.Errorf("stream=%v: %v", stream, err)
		}
	}
}
