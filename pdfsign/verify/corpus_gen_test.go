package verify_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/sign"
)

// TestGenerateVerifyCorpus rewrites testdata/verify/*.pdf (the vectors of
// TestVerifyCorpus) when CERTIGNA_WRITE_CORPUS=1; otherwise it builds them
// in a temporary folder and checks them against the same table, so that the
// generator itself stays tested.
func TestGenerateVerifyCorpus(t *testing.T) {
	dir := t.TempDir()
	if os.Getenv("CERTIGNA_WRITE_CORPUS") == "1" {
		dir = filepath.Join("..", "testdata", "verify")
		os.MkdirAll(dir, 0o755)
	}
	files := buildVerifyCorpus(t)
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range readVectors(t) {
		if _, ok := files[v.file]; !ok {
			continue // vectors made by other tools (mutool, qpdf) are checked from testdata only
		}
		t.Run(v.file, func(t *testing.T) { v.check(t, filepath.Join(dir, v.file)) })
	}
}

func fill(d *tdoc, field int, ap int, old, val string) map[int]string {
	return map[int]string{
		field: strings.Replace(d.objs[field], "/V("+old+")", "/V("+val+")", 1),
		ap:    apBody(val),
	}
}

func buildVerifyCorpus(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	save := func(name string, d *tdoc) { out[name] = append([]byte(nil), d.b...) }

	base := basePDF("")
	approved := base.clone()
	approved.fieldSig(t, "Approval", 0, "", ourCMS, nil)
	save("approval.pdf", approved)

	d := approved.clone()
	d.update(fill(d, 6, 8, "Alice", "Bob"))
	save("approval-then-fill.pdf", d)

	d = approved.clone()
	annot := d.alloc()
	d.update(map[int]string{
		annot: "<</Type/Annot/Subtype/Text/Rect[400 700 420 720]/Contents(Vu)/P 3 0 R>>",
		3:     addToArray(d.objs[3], "Annots", fmt.Sprintf("%d 0 R", annot)),
	})
	save("approval-then-annotation.pdf", d)

	d = approved.clone()
	d.update(map[int]string{4: streamBody("", "BT /F1 24 Tf 72 760 Td (Contrat de test: 9000 EUR) Tj ET")})
	save("approval-then-content.pdf", d)

	d = approved.clone()
	d.fieldSig(t, "Second", 0, "", ourCMS, nil)
	save("approval-then-signature.pdf", d)

	d = approved.clone()
	addDSS(t, d)
	save("approval-then-dss.pdf", d)

	d = approved.clone()
	d.fieldSig(t, "Second", 0, "", ourCMS, map[int]string{4: streamBody("", "BT /F1 24 Tf 72 760 Td (Contrat de test: 9000 EUR) Tj ET")})
	save("sneaky-signature-and-content.pdf", d)

	d = approved.clone()
	d.fieldSig(t, "Second", 0, "", ourCMS, map[int]string{10: apBody("Lyon")})
	save("sneaky-signature-and-appearance.pdf", d)

	d = approved.clone()
	d.update(map[int]string{10: apBody("Lyon")})
	save("appearance-without-value.pdf", d)

	// A new catalog object (the trailer's /Root moved) whose /Pages is a new
	// page tree: the signed page is no longer shown.
	d = approved.clone()
	cat2, pages2, page2, content2 := d.alloc(), d.alloc(), d.alloc(), d.alloc()
	d.root = cat2
	d.update(map[int]string{
		content2: streamBody("", "BT /F1 24 Tf 72 760 Td (Contrat de test: 9000 EUR) Tj ET"),
		page2:    fmt.Sprintf("<</Type/Page/Parent %d 0 R/MediaBox[0 0 595 842]/Contents %d 0 R/Resources<</Font<</F1 9 0 R>>>>>>", pages2, content2),
		pages2:   fmt.Sprintf("<</Type/Pages/Kids[%d 0 R]/Count 1>>", page2),
		cat2:     fmt.Sprintf("<</Type/Catalog/Pages %d 0 R/AcroForm 5 0 R>>", pages2),
	})
	save("new-catalog-new-pages.pdf", d)

	// A font only the form's /DR uses may change with a form fill; the font
	// the page's text uses may not.
	d = approved.clone()
	font := d.alloc()
	d.update(map[int]string{
		font: "<</Type/Font/Subtype/Type1/BaseFont/Courier>>",
		5:    strings.Replace(d.objs[5], "/Font<</Helv 9 0 R>>", fmt.Sprintf("/Font<</Helv 9 0 R/Cour %d 0 R>>", font), 1),
	})
	d.update(map[int]string{font: "<</Type/Font/Subtype/Type1/BaseFont/Courier/Encoding/WinAnsiEncoding>>"})
	save("form-font-changed.pdf", d)
	d = approved.clone()
	fl := fill(d, 6, 8, "Alice", "Bob")
	fl[9] = "<</Type/Font/Subtype/Type1/BaseFont/Courier/Encoding/WinAnsiEncoding>>"
	d.update(fl)
	save("fill-and-page-font-changed.pdf", d)

	flipped := append([]byte(nil), approved.b...)
	i := strings.Index(string(flipped), "1000 EUR")
	flipped[i] = '9'
	out["byte-flip.pdf"] = flipped

	for p := 1; p <= 3; p++ {
		cert := base.clone()
		cert.fieldSig(t, "Certification", p, "", ourCMS, nil)
		save(fmt.Sprintf("certified-p%d.pdf", p), cert)

		d := cert.clone()
		d.update(fill(d, 6, 8, "Alice", "Bob"))
		save(fmt.Sprintf("certified-p%d-then-fill.pdf", p), d)

		d = cert.clone()
		annot := d.alloc()
		d.update(map[int]string{
			annot: "<</Type/Annot/Subtype/Text/Rect[400 700 420 720]/Contents(Vu)/P 3 0 R>>",
			3:     addToArray(d.objs[3], "Annots", fmt.Sprintf("%d 0 R", annot)),
		})
		save(fmt.Sprintf("certified-p%d-then-annotation.pdf", p), d)

		d = cert.clone()
		d.fieldSig(t, "Approval", 0, "", ourCMS, nil)
		save(fmt.Sprintf("certified-p%d-then-signature.pdf", p), d)

		d = cert.clone()
		addDSS(t, d)
		save(fmt.Sprintf("certified-p%d-then-dss.pdf", p), d)
	}

	for _, c := range []struct{ name, lock, field, old, val string }{
		{"fieldmdp-include-locked-fill.pdf", "/Action/Include/Fields[(name)]", "name", "Alice", "Bob"},
		{"fieldmdp-include-other-fill.pdf", "/Action/Include/Fields[(name)]", "city", "Paris", "Lyon"},
		{"fieldmdp-exclude-other-fill.pdf", "/Action/Exclude/Fields[(name)]", "city", "Paris", "Lyon"},
		{"fieldmdp-all-fill.pdf", "/Action/All", "city", "Paris", "Lyon"},
	} {
		d := base.clone()
		d.fieldSig(t, "Locking", 0, c.lock, ourCMS, nil)
		if c.field == "name" {
			d.update(fill(d, 6, 8, c.old, c.val))
		} else {
			d.update(fill(d, 7, 10, c.old, c.val))
		}
		save(c.name, d)
	}

	// The signed page names object 20 as a second content stream, which does
	// not exist (read as empty); a later revision defines it.
	dangling := basePDF("")
	dangling.objs[3] = strings.Replace(dangling.objs[3], "/Contents 4 0 R", "/Contents[4 0 R 40 0 R]", 1)
	dangling.update(map[int]string{3: dangling.objs[3]})
	dangling.fieldSig(t, "Approval", 0, "", ourCMS, nil)
	d = dangling.clone()
	d.update(map[int]string{40: streamBody("", "BT /F1 24 Tf 72 600 Td (Avenant: 9000 EUR) Tj ET")})
	save("dangling-reference-defined-later.pdf", d)
	// The first signature's /ByteRange is made to point past the end of the
	// file before a second, valid signature covers everything: the first is
	// invalid, the second must still read as valid.
	d = approved.clone()
	i = bytes.Index(d.b, []byte("/ByteRange[0 "))
	j := bytes.IndexByte(d.b[i:], ']') + i
	br := []byte(fmt.Sprintf("/ByteRange[0 %010d %010d %010d", 10, 20, 99999999))
	copy(d.b[i:j], br)
	d.fieldSig(t, "Second", 0, "", ourCMS, nil)
	save("byte-range-outside-then-valid.pdf", d)

	// Document timestamps (an RFC 3161 TSA on 127.0.0.1) and B-LTA.
	tsa := pkitest.New(t)
	d = approved.clone()
	addDSS(t, d)
	d.docTimestamp(t, "Archive", tsa.TSAURL())
	save("approval-then-dss-then-doctimestamp.pdf", d)
	for _, p := range []int{1, 2} {
		d = base.clone()
		d.fieldSig(t, "Certification", p, "", ourCMS, nil)
		addDSS(t, d)
		d.docTimestamp(t, "Archive", tsa.TSAURL())
		save(fmt.Sprintf("certified-p%d-then-dss-then-doctimestamp.pdf", p), d)
	}
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	blt := filepath.Join(dir, "blt.pdf")
	if _, err := sign.Sign(context.Background(), in, blt, tsa.SignerKey, tsa.Chain(), sign.Options{TSA: &pdfsign.TSAConfig{URL: tsa.TSAURL()}, LTV: true, Reason: "B-LT"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(blt)
	if err != nil {
		t.Fatal(err)
	}
	out["b-lt.pdf"] = b
	d = tdocFrom(t, b)
	d.docTimestamp(t, "Archive", tsa.TSAURL())
	save("b-lta.pdf", d)

	// Later revisions written by other tools: mutool (incremental save) and
	// qpdf (a full rewrite, which breaks every signature).
	for name, script := range map[string]string{
		"annotation": `var page = doc.loadPage(0); var a = page.createAnnotation("Text"); a.setRect([400,700,420,720]); a.setContents("Vu"); a.update();`,
		"fill":       `var w = doc.loadPage(0).getWidgets(); for (var i = 0; i < w.length; i++) { if (w[i].getValue() == "Alice") { w[i].setTextValue("Bob"); w[i].update(); } }`,
	} {
		for _, src := range []string{"approval.pdf", "certified-p1.pdf", "certified-p2.pdf"} {
			out[fmt.Sprintf("mutool-%s-after-%s", name, src)] = mutoolIncremental(t, out[src], script)
		}
	}
	out["qpdf-rewritten.pdf"] = runTool(t, out["approval.pdf"], "qpdf", "{in}", "{out}")
	buildCryptoCorpus(t, out)
	buildAttackCorpus(t, out)

	// Encrypted with an empty opening password by qpdf (AES-256, AES-128,
	// RC4-128, RC4-40), then signed in an incremental update.
	sample, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"aes256": {"256"}, "aes128": {"128", "--use-aes=y"}, "rc4-128": {"128", "--use-aes=n"}, "rc4-40": {"40"},
	} {
		a := append([]string{"--allow-weak-crypto", "--encrypt", "", "owner"}, args...)
		enc := runTool(t, sample, "qpdf", append(a, "--", "{in}", "{out}")...)
		d := tdocFrom(t, enc)
		d.fieldSig(t, "", 0, "", ourCMS, nil)
		save("encrypted-"+name+"-signed.pdf", d)
	}
	return out
}

// mutoolIncremental runs a mutool JavaScript snippet on the document doc and
// saves it incrementally.
func mutoolIncremental(t *testing.T, in []byte, script string) []byte {
	t.Helper()
	dir := t.TempDir()
	js := filepath.Join(dir, "edit.js")
	os.WriteFile(js, []byte("var doc = new PDFDocument(scriptArgs[0]);\n"+script+"\ndoc.save(scriptArgs[1], \"incremental\");\n"), 0o600)
	return runTool(t, in, "mutool", "run", js, "{in}", "{out}")
}

// runTool runs name with {in} and {out} replaced by files and returns {out}.
func runTool(t *testing.T, in []byte, name string, args ...string) []byte {
	t.Helper()
	testtool.Need(t, name)
	dir := t.TempDir()
	inP, outP := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	os.WriteFile(inP, in, 0o600)
	for i, a := range args {
		args[i] = strings.NewReplacer("{in}", inP, "{out}", outP).Replace(a)
	}
	if b, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, b)
	}
	b, err := os.ReadFile(outP)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// addDSS appends a DSS revision holding the signer's CA certificate.
func addDSS(t testing.TB, d *tdoc) {
	p := getCorpusKeys(t)
	certs, cert, dss := d.alloc(), d.alloc(), d.alloc()
	d.update(map[int]string{
		cert:  fmt.Sprintf("<</Length %d>>stream\n%s\nendstream", len(p.ca.Raw), p.ca.Raw),
		certs: fmt.Sprintf("[%d 0 R]", cert),
		dss:   fmt.Sprintf("<</Type/DSS/Certs %d 0 R>>", certs),
		1:     strings.TrimSuffix(d.objs[1], ">>") + fmt.Sprintf("/DSS %d 0 R>>", dss),
	})
}
