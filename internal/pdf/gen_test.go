package pdf

import (
	"bytes"
	"fmt"
	"sort"
)

// A small PDF writer for the vectors of this package: objects by number,
// each revision with a classic table or an xref stream, so that every
// odd shape of the cross-reference data can be written exactly.

type genObj struct {
	num  int
	body string // between "N 0 obj" and "endobj"
}

type genRev struct {
	objs    []genObj
	stream  int    // >0: an xref stream with this object number
	self    bool   // the xref stream lists itself
	index   string // xref stream /Index ("" = the listed numbers)
	size    int    // /Size (0 = above the largest number listed)
	trailer string // extra trailer keys
	// objstm: number of an object stream holding inStm (type-2 entries for
	// those listed in listed).
	objstm int
	inStm  []genObj
	listed map[int]bool
}

// genPDF writes the revisions one after the other.
func genPDF(revs ...genRev) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	prev := int64(-1)
	for _, rv := range revs {
		type ent struct {
			typ      int
			off, gen int64
		}
		ents := map[int]ent{}
		for _, o := range rv.objs {
			ents[o.num] = ent{1, int64(b.Len()), 0}
			fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", o.num, o.body)
		}
		if rv.objstm > 0 {
			var head, data bytes.Buffer
			for i, o := range rv.inStm {
				fmt.Fprintf(&head, "%d %d ", o.num, data.Len())
				data.WriteString(o.body + "\n")
				if rv.listed == nil || rv.listed[o.num] {
					ents[o.num] = ent{2, int64(rv.objstm), int64(i)}
				}
			}
			ents[rv.objstm] = ent{1, int64(b.Len()), 0}
			fmt.Fprintf(&b, "%d 0 obj\n<</Type/ObjStm/N %d/First %d/Length %d>>\nstream\n%s%s\nendstream\nendobj\n",
				rv.objstm, len(rv.inStm), head.Len(), head.Len()+data.Len(), head.String(), data.String())
		}
		nums := make([]int, 0, len(ents))
		for n := range ents {
			nums = append(nums, n)
		}
		xoff := int64(b.Len())
		if rv.stream > 0 && rv.self {
			ents[rv.stream] = ent{1, xoff, 0}
			nums = append(nums, rv.stream)
		}
		sort.Ints(nums)
		size := rv.size
		if size == 0 && len(nums) > 0 {
			size = nums[len(nums)-1] + 1
		}
		prevKey := ""
		if prev >= 0 {
			prevKey = fmt.Sprintf("/Prev %d", prev)
		}
		if rv.stream > 0 {
			var data bytes.Buffer
			var index []string
			for _, n := range nums {
				e := ents[n]
				data.Write([]byte{byte(e.typ), byte(e.off >> 24), byte(e.off >> 16), byte(e.off >> 8), byte(e.off), byte(e.gen >> 8), byte(e.gen)})
				index = append(index, fmt.Sprintf("%d 1", n))
			}
			ix := rv.index
			if ix == "" {
				ix = "[" + join(index) + "]"
			}
			fmt.Fprintf(&b, "%d 0 obj\n<</Type/XRef/W[1 4 2]/Index %s/Size %d%s%s/Length %d>>\nstream\n",
				rv.stream, ix, size, prevKey, rv.trailer, data.Len())
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
			fmt.Fprintf(&b, "trailer\n<</Size %d%s%s>>\n", size, prevKey, rv.trailer)
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

// basicObjs: a catalog (1), its page tree (2) and one page (3).
func basicObjs(catalogExtra string) []genObj {
	return []genObj{
		{1, "<</Type/Catalog/Pages 2 0 R" + catalogExtra + ">>"},
		{2, "<</Type/Pages/Kids[3 0 R]/Count 1>>"},
		{3, "<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>"},
	}
}
