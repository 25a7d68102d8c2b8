// Package hostile makes the hostile and odd PDF files of issue #11: small
// files that describe far more work than their size (decompression bombs,
// millions of cross-reference entries, self-referencing object streams,
// reference and page-tree cycles, one stream named thousands of times…).
// Every file must end in a clean refusal (or a normal verdict) within
// seconds and a bounded memory, never a crash, a hang or a PIN sent.
//
// `go run ./tools/hostilegen` writes them to testdata/hostile/; the
// tests and the fuzz targets build them in memory from here.
package hostile

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
)

// File is one hostile file and what the CLI must answer.
type File struct {
	Name  string // file name in testdata/hostile
	Class string // the class (what it attacks)
	Data  []byte
	// VerifyExit and SignExit are the CLI exit codes of "verify FILE" and of
	// "sign FILE" (refused before any token is opened); SignExit 0: the
	// file is signable, the sign check lets it through.
	VerifyExit, SignExit int
	// Want is a fragment of the English message (stderr), "" for none.
	Want string
}

// Exit codes of the CLI (cmd/certigna-desktop/main.go).
const (
	exitUsage   = 2 // several empty signature fields: --field must name one
	exitInvalid = 1
	exitBadPDF  = 7
	exitNoSig   = 8
)

// Fragments of the English messages.
const (
	msgDamaged = "damaged PDF"
	msgLimit   = "more work than a PDF of its size"
)

