package sign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// buildPDF writes objects 1..n (bodies given) with a classic xref table.
func buildPDF(header string, objs []string) []byte {
	var b bytes.Buffer
	b.WriteString(header + "\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", o)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d/Root 1 0 R/Info 2 0 R>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}

// signAndCheck signs in, and checks the result with our verifier, pdfsig
// and the structure comparison of the corpus test.
func signAndCheck(t *testing.T, in string, opts Options) (string, *Result) {
	t.Helper()
	p := pkitest.SharedKeys(t)
	out := strings.TrimSuffix(in, ".pdf") + "-signed.pdf"
	res, err := Sign(context.Background(), in, out, p.RSAKey, p.RSAChain(), opts)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Verify(context.Background(), out, verify.Options{Roots: p.Roots()})
	if err != nil || !rep.OK || rep.Signatures[len(rep.Signatures)-1].Level != "B-B" {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	pdftest.AssertPdfsigValid(t, out, len(rep.Signatures))
	pdftest.CheckUnchanged(t, in, out)
	return out, res
}

// Forms written in the ways the spec allows: AcroForm inline in the catalog
// with /DA and /DR, /Fields and /Annots as indirect arrays, a text field
// that must survive, inherited MediaBox, a page deep in the tree.
func TestSignFormVariants(t *testing.T) {
	dir := t.TempDir()
	content := "BT /F1 12 Tf 72 720 Td (Form) Tj ET"
	objs := []string{
		"<</Type/Catalog/Pages 3 0 R/AcroForm<</Fields 8 0 R/DA(/Helv 0 Tf 0 g)/DR<</Font<</Helv 6 0 R>>>>/NeedAppearances true>>>>",
		"<</Title(Form variants)/Producer(test)>>",
		"<</Type/Pages/Kids[4 0 R 10 0 R]/Count 2/MediaBox[0 0 500 700]>>",
		"<</Type/Page/Parent 3 0 R/Resources<</Font<</F1 6 0 R>>>>/Contents 5 0 R/Annots 9 0 R>>",
		fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(content), content),
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
		"<</Type/Annot/Subtype/Widget/FT/Tx/T(name)/V(Jeanne)/Rect[100 600 300 620]/P 4 0 R/DA(/Helv 12 Tf 0 g)>>",
		"[7 0 R]",
		"[7 0 R]",
		"<</Type/Pages/Parent 3 0 R/Kids[11 0 R]/Count 1>>",
		"<</Type/Page/Parent 10 0 R/Contents 5 0 R/Rotate 90>>",
	}
	in := filepath.Join(dir, "form.pdf")
	os.WriteFile(in, buildPDF("%PDF-1.4", objs), 0o644)
	out, res := signAndCheck(t, in, Options{Page: 2})
	if res.Page != 2 || res.Field != "Signature1" {
		t.Fatalf("result %+v", res)
	}
	f, _ := os.Open(out)
	defer f.Close()
	st, _ := f.Stat()
	r, err := pdf.NewReader(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := r.ResolveDict(r.Trailer.Get("Root"))
	acro, _ := cat.Get("AcroForm").(*pdf.Dict)
	if acro == nil || string(pdf.AppendObject(nil, acro.Get("DA"))) != "(/Helv 0 Tf 0 g)" || !acro.Has("DR") || acro.Get("NeedAppearances") != true {
		t.Fatalf("AcroForm lost keys: %s", pdf.AppendObject(nil, acro))
	}
	if sf, _ := pdf.ToInt(acro.Get("SigFlags")); sf != 3 {
		t.Fatalf("SigFlags %d", sf)
	}
	fields, _ := r.Resolve(acro.Get("Fields"))
	if got := string(pdf.AppendObject(nil, fields)); !strings.HasPrefix(got, "[7 0 R ") {
		t.Fatalf("fields %s", got)
	}
	if _, ok := acro.Get("Fields").(pdf.Ref); !ok {
		t.Fatal("/Fields stopped being the indirect array")
	}
	// The widget went on page 2 (object 11), whose /Annots was absent.
	p2, _ := r.ResolveDict(pdf.Ref{Num: 11})
	if a, ok := p2.Get("Annots").(pdf.Array); !ok || len(a) != 1 {
		t.Fatalf("page 2: %s", pdf.AppendObject(nil, p2))
	}
	// Page 1's indirect /Annots array is untouched.
	a9, _ := r.Fetch(9)
	if string(pdf.AppendObject(nil, a9)) != "[7 0 R]" {
		t.Fatalf("page 1 annots %s", pdf.AppendObject(nil, a9))
	}
	// A second signature on page 1 appends to its indirect /Annots array.
	p := pkitest.SharedKeys(t)
	out2 := filepath.Join(dir, "form-2.pdf")
	if _, err := Sign(context.Background(), out, out2, p.ECKey, p.ECChain(), Options{Page: 1}); err != nil {
		t.Fatal(err)
	}
	pdftest.AssertPdfsigValid(t, out2, 2)
	pdftest.CheckUnchanged(t, out, out2)
}

// qpdf rewrites the sample and a form in every layout it knows: object and
// xref streams, linearized, old and new versions; each signs and validates.
func TestSignQpdfLayouts(t *testing.T) {
	testtool.Need(t, "qpdf")
	dir := t.TempDir()
	sample := pdftest.WriteSample(t, dir, "sample.pdf")
	form := filepath.Join(filepath.Dir(pdftest.CorpusFiles(t)[0]), "Acroforms2.pdf")
	if _, err := os.Stat(form); err != nil {
		form = sample
	}
	layouts := map[string][]string{
		"objstm":        {"--object-streams=generate"},
		"linearized":    {"--linearize"},
		"linearized-os": {"--linearize", "--object-streams=generate"},
		"v1.3":          {"--force-version=1.3", "--object-streams=disable"},
		"v2.0-os":       {"--force-version=2.0", "--object-streams=generate"},
	}
	for name, args := range layouts {
		for src, in := range map[string]string{"sample": sample, "form": form} {
			t.Run(name+"-"+src, func(t *testing.T) {
				out := filepath.Join(dir, name+"-"+src+".pdf")
				if b, err := exec.Command("qpdf", append(args, in, out)...).CombinedOutput(); err != nil && !strings.Contains(string(b), "operation succeeded with warnings") {
					t.Fatalf("qpdf: %v %s", err, b)
				}
				signed, _ := signAndCheck(t, out, Options{})
				// The update's xref is of the input's kind.
				data, _ := os.ReadFile(signed)
				tail := string(data[len(data)-2000:])
				streamIn := strings.Contains(name, "objstm") || strings.Contains(name, "-os")
				if streamIn == strings.Contains(tail, "\ntrailer\n") && !strings.Contains(name, "linearized") {
					t.Fatalf("xref kind: stream input %v, tail:\n%s", streamIn, tail)
				}
			})
		}
	}
}

func TestCertifiedNoChangesRefused(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	// DocMDP P=1 (testdata/vectors/certified-no-change.want): the refusal says why.
	in := filepath.Join(dir, "certified.pdf")
	b, err := os.ReadFile("../testdata/vectors/certified-no-change.pdf")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(in, b, 0o644)
	_, err = Sign(context.Background(), in, "", p.ECKey, p.ECChain(), Options{})
	if pdftest.ErrKind(err) != pdfsign.KindUnsupported || !strings.Contains((&pdfsign.Error{Kind: pdfsign.KindUnsupported, Err: errors.Unwrap(err)}).Message("en"), "allowed no change") {
		t.Fatalf("got %v", err)
	}
	pdftest.AssertDir(t, dir, "certified.pdf")
}
