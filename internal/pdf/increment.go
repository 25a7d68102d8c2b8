package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
)

// increment is one incremental update being built: new and rewritten
// objects, then a cross-reference section of the same kind as the input's
// last one (table or stream) chained with /Prev, and a trailer that keeps
// every key of the previous one (/Root, /Info, /ID, …).
//
// It is reusable for any later revision (a DSS, a document timestamp):
// open the file with newReader, add objects, then write bytes(base) at the
// end of the file — see appendIncrement.
type Increment struct {
	r       *Reader
	next    int // next free object number (-1: none allocated yet)
	first   int // the first number allocated (-1: none)
	objs    []incObj
	byNum   map[int]int
	trailer *Dict // extra trailer entries to set (rarely needed)
}

type incObj struct {
	ref  Ref
	body []byte // the object's text between "N G obj\n" and "\nendobj"
	// marks are named byte positions inside body (e.g. the /Contents
	// placeholder of a signature), reported back as file offsets.
	marks map[string]int
}

func NewIncrement(r *Reader) *Increment {
	return &Increment{r: r, next: -1, first: -1, byNum: map[int]int{}}
}

// ErrNumbersMet: the file, read further after the update's first new
// number was taken, refers to that number or above. The update must be
// planned again (the reader now knows those numbers): a second plan reads
// the same objects and numbers above them.
var ErrNumbersMet = errors.New("the file refers to a number given to a new object: plan the update again")

// Alloc reserves a new object number above every number the file uses or
// refers to (numbering.go): never a reused one, never one an existing
// reference names, which would then point at the new object.
func (u *Increment) Alloc() Ref {
	if u.next < 0 {
		u.next = u.r.NextFree()
		u.first = u.next
	}
	ref := Ref{u.next, 0}
	u.next++
	return ref
}

// size is the update's /Size: above every number of the file and of the
// update.
func (u *Increment) size() int {
	if u.next < 0 {
		return u.r.NextFree()
	}
	return u.next
}

func (u *Increment) PutBody(ref Ref, body []byte, marks map[string]int) {
	o := incObj{ref: ref, body: body, marks: marks}
	if i, ok := u.byNum[ref.Num]; ok {
		u.objs[i] = o
		return
	}
	u.byNum[ref.Num] = len(u.objs)
	u.objs = append(u.objs, o)
}

// put writes o (a dictionary, array or any direct object) as object ref.
func (u *Increment) Put(ref Ref, o Object) {
	u.PutBody(ref, AppendObject(nil, u.EncObject(ref, o)), nil)
}

// putStream writes a stream object; /Length is set from data.
func (u *Increment) PutStream(ref Ref, d *Dict, data []byte) {
	d = u.EncObject(ref, d.Clone()).(*Dict)
	data = u.encStreamData(ref, data)
	d.Set("Length", Int(len(data)))
	b := AppendObject(nil, d)
	b = append(b, "\nstream\n"...)
	b = append(b, data...)
	b = append(b, "\nendstream"...)
	u.PutBody(ref, b, nil)
}

// serialized is an update ready to write at file offset base.
type serialized struct {
	Data  []byte
	Marks map[string]int64 // mark name → absolute file offset
	xref  int64            // offset of the new xref section
}