// Files returns the hostile set. signed, when not nil, is a validly signed
// PDF (its last revision ends with "%%EOF\n"): the files that need a real
// signature (so that the verifier goes as far as the DSS) are built on it.
func Files(signed []byte) []File {
	fs := []File{
		{Name: "objstm-self-length.pdf", Class: "object stream whose /Length is inside itself", Data: objStmSelf("Length"), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: "inside itself"},
		{Name: "objstm-self-filter.pdf", Class: "object stream whose /Filter is inside itself", Data: objStmSelf("Filter"), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: "inside itself"},
		{Name: "objstm-self-parms.pdf", Class: "object stream whose /DecodeParms is inside itself", Data: objStmSelf("DecodeParms"), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: "inside itself"},
		{Name: "objstm-chain.pdf", Class: "object streams whose /Length is in the next one, 60 deep", Data: objStmChain(60), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: "nested more than"},
		{Name: "ref-cycle.pdf", Class: "reference cycle as the catalog", Data: refCycle(), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgDamaged},
		{Name: "length-chain.pdf", Class: "stream /Length through a chain of 40 references", Data: lengthChain(40), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgDamaged},
		{Name: "page-tree-cycle.pdf", Class: "page tree whose node is its own grandchild", Data: pageTreeCycle(), VerifyExit: exitNoSig, SignExit: exitBadPDF, Want: "page tree"},
		{Name: "xref-stream-huge.pdf", Class: "xref stream of /Size 2^31 with 350,000 entries from 2 KB", Data: xrefStreamHuge(), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: "cross-reference entries"},
		{Name: "hybrid-xrefstm-repeat.pdf", Class: "2,000 xref sections naming one /XRefStm of 150,000 entries", Data: hybridRepeat(2000, 150000), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: "cross-reference entries"},
		{Name: "prev-loop.pdf", Class: "/Prev loop between two xref sections", Data: prevLoop(), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: "loops"},
		{Name: "prev-chain.pdf", Class: "20,000 xref sections chained by /Prev", Data: prevChain(20000), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: "cross-reference sections"},
		{Name: "objstm-bombs.pdf", Class: "eight object streams of 12 MiB each, all needed", Data: objStmBombs(8, 12<<20), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: "decompressed data"},
		{Name: "objstm-bomb-300m.pdf", Class: "one object stream inflating to 300 MiB", Data: objStmBombs(1, 300<<20), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgLimit},
		{Name: "objstm-n-huge.pdf", Class: "object stream with /N 100,000,000", Data: objStmHeader("/N 100000000 /First 12"), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgDamaged},
		{Name: "objstm-first-beyond.pdf", Class: "object stream with /First past its data", Data: objStmHeader("/N 1 /First 99999999"), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgDamaged},
		{Name: "objstm-first-negative.pdf", Class: "object stream with a negative /First", Data: objStmHeader("/N 1 /First -5"), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgDamaged},
		{Name: "huge-length.pdf", Class: "/Length 2^63-1 (overflows offset + length)", Data: hugeLength("9223372036854775807"), VerifyExit: exitNoSig, SignExit: 0},
		{Name: "negative-length.pdf", Class: "/Length -9223372036854775808", Data: hugeLength("-9223372036854775808"), VerifyExit: exitNoSig, SignExit: 0},
		{Name: "predictor-bomb.pdf", Class: "xref stream predictor of 64 MiB rows", Data: predictorBomb(), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgDamaged},
		{Name: "lzw-filter.pdf", Class: "LZW object stream (filter not read)", Data: otherFilter("/LZWDecode", bytes.Repeat([]byte{0x80, 0x0b, 0x60, 0x50, 0x22, 0x0c, 0x0c, 0x85, 0x01}, 1000)), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgDamaged},
		{Name: "ascii85-filter.pdf", Class: "ASCII85 object stream (filter not read)", Data: otherFilter("/ASCII85Decode", bytes.Repeat([]byte("z"), 100000)), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgDamaged},
		{Name: "runlength-filter.pdf", Class: "RunLength object stream (filter not read)", Data: otherFilter("/RunLengthDecode", bytes.Repeat([]byte{0x81, 0}, 100000)), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgDamaged},
		{Name: "filter-chain.pdf", Class: "200 FlateDecode filters in a row", Data: filterChain(200), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgLimit},
		{Name: "deep-arrays.pdf", Class: "catalog nested 100,000 arrays deep", Data: deepNesting("[", 100000), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgDamaged},
		{Name: "deep-dicts.pdf", Class: "catalog nested 50,000 dictionaries deep", Data: deepNesting("<</A ", 50000), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgDamaged},
		{Name: "xref-count-huge.pdf", Class: "xref subsection of 50,000,000 entries, truncated", Data: tableCountHuge(), VerifyExit: exitNoSig, SignExit: exitBadPDF, Want: msgDamaged}, // verify reads it as signing does, rebuilt by a scan (issue 21): no signature; signing finds no page tree
		{Name: "numbers-overflow.pdf", Class: "object numbers, /Size and /Prev out of range", Data: numbersOverflow(), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgDamaged},
		{Name: "sig-fields-10000.pdf", Class: "10,000 fields naming one signature", Data: sigFields(10000, false), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: "signature fields"},
		{Name: "sig-distinct-300.pdf", Class: "300 distinct inline signatures", Data: sigFields(300, true), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: "different signatures"},
	}
	if signed != nil {
		fs = append(fs,
			File{Name: "dss-repeat.pdf", Class: "a DSS whose arrays name one 4 MiB stream 30,000 times", Data: dssRepeat(signed, 30000),
				VerifyExit: 0, SignExit: 0, Want: ""},
		)
	}
	return append(fs, changeFiles(signed)...)
}

// ---------------------------------------------------------------- builders

type builder struct {
	b    bytes.Buffer
	offs map[int]int
}

func newBuilder() *builder {
	w := &builder{offs: map[int]int{}}
	w.b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return w
}

func (w *builder) obj(num int, body string) {
	w.offs[num] = w.b.Len()
	fmt.Fprintf(&w.b, "%d 0 obj\n%s\nendobj\n", num, body)
}

func (w *builder) stream(num int, dict string, data []byte) {
	w.offs[num] = w.b.Len()
	fmt.Fprintf(&w.b, "%d 0 obj\n<<%s/Length %d>>\nstream\n", num, dict, len(data))
	w.b.Write(data)
	w.b.WriteString("\nendstream\nendobj\n")
}

