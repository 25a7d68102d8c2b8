// Package oddpdf makes the odd-but-readable PDF vectors of issue 21: files
// every reader opens (qpdf without a warning, or after the repair every
// reader does) whose cross-reference data or encryption dictionary has a
// shape our reader used to refuse, or read one way for signing and another
// for verifying. Each is made from a plain PDF (the sample in
// pdfsign/testdata/vectors/unsigned.pdf) by same-length edits, so that
// offsets stay right unless the shape is about them, or written whole.
//
// `go run ./internal/oddpdf/gen` writes them, with their .want files, to
// pdfsign/testdata/vectors (TestVectors reads them).
package oddpdf

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
)

// File is one vector and what Sign and Verify must give (the .want text).
type File struct {
	Name string
	Want string // the .want file: "# why\nsign: …\nverify: …\n"
	Data []byte
}

// Files makes the vectors from base, a plain one-revision PDF with a
// classic table whose trailer starts "<</Size" and names "/Root 1 0 R", and
// aes, the same encrypted by qpdf with AES-128 (V4, AESV2) and an empty user
// password (nil: that vector is left out).
func Files(base, aes []byte) ([]File, error) {
	var fs []File
	add := func(name, want string, data []byte, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		fs = append(fs, File{Name: name, Want: want, Data: data})
		return nil
	}
	d, err := replaceOnce(base, "<</Size", "<</Prev 0/Size")
	if err := add("prev-zero", "# A trailer with /Prev 0 (no earlier section there): readers repair it by a\n"+
		"# scan; signing and verifying read it the same way (rebuilt), so the file that\n"+
		"# is signed is not called unreadable.\nsign: ok\nverify: no_signature\n", d, err); err != nil {
		return nil, err
	}
	d, err = brokenEntry(base)
	if err := add("broken-table", "# One xref entry is neither \"n\" nor \"f\": readers rebuild the table by a scan;\n"+
		"# signing and verifying read the same rebuilt file.\nsign: ok\nverify: no_signature\n", d, err); err != nil {
		return nil, err
	}
	d, err = prevCycle(base)
	if err := add("prev-cycle", "# The trailer's /Prev is the section itself: a loop, refused by both alike.\n"+
		"sign: damaged\nverify: damaged\n", d, err); err != nil {
		return nil, err
	}
	// Issue 21's refusals of files readers open.
	xs := Write(Rev{Objs: BasicObjs(""), Stream: 7, Self: true, SelfAt: 3, Trailer: "/Root 1 0 R"})
	if err := add("xrefstm-self-elsewhere", "# An xref stream whose entry for itself gives another object's offset: nothing\n"+
		"# fetches an xref stream by number, readers ignore it (qpdf: no warning).\nsign: ok\nverify: no_signature\n", xs, nil); err != nil {
		return nil, err
	}
	if err := add("offset-on-comment", "# Object 3's entry gives an offset inside a long comment line just before\n"+
		"# \"3 0 obj\" (readers open it): the object is the header that follows.\nsign: ok\nverify: no_signature\n",
		commentBefore(), nil); err != nil {
		return nil, err
	}
	d, err = sameLength(base, "/Root 1 0 R", "/Root 1 1 R")
	if err := add("root-wrong-generation", "# The trailer's /Root names generation 1 of object 1, which exists at generation 0\n"+
		"# only: readers take object 1 (qpdf: no warning).\nsign: ok\nverify: no_signature\n", d, err); err != nil {
		return nil, err
	}
	md := Write(Rev{Objs: append(BasicObjs("/Metadata 8 0 R"), Obj{8, "<</Type/Metadata/Subtype/XML/Filter/FlateDecode/Length 10>>\nstream\nnot flate!\nendstream"}),
		Trailer: "/Root 1 0 R"})
	if err := add("metadata-unreadable", "# The catalog's /Metadata stream cannot be decoded: signing never needs it.\n"+
		"sign: ok\nverify: no_signature\n", md, nil); err != nil {
		return nil, err
	}
	os := Write(Rev{Objs: BasicObjs(""), Objstm: 5, Stream: 6, InStm: []Obj{{4, "<</Producer(oddpdf)>>"}},
		Trailer: "/Root 1 0 R/Info 4 0 R"})
	os, err = sameLength(os, "/N 1/First 4", "/N 1/First 0")
	if err := add("objstm-broken", "# The object stream holding only the /Info dictionary has a broken header:\n"+
		"# nothing the signature touches is in it.\nsign: ok\nverify: no_signature\n", os, err); err != nil {
		return nil, err
	}
	if err := add("update-root-is-info", "# pdf.js's issue9418: an update whose xref places object 1 (the /Info\n"+
		"# dictionary) at an offset with no object header, and whose trailer names it as\n"+
		"# /Root. Readers repair it by a scan and take the catalog (pdf.js: the /Root\n"+
		"# must have /Pages); signing and verifying read it the same way.\n"+
		"sign: ok\nverify: no_signature\n", rootIsInfo(), nil); err != nil {
		return nil, err
	}
	if aes != nil {
		d, err = sameLength(aes, "/Length 128 ", "            ")
		if err := add("aesv2-no-length", "# AESV2 (V4) with an empty user password and no /Length in /Encrypt: the key\n"+
			"# length is the crypt filter's (AESV2: 128 bits).\nsign: ok\nverify: no_signature\n", d, err); err != nil {
			return nil, err
		}
	}
	return fs, nil
}

