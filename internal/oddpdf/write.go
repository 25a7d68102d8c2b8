package oddpdf

import (
	"bytes"
	"fmt"
	"sort"
)

// Write is a small PDF writer for vectors: objects by number,
// each revision with a classic table or an xref stream, so that every
// odd shape of the cross-reference data can be written exactly.

// Obj is one object: number and the text between "N 0 obj" and "endobj".
type Obj struct {
	Num  int
	Body string // between "N 0 obj" and "endobj"
}

// Rev is one revision and its cross-reference section.
type Rev struct {
	Objs    []Obj
	Stream  int    // >0: an xref stream with this object number
	Self    bool   // the xref stream lists itself
	Index   string // xref stream /Index ("" = the listed numbers)
	Size    int    // /Size (0 = above the largest number listed)
	Trailer string // extra trailer keys
	// objstm: number of an object stream holding inStm (type-2 entries for
	// those listed in listed).
	Objstm int
	InStm  []Obj
	Listed map[int]bool
	// SelfAt: the xref stream's entry for itself gives the offset of
	// object SelfAt instead (a writer bug readers ignore).
	SelfAt int
}

// Write writes the revisions one after the other.
func Write(revs ...Rev) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	prev := int64(-1)
	for _, rv := range revs {
		type ent struct {
			typ      int
			off, gen int64
		}
		ents := map[int]ent{}
		for _, o := range rv.Objs {
			ents[o.Num] = ent{1, int64(b.Len()), 0}
			fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", o.Num, o.Body)
		}
		if rv.Objstm > 0 {
			var head, data bytes.Buffer
			for i, o := range rv.InStm {
				fmt.Fprintf(&head, "%d %d ", o.Num, data.Len())
				data.WriteString(o.Body + "\n")
				if rv.Listed == nil || rv.Listed[o.Num] {
					ents[o.Num] = ent{2, int64(rv.Objstm), int64(i)}
				}
			}
			ents[rv.Objstm] = ent{1, int64(b.Len()), 0}
			fmt.Fprintf(&b, "%d 0 obj\n<</Type/ObjStm/N %d/First %d/Length %d>>\nstream\n%s%s\nendstream\nendobj\n",
				rv.Objstm, len(rv.InStm), head.Len(), head.Len()+data.Len(), head.String(), data.String())
		}
		nums := make([]int, 0, len(ents))
		for n := range ents {
			nums = append(nums, n)
		}
		xoff := int64(b.Len())
		if rv.Stream > 0 && rv.Self {
			ents[rv.Stream] = ent{1, xoff, 0}
			if rv.SelfAt > 0 {
				ents[rv.Stream] = ents[rv.SelfAt]
			}
			nums = append(nums, rv.Stream)
		}
		sort.Ints(nums)
		size := rv.Size
		if size == 0 && len(nums) > 0 {
			size = nums[len(nums)-1] + 1
		}
		prevKey := ""
		if prev >= 0 {
			prevKey = fmt.Sprintf("/Prev %d", prev)
		}
		if rv.Stream > 0 {
			var data bytes.Buffer
			var index []string
			for _, n := range nums {
				e := ents[n]
				data.Write([]byte{byte(e.typ), byte(e.off >> 24), byte(e.off >> 16), byte(e.off >> 8), byte(e.off), byte(e.gen >> 8), byte(e.gen)})
				index = append(index, fmt.Sprintf("%d 1", n))
			}
			ix := rv.Index
			if ix == "" {
				ix = "[" + join(index) + "]"
			}
			fmt.Fprintf(&b, "%d 0 obj\n<</Type/XRef/W[1 4 2]/Index %s/Size %d%s%s/Length %d>>\nstream\n",
				rv.Stream, ix, size, prevKey, rv.Trailer, data.Len())
			b.Write(data.Bytes())
			b.WriteString("\nendstream\nendobj\n")
		} else {
			b.WriteString("xref\n")
			if prev < 0 {
				b.WriteString("0 1\n0000000000 65535 f\r\n")
			}
			for _, n := range nums {
				fmt.Fprintf(&b, "%d 1\n%010d %05d n\r\n", n, ents[n].off, 0)
			}
			fmt.Fprintf(&b, "trailer\n<</Size %d%s%s>>\n", size, prevKey, rv.Trailer)
		}
		fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", xoff)
		prev = xoff
	}
	return b.Bytes()
}

func join(s []string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x)
	}
	return b.String()
}

// BasicObjs: a catalog (1), its page tree (2) and one page (3).
func BasicObjs(catalogExtra string) []Obj {
	return []Obj{
		{1, "<</Type/Catalog/Pages 2 0 R" + catalogExtra + ">>"},
		{2, "<</Type/Pages/Kids[3 0 R]/Count 1>>"},
		{3, "<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>"},
	}
}