// table ends the file with a classic xref table of objects 0..size-1.
func (w *builder) table(size int, trailer string) []byte {
	x := w.b.Len()
	fmt.Fprintf(&w.b, "xref\n0 %d\n0000000000 65535 f \n", size)
	for n := 1; n < size; n++ {
		if o, ok := w.offs[n]; ok {
			fmt.Fprintf(&w.b, "%010d 00000 n \n", o)
		} else {
			w.b.WriteString("0000000000 65535 f \n")
		}
	}
	fmt.Fprintf(&w.b, "trailer\n<</Size %d%s>>\nstartxref\n%d\n%%%%EOF\n", size, trailer, x)
	return w.b.Bytes()
}

// xrefStream ends the file with an xref stream (object num) listing the
// plain objects written so far plus compressed ones (num → [stream, index]).
func (w *builder) xrefStream(num, size int, compressed map[int][2]int, extra string) []byte {
	w.offs[num] = w.b.Len()
	var data []byte
	for n := 0; n < size; n++ {
		if c, ok := compressed[n]; ok {
			data = append(data, 2, byte(c[0]>>16), byte(c[0]>>8), byte(c[0]), byte(c[1]))
		} else if o, ok := w.offs[n]; ok {
			data = append(data, 1, byte(o>>16), byte(o>>8), byte(o), 0)
		} else {
			data = append(data, 0, 0, 0, 0, 0)
		}
	}
	x := w.b.Len()
	w.stream(num, fmt.Sprintf("/Type/XRef/Size %d/W[1 3 1]/Root 1 0 R%s", size, extra), data)
	fmt.Fprintf(&w.b, "startxref\n%d\n%%%%EOF\n", x)
	return w.b.Bytes()
}

func flate(b []byte) []byte {
	var out bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&out, zlib.BestCompression)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// flateZeros deflates n zero bytes after head without holding them.
func flateZeros(head []byte, n int) []byte {
	var out bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&out, zlib.BestCompression)
	zw.Write(head)
	chunk := make([]byte, 1<<20)
	for n > 0 {
		k := min(n, len(chunk))
		zw.Write(chunk[:k])
		n -= k
	}
	zw.Close()
	return out.Bytes()
}

// objStm returns the decoded data of an object stream and its /First.
func objStm(objs [][2]string) ([]byte, int) {
	var head, body strings.Builder
	for _, o := range objs {
		fmt.Fprintf(&head, "%s %d ", o[0], body.Len())
		body.WriteString(o[1])
		body.WriteString("\n")
	}
	return []byte(head.String() + body.String()), head.Len()
}

const pagesObjs = "<</Type/Pages/Kids[3 0 R]/Count 1>>"
const pageObj = "<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>"

// ---------------------------------------------------------------- files

// objStmSelf: object stream 5 holds the catalog and object 6, which is the
// stream's own /Length, /Filter or /DecodeParms.
func objStmSelf(key string) []byte {
	w := newBuilder()
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	var six string
	switch key {
	case "Length":
		six = "60"
	case "Filter":
		six = "/FlateDecode"
	default:
		six = "<</Predictor 12/Columns 4>>"
	}
	data, first := objStm([][2]string{{"1", "<</Type/Catalog/Pages 2 0 R>>"}, {"6", six}})
	z := flate(data)
	var dict string
	switch key {
	case "Length":
		w.offs[5] = w.b.Len()
		fmt.Fprintf(&w.b, "5 0 obj\n<</Type/ObjStm/N 2/First %d/Filter/FlateDecode/Length 6 0 R>>\nstream\n", first)
		w.b.Write(z)
		w.b.WriteString("\nendstream\nendobj\n")
		return w.xrefStream(7, 8, map[int][2]int{1: {5, 0}, 6: {5, 1}}, "")
	case "Filter":
		dict = fmt.Sprintf("/Type/ObjStm/N 2/First %d/Filter 6 0 R", first)
	default:
		dict = fmt.Sprintf("/Type/ObjStm/N 2/First %d/Filter/FlateDecode/DecodeParms 6 0 R", first)
	}
	w.stream(5, dict, z)
	return w.xrefStream(7, 8, map[int][2]int{1: {5, 0}, 6: {5, 1}}, "")
}

