package hostile

import (
	"bytes"
	"crypto/md5"
	"crypto/rc4"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Second pass (issue #11 on the code of issue #13): files that attack the
// change analysis (the document at every revision, object-by-object
// comparisons), the DocMDP/FieldMDP rules and the revision scan. Most are
// built on a validly signed PDF so that the verifier goes as far as the
// analysis.

// changeFiles are the files of the second pass; signed may be nil.
func changeFiles(signed []byte) []File {
	fs := []File{
		{Name: "sections-no-eof.pdf", Class: "9,000 xref sections of 1 KB without %%EOF between them (revision scan)", Data: sectionsNoEOF(9000, 1024), VerifyExit: exitNoSig, SignExit: 0},
		{Name: "mdp-lists-huge.pdf", Class: "900 fields naming one signature whose /Reference names a FieldMDP of 200,000 /Fields 50,000 times", Data: mdpListsHuge(900, 50000, 200000), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgLimit},
	}
	fs = append(fs, cryptFiles()...)
	if signed == nil {
		return fs
	}
	return append(fs,
		File{Name: "revisions-xref-wide.pdf", Class: "4,000 small updates after a signature over an xref of 190,000 entries (a copy per revision)", Data: revisionsWide(signed, 190000, 4000), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgLimit},
		File{Name: "dict-keys-compare.pdf", Class: "a catalog of 120,000 keys rewritten after a signature (quadratic comparison)", Data: dictKeysCompare(signed, 120000), VerifyExit: exitInvalid, SignExit: 0},
		File{Name: "objstm-reparse.pdf", Class: "an array of 800,000 references in an object stream, re-read at each of 3,000 revisions", Data: objStmReparse(signed, 800000, 3000), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgLimit},
		File{Name: "sig-fields-added.pdf", Class: "40,000 empty signature fields added after a signature (each was checked against all)", Data: sigFieldsAdded(signed, 40000), VerifyExit: exitBadPDF, SignExit: exitUsage, Want: msgLimit},
		File{Name: "reports-fields-revisions.pdf", Class: "900 fields naming the signature, 3,000 revisions after it (a report per field)", Data: reportsFieldsRevisions(signed, 900, 3000), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: msgLimit},
	)
}

// updater appends incremental updates (classic xref tables) to a PDF.
type updater struct {
	b          bytes.Buffer
	root, size int
	prev       int
}

func newUpdater(signed []byte) *updater {
	root, size, prev, ok := lastTrailer(signed)
	if !ok {
		return nil
	}
	u := &updater{root: root, size: size, prev: prev}
	u.b.Write(signed)
	return u
}

// update writes objects (num → body) and their xref section.
func (u *updater) update(objs map[int]string, order []int) {
	offs := map[int]int{}
	for _, n := range order {
		offs[n] = u.b.Len()
		fmt.Fprintf(&u.b, "%d 0 obj\n%s\nendobj\n", n, objs[n])
		if n >= u.size {
			u.size = n + 1
		}
	}
	x := u.b.Len()
	u.b.WriteString("xref\n")
	for _, n := range order {
		fmt.Fprintf(&u.b, "%d 1\n%010d 00000 n \n", n, offs[n])
	}
	fmt.Fprintf(&u.b, "trailer\n<</Size %d/Root %d 0 R/Prev %d>>\nstartxref\n%d\n%%%%EOF\n", u.size, u.root, u.prev, x)
	u.prev = x
}

func (u *updater) catalog(signed []byte) string {
	c, ok := objectText(signed, u.root)
	if !ok {
		return ""
	}
	return strings.TrimSuffix(strings.TrimSpace(c), ">>")
}

// sectionsNoEOF: n xref sections chained by /Prev, each after pad bytes of
// comment, with one %%EOF at the very end: finding each revision's end must
// not scan the rest of the file once per section.
func sectionsNoEOF(n, pad int) []byte {
	w := newBuilder()
	w.obj(1, "<</Type/Catalog/Pages 2 0 R>>")
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	filler := "%" + strings.Repeat(" ", pad-2) + "\n"
	prev := 0
	for i := 0; i < n; i++ {
		w.b.WriteString(filler)
		x := w.b.Len()
		fmt.Fprintf(&w.b, "xref\n0 4\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n%010d 00000 n \ntrailer\n<</Size 4/Root 1 0 R", w.offs[1], w.offs[2], w.offs[3])
		if prev > 0 {
			fmt.Fprintf(&w.b, "/Prev %d", prev)
		}
		w.b.WriteString(">>\n")
		prev = x
	}
	fmt.Fprintf(&w.b, "startxref\n%d\n%%%%EOF\n", prev)
	return w.b.Bytes()
}

// mdpListsHuge: fields naming one signature dictionary whose /Reference
// array names one FieldMDP reference refs times, its /Fields listing
// names strings; each field reads the permissions again.
func mdpListsHuge(fields, refs, names int) []byte {
	w := newBuilder()
	w.obj(1, "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields 4 0 R>>/Perms<</DocMDP 5 0 R>>>>")
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < fields; i++ {
		fmt.Fprintf(&b, "<</FT/Sig/T(s%d)/V 5 0 R/Lock 7 0 R>>\n", i)
	}
	b.WriteString("]")
	w.obj(4, b.String())
	w.obj(5, "<</ByteRange[0 10 20 5]/Contents<3003020100>/SubFilter/ETSI.CAdES.detached/Reference["+strings.Repeat("6 0 R ", refs)+"]>>")
	w.obj(6, "<</TransformMethod/FieldMDP/TransformParams 7 0 R>>")
	w.obj(7, "<</Action/Include/Fields["+strings.Repeat("(a)", names)+"]>>")
	return w.table(8, "/Root 1 0 R")
}

// revisionsWide: after the signature, an update whose xref stream lists
// entries (free) objects, then n small updates rewriting the catalog.
func revisionsWide(signed []byte, entries, n int) []byte {
	u := newUpdater(signed)
	if u == nil {
		return nil
	}
	cat := u.catalog(signed) + ">>"
	// The wide section: an xref stream of free entries for new numbers
	// (a few KB).
	num := u.size + entries
	x := u.b.Len()
	z := flateZeros(nil, entries*3)
	fmt.Fprintf(&u.b, "%d 0 obj\n<</Type/XRef/Size %d/Index[%d %d]/W[1 1 1]/Root %d 0 R/Prev %d/Filter/FlateDecode/Length %d>>\nstream\n", num, num+1, u.size, entries, u.root, u.prev, len(z))
	u.b.Write(z)
	fmt.Fprintf(&u.b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", x)
	u.prev = x
	u.size = num + 1
	for i := 0; i < n; i++ {
		u.update(map[int]string{u.root: cat}, []int{u.root})
	}
	return u.b.Bytes()
}

// dictKeysCompare: the catalog gains keys extra keys in one update and is
// written again, one key changed, in the next.
func dictKeysCompare(signed []byte, keys int) []byte {
	u := newUpdater(signed)
	if u == nil {
		return nil
	}
	var b strings.Builder
	for i := 0; i < keys; i++ {
		fmt.Fprintf(&b, "/k%d %d", i, i)
	}
	cat := u.catalog(signed)
	u.update(map[int]string{u.root: cat + b.String() + ">>"}, []int{u.root})
	u.update(map[int]string{u.root: cat + b.String() + "/z 1>>"}, []int{u.root})
	return u.b.Bytes()
}

// objStmReparse: an array of refs references inside an object stream,
// reachable from the catalog, and n updates each adding an object (so
// that each revision walks the document again).
func objStmReparse(signed []byte, refs, n int) []byte {
	u := newUpdater(signed)
	if u == nil {
		return nil
	}
	arr := u.size
	stm := u.size + 1
	data, first := objStm([][2]string{{fmt.Sprint(arr), "[" + strings.Repeat("1 0 R ", refs) + "]"}})
	z := flate(data)
	cat := u.catalog(signed) + fmt.Sprintf("/Big %d 0 R>>", arr)
	co := u.b.Len()
	fmt.Fprintf(&u.b, "%d 0 obj\n%s\nendobj\n", u.root, cat)
	so := u.b.Len()
	fmt.Fprintf(&u.b, "%d 0 obj\n<</Type/ObjStm/N 1/First %d/Filter/FlateDecode/Length %d>>\nstream\n", stm, first, len(z))
	u.b.Write(z)
	u.b.WriteString("\nendstream\nendobj\n")
	// An xref stream: the array is a compressed object.
	xs := stm + 1
	x := u.b.Len()
	row := func(t, a, b int) []byte { return []byte{byte(t), byte(a >> 16), byte(a >> 8), byte(a), byte(b)} }
	var rows []byte
	rows = append(rows, row(1, co, 0)...)
	rows = append(rows, row(2, stm, 0)...)
	rows = append(rows, row(1, so, 0)...)
	rows = append(rows, row(1, x, 0)...)
	fmt.Fprintf(&u.b, "%d 0 obj\n<</Type/XRef/Size %d/Index[%d 1 %d 3]/W[1 3 1]/Root %d 0 R/Prev %d/Length %d>>\nstream\n", xs, xs+1, u.root, arr, u.root, u.prev, len(rows))
	u.b.Write(rows)
	fmt.Fprintf(&u.b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", x)
	u.prev = x
	u.size = xs + 1
	for i := 0; i < n; i++ {
		u.update(map[int]string{u.size: "0"}, []int{u.size})
	}
	return u.b.Bytes()
}

// reportsFieldsRevisions: fields more fields naming the signature's value,
// then n updates rewriting the catalog.
func reportsFieldsRevisions(signed []byte, fields, n int) []byte {
	u := newUpdater(signed)
	if u == nil {
		return nil
	}
	// The signature's value and the form: /V of the signature field, the
	// catalog's /AcroForm reference.
	m := regexp.MustCompile(`/FT\s*/Sig[^>]*/V (\d+) 0 R`).FindSubmatch(signed)
	cat := u.catalog(signed)
	a := regexp.MustCompile(`/AcroForm (\d+) 0 R`).FindStringSubmatch(cat)
	if m == nil || a == nil {
		return nil
	}
	v, _ := strconv.Atoi(string(m[1]))
	af, _ := strconv.Atoi(a[1])
	var b strings.Builder
	for k := 0; k < fields; k++ {
		fmt.Fprintf(&b, "<</FT/Sig/T(x%d)/V %d 0 R>>", k, v)
	}
	u.update(map[int]string{af: "<</SigFlags 3/Fields[" + b.String() + "]>>"}, []int{af})
	for k := 0; k < n; k++ {
		u.update(map[int]string{u.root: cat + ">>"}, []int{u.root})
	}
	return u.b.Bytes()
}

// cryptFiles: encryption dictionaries with absurd values, and a file that
// opens with the empty password (RC4 key check, AES streams) whose
// encrypted data has odd lengths and bad padding.
func cryptFiles() []File {
	return []File{
		{Name: "encrypt-absurd.pdf", Class: "/Encrypt with /V, /R, /Length and /P out of range, /O and /U short", Data: encrypted("<</Filter/Standard/V 99999999999/R -3/Length 9223372036854775807/O(x)/U(y)/P 1e99/CF 7 0 R/StmF/StdCF>>"), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: "password"},
		{Name: "encrypt-r6-short.pdf", Class: "AES-256 (R6) with a /U of 48 zero bytes and a short /UE", Data: encrypted("<</Filter/Standard/V 5/R 6/Length 256/O<" + strings.Repeat("00", 48) + ">/U<" + strings.Repeat("00", 48) + ">/UE<00>/OE<00>/P -4/CF<</StdCF<</CFM/AESV3>>>>/StmF/StdCF/StrF/StdCF>>"), VerifyExit: exitBadPDF, SignExit: exitBadPDF, Want: "password"},
		{Name: "encrypt-aes-odd.pdf", Class: "AES-128 file (empty password) whose object stream and strings have odd lengths and bad padding, crypt filter named strangely", Data: aesOdd(), VerifyExit: exitBadPDF, SignExit: exitBadPDF}, // verify: damaged (opened, then the stream); sign: encrypted (refused first)
	}
}

func encrypted(enc string) []byte {
	w := newBuilder()
	w.obj(1, "<</Type/Catalog/Pages 2 0 R>>")
	w.obj(2, pagesObjs)
	w.obj(3, pageObj)
	w.obj(4, enc)
	return w.table(5, "/Root 1 0 R/Encrypt 4 0 R/ID[<00112233445566778899aabbccddeeff><00112233445566778899aabbccddeeff>]")
}

// aesOdd: a V4/R4 AESV2 file with the right /U for the empty password;
// the catalog is in an object stream whose encrypted data is 33 bytes
// (not a multiple of the AES block), page strings have bad padding.
func aesOdd() []byte {
	id := []byte("0123456789abcdef")
	o := bytes.Repeat([]byte{0x41}, 32)
	p := int32(-4)
	h := md5.New()
	h.Write(pdfPad)
	h.Write(o)
	h.Write([]byte{byte(p), byte(p >> 8), byte(p >> 16), byte(p >> 24)})
	h.Write(id)
	key := h.Sum(nil)
	for i := 0; i < 50; i++ {
		s := md5.Sum(key[:16])
		key = s[:]
	}
	h = md5.New()
	h.Write(pdfPad)
	h.Write(id)
	x := h.Sum(nil)
	for i := 0; i <= 19; i++ {
		k := make([]byte, 16)
		for j := range k {
			k[j] = key[j] ^ byte(i)
		}
		c, _ := rc4.NewCipher(k)
		c.XORKeyStream(x, x)
	}
	u := append(x, make([]byte, 16)...)
	w := newBuilder()
	w.obj(2, "<</Type/Pages/Kids[3 0 R]/Count 1/S<"+strings.Repeat("ff", 48)+">/T<"+strings.Repeat("07", 17)+">>>")
	w.obj(3, pageObj)
	w.stream(5, "/Type/ObjStm/N 1/First 4/Filter/FlateDecode", bytes.Repeat([]byte{0x5a}, 33))
	w.obj(4, fmt.Sprintf("<</Filter/Standard/V 4/R 4/Length 128/O<%x>/U<%x>/P -4/CF<</Str#20ange#00<</CFM/AESV2/Length 16>>>>/StmF/Str#20ange#00/StrF/Str#20ange#00>>", o, u))
	return w.xrefStream(7, 8, map[int][2]int{1: {5, 0}}, fmt.Sprintf("/Encrypt 4 0 R/ID[<%x><%x>]", id, id))
}

var pdfPad = []byte{0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
	0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A}

// Seeds are small versions of the second pass's files, for the fuzz
// targets: the same structures (many revisions after a signature, wide
// xrefs, large dictionaries compared, FieldMDP lists, encryption) at a
// size a fuzzer can mutate quickly. signed may be nil.
func Seeds(signed []byte) [][]byte {
	out := [][]byte{sectionsNoEOF(20, 64), mdpListsHuge(5, 10, 10)}
	for _, f := range cryptFiles() {
		out = append(out, f.Data)
	}
	if signed != nil {
		out = append(out, revisionsWide(signed, 2000, 20), dictKeysCompare(signed, 100),
			objStmReparse(signed, 1000, 10), reportsFieldsRevisions(signed, 10, 20))
	}
	return out
}

// sigFieldsAdded: one update after the signature adds n empty signature
// fields (indirect, on the form's list): each new field was checked
// against every field of the form.
func sigFieldsAdded(signed []byte, n int) []byte {
	u := newUpdater(signed)
	if u == nil {
		return nil
	}
	cat := u.catalog(signed)
	a := regexp.MustCompile(`/AcroForm (\d+) 0 R`).FindStringSubmatch(cat)
	if a == nil {
		return nil
	}
	af, _ := strconv.Atoi(a[1])
	objs := map[int]string{}
	order := []int{af}
	var refs strings.Builder
	for k := 0; k < n; k++ {
		num := u.size + k
		objs[num] = fmt.Sprintf("<</FT/Sig/T(n%d)>>", k)
		order = append(order, num)
		fmt.Fprintf(&refs, "%d 0 R ", num)
	}
	// Keep the signed field on the list.
	if t, ok := objectText(signed, af); ok {
		if m := regexp.MustCompile(`/Fields\s*\[([^\]]*)\]`).FindStringSubmatch(t); m != nil {
			refs.WriteString(m[1])
		}
	}
	objs[af] = "<</SigFlags 3/Fields[" + refs.String() + "]>>"
	u.update(objs, order)
	return u.b.Bytes()
}