// bytes serialises the update for a file whose current length is base and
// whose last byte is lastByte (a newline is added first when the file does
// not end with one, so that the first object starts on its own line).
func (u *Increment) Bytes(base int64, lastByte byte) (*serialized, error) {
	if u.first >= 0 && u.r.top > u.first {
		return nil, ErrNumbersMet
	}
	var b bytes.Buffer
	if lastByte != '\n' && lastByte != '\r' {
		b.WriteByte('\n')
	}
	offsets := map[int]int64{}
	gens := map[int]int{}
	out := &serialized{Marks: map[string]int64{}}
	for _, o := range u.objs {
		offsets[o.ref.Num] = base + int64(b.Len())
		gens[o.ref.Num] = o.ref.Gen
		fmt.Fprintf(&b, "%d %d obj\n", o.ref.Num, o.ref.Gen)
		start := base + int64(b.Len())
		for name, pos := range o.marks {
			out.Marks[name] = start + int64(pos)
		}
		b.Write(o.body)
		b.WriteString("\nendobj\n")
	}
	tr := u.trailerDict()
	if u.r.repaired {
		// A complete table without /Prev: no reader repairs anything (repair.go).
		u.completeTable(offsets, gens)
	} else {
		tr.Set("Prev", Int(u.r.startxref))
	}
	if len(u.r.Sections) > 0 && u.r.Sections[0].Stream {
		xn := u.Alloc()
		xoff := base + int64(b.Len())
		offsets[xn.Num] = xoff
		gens[xn.Num] = 0
		tr.Set("Size", Int(u.size()))
		nums := sortedKeys(offsets)
		w2 := 1
		for ; w2 < 8 && xoff >= 1<<(8*w2); w2++ {
		}
		var index Array
		var data []byte
		for i := 0; i < len(nums); {
			j := i
			for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
				j++
			}
			index = append(index, Int(nums[i]), Int(j-i+1))
			for k := i; k <= j; k++ {
				data = append(data, 1)
				off := offsets[nums[k]]
				for s := w2 - 1; s >= 0; s-- {
					data = append(data, byte(off>>(8*s)))
				}
				g := gens[nums[k]]
				data = append(data, byte(g>>8), byte(g))
			}
			i = j + 1
		}
		d := &Dict{}
		d.Set("Type", Name("XRef"))
		for _, k := range tr.Keys() {
			d.Set(k, tr.Get(k))
		}
		d.Set("W", Array{Int(1), Int(w2), Int(2)})
		d.Set("Index", index)
		d.Set("Length", Int(len(data)))
		fmt.Fprintf(&b, "%d 0 obj\n", xn.Num)
		b.Write(AppendObject(nil, d))
		b.WriteString("\nstream\n")
		b.Write(data)
		b.WriteString("\nendstream\nendobj\n")
		out.xref = xoff
	} else {
		out.xref = base + int64(b.Len())
		tr.Set("Size", Int(u.size()))
		b.WriteString("xref\n")
		if u.r.repaired {
			b.WriteString("0 1\n0000000000 65535 f\r\n")
		}
		nums := sortedKeys(offsets)
		for i := 0; i < len(nums); {
			j := i
			for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
				j++
			}
			fmt.Fprintf(&b, "%d %d\n", nums[i], j-i+1)
			for k := i; k <= j; k++ {
				fmt.Fprintf(&b, "%010d %05d n\r\n", offsets[nums[k]], gens[nums[k]])
			}
			i = j + 1
		}
		b.WriteString("trailer\n")
		b.Write(AppendObject(nil, tr))
		b.WriteString("\n")
	}
	b.WriteString("startxref\n" + strconv.FormatInt(out.xref, 10) + "\n%%EOF\n")
	out.Data = b.Bytes()
	return out, nil
}

// streamOnlyKeys are keys of an xref stream's dictionary that describe the
// stream itself, not the document.
var streamOnlyKeys = map[string]bool{
	"Type": true, "W": true, "Index": true, "Filter": true, "DecodeParms": true, "Length": true,
	"F": true, "FFilter": true, "FDecodeParms": true, "DL": true,
}

// trailerDict is the new trailer: every key of the previous trailer except
// the section-specific ones.
func (u *Increment) trailerDict() *Dict {
	tr := &Dict{}
	last := u.r.Sections[0]
	for _, k := range last.trailer.Keys() {
		if k == "Prev" || k == "Size" || k == "XRefStm" || (last.Stream && streamOnlyKeys[k]) {
			continue
		}
		tr.Set(k, last.trailer.Get(k))
	}
	for _, k := range []string{"Root", "Info", "ID", "Encrypt"} {
		if !tr.Has(k) && u.r.Trailer.Has(k) {
			tr.Set(k, u.r.Trailer.Get(k))
		}
	}
	if u.trailer != nil {
		for _, k := range u.trailer.Keys() {
			tr.Set(k, u.trailer.Get(k))
		}
	}
	return tr
}

func sortedKeys(m map[int]int64) []int {
	ks := make([]int, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Ints(ks)
	return ks
}

// appendIncrement adds a further revision at the end of an open file (read
// and write): build adds objects to the update; the update is written after
// the last byte and synced. For the DSS / document-timestamp revisions that
// follow a signature (B-LT, B-LTA).
func AppendIncrement(f *os.File, build func(r *Reader, u *Increment) error) (*serialized, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, errIO(err)
	}
	r, err := NewReaderDecrypting(f, st.Size())
	if err != nil {
		return nil, err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, st.Size()-1); err != nil && !errors.Is(err, io.EOF) {
		return nil, errIO(err)
	}
	var s *serialized
	// A second plan when build met, after its first new number, a
	// reference to it or above (ErrNumbersMet): the reader knows them now.
	for attempt := 0; ; attempt++ {
		u := NewIncrement(r)
		if err := build(r, u); err != nil {
			return nil, err
		}
		s, err = u.Bytes(st.Size(), last[0])
		if errors.Is(err, ErrNumbersMet) && attempt == 0 {
			continue
		}
		if err != nil {
			return nil, err
		}
		break
	}
	if _, err := f.WriteAt(s.Data, st.Size()); err != nil {
		return nil, errIO(err)
	}
	if err := f.Sync(); err != nil {
		return nil, errIO(err)
	}
	return s, nil
}