// objStmChain: object stream k's /Length is object 1000+k+1, stored in
// object stream k+1; the catalog is in the first.
func objStmChain(depth int) []byte {
	w := newBuilder()
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	comp := map[int][2]int{}
	size := 2000 + depth + 2
	for k := depth - 1; k >= 0; k-- {
		var objs [][2]string
		if k == 0 {
			objs = append(objs, [2]string{"1", "<</Type/Catalog/Pages 2 0 R>>"})
			comp[1] = [2]int{100 + k, 0}
		}
		// This stream holds the length of the previous one.
		data, first := objStm(append(objs, [2]string{fmt.Sprint(1000 + k), "0"}))
		comp[1000+k] = [2]int{100 + k, len(objs)}
		z := flate(data)
		length := fmt.Sprint(len(z))
		if k+1 < depth {
			length = fmt.Sprintf("%d 0 R", 1000+k+1)
		}
		w.offs[100+k] = w.b.Len()
		fmt.Fprintf(&w.b, "%d 0 obj\n<</Type/ObjStm/N %d/First %d/Filter/FlateDecode/Length %s>>\nstream\n", 100+k, len(objs)+1, first, length)
		w.b.Write(z)
		w.b.WriteString("\nendstream\nendobj\n")
	}
	return w.xrefStream(size-1, size, comp, "")
}

func refCycle() []byte {
	w := newBuilder()
	w.obj(1, "4 0 R")
	w.obj(4, "5 0 R")
	w.obj(5, "1 0 R")
	return w.table(6, "/Root 1 0 R")
}

func lengthChain(n int) []byte {
	w := newBuilder()
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	data, first := objStm([][2]string{{"1", "<</Type/Catalog/Pages 2 0 R>>"}})
	z := flate(data)
	w.offs[5] = w.b.Len()
	fmt.Fprintf(&w.b, "5 0 obj\n<</Type/ObjStm/N 1/First %d/Filter/FlateDecode/Length 10 0 R>>\nstream\n", first)
	w.b.Write(z)
	w.b.WriteString("\nendstream\nendobj\n")
	for i := 0; i < n; i++ {
		if i == n-1 {
			w.obj(10+i, fmt.Sprint(len(z)))
		} else {
			w.obj(10+i, fmt.Sprintf("%d 0 R", 11+i))
		}
	}
	return w.xrefStream(9, 10+n, map[int][2]int{1: {5, 0}}, "")
}

func pageTreeCycle() []byte {
	w := newBuilder()
	w.obj(1, "<</Type/Catalog/Pages 2 0 R>>")
	w.obj(2, "<</Type/Pages/Kids[3 0 R]/Count 1>>")
	w.obj(3, "<</Type/Pages/Kids[2 0 R 3 0 R]/Count 1>>")
	return w.table(4, "/Root 1 0 R")
}

