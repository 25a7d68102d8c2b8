package sign

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// minimalPDF is a one-page document (objects 1–5) written by hand, so that
// the odd variants below can be made byte by byte: extra objects (6…) and
// catalog entries are given by the caller.
type minimalPDF struct {
	prefix      string // bytes before %PDF-
	absolute    bool   // offsets counted from the first byte of the file (else from %PDF)
	catalogMore string
	pageMore    string
	extra       []string // objects 6, 7, … (bodies)
	trailerMore string
}

func (m minimalPDF) bytes() []byte {
	objs := []string{
		"<</Type/Catalog/Pages 2 0 R" + m.catalogMore + ">>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R" + m.pageMore + ">>",
		"<</Length 48>>\nstream\nBT /F1 24 Tf 72 700 Td (Document d'essai) Tj ET\nendstream",
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
	}
	objs = append(objs, m.extra...)
	var b bytes.Buffer
	b.WriteString(m.prefix)
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	adj := int64(len(m.prefix))
	if m.absolute {
		adj = 0
	}
	offs := make([]int64, len(objs))
	for i, o := range objs {
		offs[i] = int64(b.Len()) - adj
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := int64(b.Len()) - adj
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", o)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d/Root 1 0 R/ID[<0123456789ABCDEF0123456789ABCDEF><0123456789ABCDEF0123456789ABCDEF>]%s>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, m.trailerMore, x)
	return b.Bytes()
}

// checkSignedEverywhere: our Verify, pdfsig, mutool and qpdf (no warning:
// nothing for any reader to repair) accept every signature of path.
func checkSignedEverywhere(t *testing.T, path string, nsigs int) {
	t.Helper()
	checkSignedEverywhereAs(t, path, "", nsigs)
}

// checkSignedEverywhereAs is checkSignedEverywhere for an input that qpdf
// already warns about: the signed file must get no warning the input had not.
func checkSignedEverywhereAs(t *testing.T, path, in string, nsigs int) {
	t.Helper()
	p := pkitest.SharedKeys(t)
	rep, err := verify.Verify(context.Background(), path, verify.Options{Roots: p.Roots()})
	if err != nil || !rep.OK || len(rep.Signatures) != nsigs {
		t.Fatalf("Verify: %v %+v", err, rep)
	}
	pdftest.AssertPdfsigValid(t, path, nsigs)
	pdftest.CheckMutool(t, path)
	out, err := exec.Command("qpdf", "--check", path).CombinedOutput()
	if in != "" {
		before, _ := exec.Command("qpdf", "--check", in).CombinedOutput()
		if nb, na := strings.Count(string(before), "WARNING"), strings.Count(string(out), "WARNING"); na > nb {
			t.Fatalf("qpdf: %d warnings on the input, %d once signed:\n%s", nb, na, out)
		}
	} else if err != nil || strings.Contains(string(out), "WARNING") || !strings.Contains(string(out), "No syntax or stream encoding errors") {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	if b, err := exec.Command("mutool", "info", path).CombinedOutput(); err != nil || bytes.Contains(b, []byte("repair")) {
		t.Fatalf("mutool info: %v\n%s", err, b)
	}
}

func TestOddFiles(t *testing.T) {
	p := pkitest.SharedKeys(t)
	testtool.Need(t, "qpdf")
	dir := t.TempDir()
	junk := "%!PS-Adobe printer job header\n@PJL ENTER LANGUAGE = PDF\n"
	cases := []struct {
		name string
		pdf  []byte
		want pdfsign.Kind // "" = signed and valid everywhere
		// warned: qpdf already warns about the input (the signed copy may
		// not add a warning)
		warned bool
	}{
		{"plain", minimalPDF{}.bytes(), "", false},
		{"encrypt-null", minimalPDF{trailerMore: "/Encrypt null"}.bytes(), "", false},
		{"offset-header-relative", minimalPDF{prefix: junk}.bytes(), "", false},
		{"offset-absolute", minimalPDF{prefix: junk, absolute: true}.bytes(), "", false}, // repaired: offsets from the header
		{"name-with-nul-escape", minimalPDF{catalogMore: "/PieceInfo<</A#00B 6 0 R>>", extra: []string{"<</Private (x)>>"},
			trailerMore: "/X#00Y 1"}.bytes(), "", true},
		// poppler and mupdf show these pages empty before signing (pdf.js
		// falls back to the older entry, and so do we): once signed, the page
		// has its own entry and every reader shows it (renders differ).
		{"objstm-lacks-page", withBrokenObjStm(minimalPDF{}.bytes(), 3), "", false},
		{"objstm-lacks-catalog", withBrokenObjStm(minimalPDF{}.bytes(), 1), "", false},
		{"hybrid-objstm-lacks-page", withBrokenHybrid(minimalPDF{}.bytes(), 3), "", false},
		// Damaged xref tables that readers repair by scanning: repaired the
		// same way, the update's table complete (nothing left to repair).
		{"xref-content-offset-wrong", shiftEntry(minimalPDF{}.bytes(), 4, 5), "", false},
		{"xref-page-offset-wrong", shiftEntry(minimalPDF{}.bytes(), 3, 7), "", false},
		{"xref-catalog-offset-wrong", shiftEntry(minimalPDF{}.bytes(), 1, -3), "", false},
		{"startxref-wrong", bytes.Replace(minimalPDF{}.bytes(), []byte("startxref\n"), []byte("startxref\n1"), 1), "", false},
		{"xref-missing", cutXref(minimalPDF{}.bytes()), "", false},
		{"offset-prefix-and-wrong-entries", shiftEntry(minimalPDF{prefix: junk}.bytes(), 3, 4), "", false},
		// Not repaired: cut short (no %%EOF), or object streams.
		{"truncated", minimalPDF{}.bytes()[:500], pdfsign.KindDamaged, false},
		{"objstm-file-damaged", damageStartxref(withBrokenObjStm(minimalPDF{}.bytes(), 3)), pdfsign.KindDamaged, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sub := filepath.Join(dir, c.name)
			os.Mkdir(sub, 0o755)
			in := filepath.Join(sub, "in.pdf")
			os.WriteFile(in, c.pdf, 0o644)
			out := filepath.Join(sub, "out.pdf")
			cerr := Check(in, out, Options{})
			_, err := Sign(context.Background(), in, out, p.ECKey, p.ECChain(), Options{})
			if pdftest.ErrKind(cerr) != pdftest.ErrKind(err) {
				t.Fatalf("Check says %v, Sign says %v", cerr, err)
			}
			if c.want != "" {
				if pdftest.ErrKind(err) != c.want {
					t.Fatalf("Sign: %v, want %s", err, c.want)
				}
				if ents, _ := os.ReadDir(sub); len(ents) != 1 {
					t.Fatalf("files left: %v", ents)
				}
				return
			}
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if c.warned {
				checkSignedEverywhereAs(t, out, in, 1)
			} else {
				checkSignedEverywhere(t, out, 1)
			}
			checkRendered(t, out)
			if !strings.Contains(c.name, "objstm-lacks") {
				samePages(t, in, out)
			}
			signed, _ := os.ReadFile(out)
			if upd := signed[len(c.pdf)-bytes.Index(c.pdf, []byte("%PDF")):]; bytes.Contains(upd, []byte("#00")) {
				t.Fatalf("the update writes a #00 name:\n%s", upd)
			}
		})
	}
}

// withBrokenObjStm appends to base an update whose xref stream says that
// object num is in object stream 6, which holds only object 7 (readers then
// use the object's older, classic entry).
func withBrokenObjStm(base []byte, num int) []byte {
	var b bytes.Buffer
	b.Write(base)
	prev := bytes.LastIndex(base, []byte("startxref"))
	px, _ := strconv.ParseInt(strings.Fields(string(base[prev+len("startxref"):]))[0], 10, 64)
	data := "7 0 <</Foo 1>>"
	o6 := int64(b.Len())
	fmt.Fprintf(&b, "6 0 obj\n<</Type/ObjStm/N 1/First 4/Length %d>>\nstream\n%s\nendstream\nendobj\n", len(data), data)
	o8 := int64(b.Len())
	ent := func(t byte, f2 int64, f3 int) []byte {
		return []byte{t, byte(f2 >> 24), byte(f2 >> 16), byte(f2 >> 8), byte(f2), byte(f3 >> 8), byte(f3)}
	}
	var x []byte
	x = append(x, ent(2, 6, 0)...)
	x = append(x, ent(1, o6, 0)...)
	x = append(x, ent(2, 6, 0)...)
	x = append(x, ent(1, o8, 0)...)
	fmt.Fprintf(&b, "8 0 obj\n<</Type/XRef/Size 9/W[1 4 2]/Index[%d 1 6 3]/Root 1 0 R/Prev %d/ID[<0123456789ABCDEF0123456789ABCDEF><0123456789ABCDEF0123456789ABCDEF>]/Length %d>>\nstream\n",
		num, px, len(x))
	b.Write(x)
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", o8)
	return b.Bytes()
}

// withBrokenHybrid is withBrokenObjStm as a hybrid update: a classic table
// (listing object stream 6) whose /XRefStm says object num is in stream 6.
func withBrokenHybrid(base []byte, num int) []byte {
	var b bytes.Buffer
	b.Write(base)
	prev := bytes.LastIndex(base, []byte("startxref"))
	px, _ := strconv.ParseInt(strings.Fields(string(base[prev+len("startxref"):]))[0], 10, 64)
	data := "7 0 <</Foo 1>>"
	o6 := int64(b.Len())
	fmt.Fprintf(&b, "6 0 obj\n<</Type/ObjStm/N 1/First 4/Length %d>>\nstream\n%s\nendstream\nendobj\n", len(data), data)
	o8 := int64(b.Len())
	x := []byte{2, 0, 0, 0, 6, 0, 0}
	fmt.Fprintf(&b, "8 0 obj\n<</Type/XRef/Size 9/W[1 4 2]/Index[%d 1]/Length %d>>\nstream\n", num, len(x))
	b.Write(x)
	b.WriteString("\nendstream\nendobj\n")
	ox := b.Len()
	fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f\r\n6 1\n%010d 00000 n\r\n8 1\n%010d 00000 n\r\n", o6, o8)
	fmt.Fprintf(&b, "trailer\n<</Size 9/Root 1 0 R/Prev %d/XRefStm %d/ID[<0123456789ABCDEF0123456789ABCDEF><0123456789ABCDEF0123456789ABCDEF>]>>\nstartxref\n%d\n%%%%EOF\n", px, o8, ox)
	return b.Bytes()
}

// shiftEntry moves the offset of object num in the (only) xref table by delta.
func shiftEntry(b []byte, num int, delta int64) []byte {
	i := bytes.LastIndex(b, []byte("xref\n0 "))
	pos := i + bytes.Index(b[i:], []byte("\r\n")) + 2 + (num-1)*20
	o, _ := strconv.ParseInt(string(b[pos:pos+10]), 10, 64)
	nb := append([]byte(nil), b...)
	copy(nb[pos:], fmt.Sprintf("%010d", o+delta))
	return nb
}

// cutXref removes the xref table and trailer keyword's table (keeps the
// trailer dictionary and startxref): readers rebuild the table.
func cutXref(b []byte) []byte {
	i := bytes.LastIndex(b, []byte("xref\n0 "))
	j := bytes.LastIndex(b, []byte("trailer"))
	return append(append([]byte(nil), b[:i]...), b[j:]...)
}

// damageStartxref points startxref one byte off.
func damageStartxref(b []byte) []byte {
	i := bytes.LastIndex(b, []byte("startxref\n")) + len("startxref\n")
	nb := append([]byte(nil), b[:i]...)
	nb = append(nb, '1')
	return append(nb, b[i:]...)
}

// samePages: poppler renders every page of out as it renders in (which it
// repairs if need be): the signature changed nothing visible.
func samePages(t *testing.T, in, out string) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []struct{ p, pre string }{{in, "a"}, {out, "b"}} {
		if b, err := exec.Command("pdftoppm", "-r", "30", "-png", f.p, filepath.Join(dir, f.pre)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, b)
		}
	}
	as, _ := filepath.Glob(filepath.Join(dir, "a*.png"))
	bs, _ := filepath.Glob(filepath.Join(dir, "b*.png"))
	if len(as) == 0 || len(as) != len(bs) {
		t.Fatalf("%d pages before, %d after", len(as), len(bs))
	}
	for i := range as {
		x, _ := os.ReadFile(as[i])
		y, _ := os.ReadFile(bs[i])
		if !bytes.Equal(x, y) {
			t.Fatalf("page %d renders differently once signed", i+1)
		}
	}
}