// sameLength replaces the only occurrence of old by new of the same length
// (offsets stay right).
func sameLength(b []byte, old, new string) ([]byte, error) {
	if len(old) != len(new) || bytes.Count(b, []byte(old)) != 1 {
		return nil, fmt.Errorf("%q: not found once, or a length change", old)
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1), nil
}

// commentBefore: a classic-table file whose entry for object 3 points at a
// comment line of more than 48 bytes just before "3 0 obj".
func commentBefore() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	var offs []int
	for i, o := range BasicObjs("") {
		offs = append(offs, b.Len())
		if i == 2 {
			// The entry points inside the comment, after "% this".
			b.WriteString("% this comment line sits between the offset and the object header\n")
			offs[i] += 6
		}
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", o.Num, o.Body)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", o)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, x)
	return b.Bytes()
}

// replaceOnce replaces the last occurrence of old (the newest trailer).
func replaceOnce(b []byte, old, new string) ([]byte, error) {
	i := bytes.LastIndex(b, []byte(old))
	if i < 0 {
		return nil, fmt.Errorf("%q not found", old)
	}
	out := append([]byte(nil), b[:i]...)
	out = append(out, new...)
	return append(out, b[i+len(old):]...), nil
}

var entryRE = regexp.MustCompile(`(?m)^\d{10} 00000 n`)

// brokenEntry turns the second in-use entry's "n" into "x" (same length).
func brokenEntry(b []byte) ([]byte, error) {
	locs := entryRE.FindAllIndex(b, -1)
	if len(locs) < 2 {
		return nil, fmt.Errorf("no xref entries")
	}
	out := append([]byte(nil), b...)
	out[locs[1][1]-1] = 'x'
	return out, nil
}

// prevCycle gives the trailer a /Prev equal to its own section's offset.
func prevCycle(b []byte) ([]byte, error) {
	i := bytes.LastIndex(b, []byte("startxref"))
	if i < 0 {
		return nil, fmt.Errorf("no startxref")
	}
	var off int
	if _, err := fmt.Sscan(string(b[i+len("startxref"):]), &off); err != nil {
		return nil, err
	}
	return replaceOnce(b, "<</Size", "<</Prev "+strconv.Itoa(off)+"/Size")
}

// rootIsInfo: pdf.js's issue9418 shape. The first revision is sound (the
// catalog is object 2, /Info object 1); an update adds no object but lists
// object 1 at offset 17, inside "1 0 obj" (no header starts there), and
// its trailer says /Root 1 0 R: the /Info dictionary, which has no /Pages.
func rootIsInfo() []byte {
	objs := []Obj{
		{1, "<</Creator(oddpdf)/Producer(oddpdf)/CreationDate(D:20180115120000Z)>>"},
		{2, "<</Type/Catalog/Pages 3 0 R>>"},
		{3, "<</Type/Pages/Kids[4 0 R]/Count 1>>"},
		{4, "<</Type/Page/Parent 3 0 R/MediaBox[0 0 612 792]>>"},
	}
	b := Write(Rev{Objs: objs, Trailer: "/Root 2 0 R/Info 1 0 R"})
	prev := bytes.LastIndex(b, []byte("\nxref\n")) + 1
	x := len(b)
	return fmt.Appendf(b, "xref\n0 2\n0000000000 65535 f\r\n0000000017 00000 n\r\n"+
		"trailer\n<</Size 5/Prev %d/Root 1 0 R/Info 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", prev, x)
}