func xrefStreamHuge() []byte {
	w := newBuilder()
	w.obj(1, "<</Type/Catalog/Pages 2 0 R>>")
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	// 350,000 free entries of 3 bytes: a few KB once compressed.
	z := flateZeros(nil, 350000*3)
	x := w.b.Len()
	fmt.Fprintf(&w.b, "4 0 obj\n<</Type/XRef/Size 2147483647/Index[0 2147483647]/W[1 1 1]/Root 1 0 R/Filter/FlateDecode/Length %d>>\nstream\n", len(z))
	w.b.Write(z)
	fmt.Fprintf(&w.b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", x)
	return w.b.Bytes()
}

func hybridRepeat(sections, entries int) []byte {
	w := newBuilder()
	w.obj(1, "<</Type/Catalog/Pages 2 0 R>>")
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	xs := w.b.Len()
	z := flateZeros(nil, entries*3)
	fmt.Fprintf(&w.b, "4 0 obj\n<</Type/XRef/Size %d/W[1 1 1]/Filter/FlateDecode/Length %d>>\nstream\n", entries, len(z))
	w.b.Write(z)
	w.b.WriteString("\nendstream\nendobj\n")
	prev := 0
	for i := 0; i < sections; i++ {
		x := w.b.Len()
		fmt.Fprintf(&w.b, "xref\n0 4\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n%010d 00000 n \ntrailer\n<</Size 5/Root 1 0 R/XRefStm %d", w.offs[1], w.offs[2], w.offs[3], xs)
		if prev > 0 {
			fmt.Fprintf(&w.b, "/Prev %d", prev)
		}
		w.b.WriteString(">>\n")
		prev = x
	}
	fmt.Fprintf(&w.b, "startxref\n%d\n%%%%EOF\n", prev)
	return w.b.Bytes()
}

func prevLoop() []byte {
	w := newBuilder()
	w.obj(1, "<</Type/Catalog/Pages 2 0 R>>")
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	// Two sections, each the /Prev of the other (fixed-width offsets).
	a := w.b.Len()
	sec := func(prev int) string {
		return fmt.Sprintf("xref\n0 4\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n%010d 00000 n \ntrailer\n<</Size 4/Root 1 0 R/Prev %010d>>\n", w.offs[1], w.offs[2], w.offs[3], prev)
	}
	b := a + len(sec(0))
	w.b.WriteString(sec(b))
	w.b.WriteString(sec(a))
	fmt.Fprintf(&w.b, "startxref\n%d\n%%%%EOF\n", b)
	return w.b.Bytes()
}

func prevChain(n int) []byte {
	w := newBuilder()
	w.obj(1, "<</Type/Catalog/Pages 2 0 R>>")
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	prev := 0
	for i := 0; i < n; i++ {
		x := w.b.Len()
		fmt.Fprintf(&w.b, "xref\n0 1\n0000000000 65535 f \ntrailer\n<</Size 4/Root 1 0 R")
		if prev > 0 {
			fmt.Fprintf(&w.b, "/Prev %d", prev)
		}
		w.b.WriteString(">>\n")
		prev = x
	}
	fmt.Fprintf(&w.b, "startxref\n%d\n%%%%EOF\n", prev)
	return w.b.Bytes()
}

// objStmBombs: n object streams of size bytes each (mostly zeros, white
// space to a PDF parser); the catalog, the page tree, the form and its
// fields are spread over them so that every one is needed.
func objStmBombs(n, size int) []byte {
	w := newBuilder()
	chain := []string{"<</Type/Catalog/Pages 2 0 R/AcroForm 20 0 R>>", pagesObjs, pageObj}
	nums := []int{1, 2, 3}
	for i := 3; i < n; i++ {
		nums = append(nums, 20+i-3)
		next := fmt.Sprintf("%d 0 R", 20+i-2)
		if i == n-1 {
			next = ""
		}
		if i == 3 {
			chain = append(chain, "<</Fields["+next+"]>>")
		} else {
			chain = append(chain, "<</FT/Sig/T(f"+fmt.Sprint(i)+")/Kids["+next+"]>>")
		}
	}
	comp := map[int][2]int{}
	if n == 1 {
		var objs [][2]string
		for i, c := range chain {
			objs = append(objs, [2]string{fmt.Sprint(nums[i]), c})
			comp[nums[i]] = [2]int{100, i}
		}
		data, first := objStm(objs)
		z := flateZeros(data, size)
		w.stream(100, fmt.Sprintf("/Type/ObjStm/N %d/First %d/Filter/FlateDecode", len(objs), first), z)
		return w.xrefStream(200, 201, comp, "")
	}
	for i := 0; i < n && i < len(chain); i++ {
		data, first := objStm([][2]string{{fmt.Sprint(nums[i]), chain[i]}})
		comp[nums[i]] = [2]int{100 + i, 0}
		z := flateZeros(data, size)
		w.stream(100+i, fmt.Sprintf("/Type/ObjStm/N 1/First %d/Filter/FlateDecode", first), z)
	}
	return w.xrefStream(200, 201, comp, "")
}

func objStmHeader(dict string) []byte {
	w := newBuilder()
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	data, _ := objStm([][2]string{{"1", "<</Type/Catalog/Pages 2 0 R>>"}})
	w.stream(5, "/Type/ObjStm"+dict+"/Filter/FlateDecode", flate(data))
	return w.xrefStream(7, 8, map[int][2]int{1: {5, 0}}, "")
}

func hugeLength(length string) []byte {
	w := newBuilder()
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	data, first := objStm([][2]string{{"1", "<</Type/Catalog/Pages 2 0 R>>"}})
	w.offs[5] = w.b.Len()
	fmt.Fprintf(&w.b, "5 0 obj\n<</Type/ObjStm/N 1/First %d/Filter/FlateDecode/Length %s>>\nstream\n", first, length)
	w.b.Write(flate(data))
	w.b.WriteString("\nendobj\n") // no endstream either
	return w.xrefStream(7, 8, map[int][2]int{1: {5, 0}}, "")
}

func predictorBomb() []byte {
	w := newBuilder()
	w.obj(1, "<</Type/Catalog/Pages 2 0 R>>")
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	z := flateZeros([]byte{2}, 1<<20)
	x := w.b.Len()
	fmt.Fprintf(&w.b, "4 0 obj\n<</Type/XRef/Size 5/W[1 3 1]/Root 1 0 R/Filter/FlateDecode/DecodeParms<</Predictor 12/Columns 1048576/Colors 32/BitsPerComponent 16>>/Length %d>>\nstream\n", len(z))
	w.b.Write(z)
	fmt.Fprintf(&w.b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", x)
	return w.b.Bytes()
}

func otherFilter(filter string, data []byte) []byte {
	w := newBuilder()
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	w.stream(5, "/Type/ObjStm/N 1/First 4/Filter"+filter, data)
	return w.xrefStream(7, 8, map[int][2]int{1: {5, 0}}, "")
}

func filterChain(n int) []byte {
	w := newBuilder()
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	data, first := objStm([][2]string{{"1", "<</Type/Catalog/Pages 2 0 R>>"}})
	// Compressed n times over a 20 MiB bomb: each layer is decoded in turn
	// and counted in the decoded total.
	z := flateZeros(data, 40<<20)
	for i := 1; i < n; i++ {
		z = flate(z)
	}
	filters := strings.Repeat("/FlateDecode", n)
	w.stream(5, fmt.Sprintf("/Type/ObjStm/N 1/First %d/Filter[%s]", first, filters), z)
	return w.xrefStream(7, 8, map[int][2]int{1: {5, 0}}, "")
}

func deepNesting(open string, depth int) []byte {
	w := newBuilder()
	w.obj(1, strings.Repeat(open, depth))
	return w.table(2, "/Root 1 0 R")
}

func tableCountHuge() []byte {
	w := newBuilder()
	w.obj(1, "<</Type/Catalog/Pages 2 0 R>>")
	x := w.b.Len()
	w.b.WriteString("xref\n0 50000000\n0000000000 65535 f \n")
	fmt.Fprintf(&w.b, "%010d 00000 n \n", w.offs[1])
	fmt.Fprintf(&w.b, "trailer\n<</Size 50000000/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", x)
	return w.b.Bytes()
}

func numbersOverflow() []byte {
	w := newBuilder()
	w.offs[1] = w.b.Len()
	w.b.WriteString("99999999999999999999 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n")
	w.obj(2, "<</Type/Pages/Kids[3 0 R]/Count 99999999999999999999>>")
	w.obj(3, "<</Type/Page/Parent 2 0 R/MediaBox[0 0 1e400 -99999999999999999999]>>")
	return w.table(4, "/Root 1 0 R/Prev -1/Size 2147483648")
}

// sigFields: n fields naming one signature dictionary, or n distinct
// inline signature dictionaries.
func sigFields(n int, distinct bool) []byte {
	w := newBuilder()
	w.obj(1, "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields 4 0 R>>>>")
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < n; i++ {
		if distinct {
			fmt.Fprintf(&b, "<</FT/Sig/T(s%d)/V<</ByteRange[0 10 20 %d]/Contents<3003020100>/SubFilter/ETSI.CAdES.detached>>>>\n", i, i)
		} else {
			fmt.Fprintf(&b, "<</FT/Sig/T(s%d)/V 5 0 R>>\n", i)
		}
	}
	b.WriteString("]")
	w.obj(4, b.String())
	w.obj(5, "<</ByteRange[0 10 20 5]/Contents<3003020100>/SubFilter/ETSI.CAdES.detached>>")
	return w.table(6, "/Root 1 0 R")
}

// dssRepeat appends to a signed PDF an update whose catalog has a DSS
// naming one 4 MiB certificate stream n times in each array.
func dssRepeat(signed []byte, n int) []byte {
	root, size, prevX, ok := lastTrailer(signed)
	if !ok {
		return nil
	}
	w := &builder{offs: map[int]int{}}
	w.b.Write(signed)
	catalog, ok := objectText(signed, root)
	if !ok {
		return nil
	}
	s := size
	w.stream(s, "/Filter/FlateDecode", flateZeros(nil, 4<<20))
	refs := strings.TrimSpace(strings.Repeat(fmt.Sprintf("%d 0 R ", s), n))
	w.obj(s+1, "<</Type/DSS/Certs["+refs+"]/OCSPs["+refs+"]/CRLs["+refs+"]>>")
	cat := strings.TrimSuffix(strings.TrimSpace(catalog), ">>") + fmt.Sprintf("/DSS %d 0 R>>", s+1)
	w.obj(root, cat)
	x := w.b.Len()
	fmt.Fprintf(&w.b, "xref\n%d 1\n%010d 00000 n \n%d 2\n%010d 00000 n \n%010d 00000 n \n", root, w.offs[root], s, w.offs[s], w.offs[s+1])
	fmt.Fprintf(&w.b, "trailer\n<</Size %d/Root %d 0 R/Prev %d>>\nstartxref\n%d\n%%%%EOF\n", s+2, root, prevX, x)
	return w.b.Bytes()
}

// lastTrailer reads /Root, /Size and startxref of a classic-table PDF.
func lastTrailer(pdf []byte) (root, size, startxref int, ok bool) {
	i := bytes.LastIndex(pdf, []byte("trailer"))
	j := bytes.LastIndex(pdf, []byte("startxref"))
	if i < 0 || j < 0 {
		return 0, 0, 0, false
	}
	t := string(pdf[i:j])
	if _, err := fmt.Sscanf(t[strings.Index(t, "/Root"):], "/Root %d", &root); err != nil {
		return 0, 0, 0, false
	}
	if _, err := fmt.Sscanf(t[strings.Index(t, "/Size"):], "/Size %d", &size); err != nil {
		return 0, 0, 0, false
	}
	if _, err := fmt.Sscanf(string(pdf[j:]), "startxref\n%d", &startxref); err != nil {
		return 0, 0, 0, false
	}
	return root, size, startxref, true
}

// objectText is the text of the last "num 0 obj … endobj" in pdf.
func objectText(pdf []byte, num int) (string, bool) {
	h := []byte(fmt.Sprintf("\n%d 0 obj", num))
	i := bytes.LastIndex(pdf, h)
	if i < 0 {
		return "", false
	}
	rest := pdf[i+len(h):]
	j := bytes.Index(rest, []byte("endobj"))
	if j < 0 {
		return "", false
	}
	return string(rest[:j]), true
}