// FuzzRepair: the signing reader (repair by a scan included), the field
// choice and the sign planning on arbitrary bytes: no panic, no endless
// loop; what it plans serialises.
func FuzzRepair(f *testing.F) {
	f.Add(minimalPDF{}.bytes())
	f.Add(shiftEntry(minimalPDF{}.bytes(), 3, 7))
	f.Add(cutXref(minimalPDF{prefix: "junk\n"}.bytes()))
	f.Add(formPDF("7 0 R", "7 0 R", "<</FT/Sig/T(S)"+sigWidget+"/Rect[1 1 50 50]/SV<</DigestMethod[/SHA512]/Ff 64>>/Lock<</Action/All>>>>"))
	key, chain := fuzzKey(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := doc.OpenForSigning(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		catalog, err := r.ResolveDict(r.Trailer.Get("Root"))
		if err != nil || catalog == nil {
			return
		}
		target, opts, err := chooseField(r, catalog, Options{})
		if err != nil {
			return
		}
		cfg, err := newSignConfig(key, chain, opts)
		if err != nil {
			t.Fatal(err)
		}
		if target != nil {
			cfg.fill = &fieldFill{field: target}
		}
		if plan, err := planSignature(r, cfg, 100); err == nil {
			if _, err := plan.u.Bytes(int64(len(data)), 0); err != nil {
				t.Fatal(err)
			}
		}
	})
}
