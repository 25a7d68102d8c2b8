package sign

import (
	"bytes"
	"context"
	"crypto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// formPDF is minimalPDF with an AcroForm (object 6) whose fields are the
// given objects 7, 8, … (fields lists the top-level ones, annots the page's
// widgets).
func formPDF(fields, annots string, objs ...string) []byte {
	return minimalPDF{
		catalogMore: "/AcroForm 6 0 R",
		pageMore:    "/Annots[" + annots + "]",
		extra:       append([]string{"<</Fields[" + fields + "]/DA(/Helv 0 Tf 0 g)>>"}, objs...),
	}.bytes()
}

const sigWidget = "/Type/Annot/Subtype/Widget/F 4/P 3 0 R"

func TestSignIntoExistingField(t *testing.T) {
	p := pkitest.SharedKeys(t)
	testtool.Need(t, "pdftotext")
	dir := t.TempDir()
	cases := []struct {
		name    string
		pdf     []byte
		opts    Options
		want    pdfsign.Kind // "" = signed
		field   string       // the field signed
		visible bool
		hash    string
		check   func(t *testing.T, out string)
	}{
		{name: "one-empty-field",
			pdf:   formPDF("7 0 R", "7 0 R", "<</FT/Sig/T(Signature)"+sigWidget+"/Rect[300 100 500 160]>>"),
			field: "Signature", visible: true},
		{name: "invisible-field",
			pdf:   formPDF("7 0 R", "7 0 R", "<</FT/Sig/T(Signature)"+sigWidget+"/Rect[0 0 0 0]>>"),
			field: "Signature"},
		{name: "separate-widget-not-in-annots",
			pdf:   formPDF("7 0 R", "", "<</FT/Sig/T(Sig)/Kids[8 0 R]>>", "<<"+sigWidget+"/Parent 7 0 R/Rect[50 50 250 110]>>"),
			field: "Sig", visible: true},
		{name: "nested-name",
			pdf:   formPDF("7 0 R", "8 0 R", "<</T(form)/Kids[8 0 R]>>", "<</FT/Sig/T(sig)/Parent 7 0 R"+sigWidget+"/Rect[50 50 250 110]>>"),
			field: "form.sig", visible: true},
		{name: "two-fields-no-choice",
			pdf:  formPDF("7 0 R 8 0 R", "7 0 R 8 0 R", "<</FT/Sig/T(A)"+sigWidget+"/Rect[50 50 250 110]>>", "<</FT/Sig/T(B)"+sigWidget+"/Rect[300 50 500 110]>>"),
			want: KindFieldChoice},
		{name: "two-fields-chosen",
			pdf:   formPDF("7 0 R 8 0 R", "7 0 R 8 0 R", "<</FT/Sig/T(A)"+sigWidget+"/Rect[50 50 250 110]>>", "<</FT/Sig/T(B)"+sigWidget+"/Rect[300 50 500 110]>>"),
			opts:  Options{Field: "B"},
			field: "B", visible: true},
		{name: "unknown-field",
			pdf:  formPDF("7 0 R", "7 0 R", "<</FT/Sig/T(Signature)"+sigWidget+"/Rect[300 100 500 160]>>"),
			opts: Options{Field: "Nope"}, want: KindFieldNotFound},
		{name: "seed-filter-required",
			pdf:  formPDF("7 0 R", "7 0 R", "<</FT/Sig/T(S)"+sigWidget+"/Rect[300 100 500 160]/SV<</Filter/Entrust.PPKEF/Ff 1>>>>"),
			want: pdfsign.KindForbidden},
		{name: "seed-filter-optional",
			pdf:   formPDF("7 0 R", "7 0 R", "<</FT/Sig/T(S)"+sigWidget+"/Rect[300 100 500 160]/SV<</Filter/Entrust.PPKEF>>>>"),
			field: "S", visible: true},
		{name: "seed-subfilter-pkcs7-only",
			pdf:  formPDF("7 0 R", "7 0 R", "<</FT/Sig/T(S)"+sigWidget+"/Rect[300 100 500 160]/SV<</SubFilter[/adbe.pkcs7.detached]/Ff 2>>>>"),
			want: pdfsign.KindForbidden},
		{name: "seed-subfilter-cades-allowed",
			pdf:   formPDF("7 0 R", "7 0 R", "<</FT/Sig/T(S)"+sigWidget+"/Rect[300 100 500 160]/SV<</SubFilter[/adbe.pkcs7.detached/ETSI.CAdES.detached]/Ff 2>>>>"),
			field: "S", visible: true},
		{name: "seed-digest-sha512-chosen",
			pdf:   formPDF("7 0 R", "7 0 R", "<</FT/Sig/T(S)"+sigWidget+"/Rect[300 100 500 160]/SV<</DigestMethod[/SHA512]/Ff 64>>>>"),
			field: "S", visible: true, hash: "SHA-512"},
		{name: "seed-digest-conflict",
			pdf:  formPDF("7 0 R", "7 0 R", "<</FT/Sig/T(S)"+sigWidget+"/Rect[300 100 500 160]/SV<</DigestMethod[/SHA512]/Ff 64>>>>"),
			opts: Options{Hash: crypto.SHA256}, want: pdfsign.KindForbidden},
		{name: "seed-reasons-missing",
			pdf:  formPDF("7 0 R", "7 0 R", "<</FT/Sig/T(S)"+sigWidget+"/Rect[300 100 500 160]/SV<</Reasons[(Lu et approuvé)]/Ff 8>>>>"),
			want: pdfsign.KindForbidden},
		{name: "seed-reasons-given",
			pdf:   formPDF("7 0 R", "7 0 R", "<</FT/Sig/T(S)"+sigWidget+"/Rect[300 100 500 160]/SV<</Reasons[(Approved)]/Ff 8>>>>"),
			opts:  Options{Reason: "Approved"},
			field: "S", visible: true},
		{name: "seed-timestamp-required",
			pdf:  formPDF("7 0 R", "7 0 R", "<</FT/Sig/T(S)"+sigWidget+"/Rect[300 100 500 160]/SV<</TimeStamp<</URL(http://127.0.0.1:9/)/Ff 1>>>>>>"),
			want: pdfsign.KindForbidden},
		{name: "lock-becomes-fieldmdp",
			pdf: formPDF("7 0 R 8 0 R", "7 0 R 8 0 R", "<</FT/Sig/T(S)"+sigWidget+"/Rect[300 100 500 160]/Lock<</Type/SigFieldLock/Action/Include/Fields[(Name)]>>>>",
				"<</FT/Tx/T(Name)/V(Jeanne)"+sigWidget+"/Rect[50 700 250 720]>>"),
			field: "S", visible: true,
			check: func(t *testing.T, out string) {
				b, _ := exec.Command("qpdf", "--show-object=9", "--filtered-stream-data", out).CombinedOutput()
				if !bytes.Contains(b, []byte("/TransformMethod /FieldMDP")) || !bytes.Contains(b, []byte("/Action /Include")) {
					t.Fatalf("no FieldMDP reference in the signature: %s", b)
				}
			}},
		{name: "fieldmdp-all-locks-everything",
			pdf: func() []byte {
				// A form whose first field, once signed, locks all fields: sign
				// it, then the second signature must be refused.
				in := formPDF("7 0 R 8 0 R", "7 0 R 8 0 R", "<</FT/Sig/T(A)"+sigWidget+"/Rect[50 50 250 110]/Lock<</Type/SigFieldLock/Action/All>>>>",
					"<</FT/Sig/T(B)"+sigWidget+"/Rect[300 50 500 110]>>")
				sub := t.TempDir()
				os.WriteFile(filepath.Join(sub, "in.pdf"), in, 0o644)
				if _, err := Sign(context.Background(), filepath.Join(sub, "in.pdf"), filepath.Join(sub, "out.pdf"), p.ECKey, p.ECChain(), Options{Field: "A"}); err != nil {
					t.Fatalf("first signature: %v", err)
				}
				b, _ := os.ReadFile(filepath.Join(sub, "out.pdf"))
				return b
			}(),
			opts: Options{Field: "B"}, want: pdfsign.KindForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sub := filepath.Join(dir, c.name)
			os.Mkdir(sub, 0o755)
			in := filepath.Join(sub, "in.pdf")
			os.WriteFile(in, c.pdf, 0o644)
			out := filepath.Join(sub, "out.pdf")
			cerr := Check(in, out, c.opts)
			res, err := Sign(context.Background(), in, out, p.ECKey, p.ECChain(), c.opts)
			if pdftest.ErrKind(cerr) != pdftest.ErrKind(err) {
				t.Fatalf("Check says %v, Sign says %v", cerr, err)
			}
			if c.want != "" {
				if pdftest.ErrKind(err) != c.want {
					t.Fatalf("Sign: %v, want %s", err, c.want)
				}
				if m := err.(*pdfsign.Error).Message("fr"); strings.Contains(m, "pdf.") || !strings.Contains(m, "in.pdf") {
					t.Fatalf("message %q", m)
				}
				if ents, _ := os.ReadDir(sub); len(ents) != 1 {
					t.Fatalf("files left: %v", ents)
				}
				return
			}
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if res.Field != c.field {
				t.Fatalf("signed field %q, want %q", res.Field, c.field)
			}
			if c.hash != "" && res.Hash != c.hash {
				t.Fatalf("hash %s, want %s", res.Hash, c.hash)
			}
			checkSignedEverywhere(t, out, strings.Count(string(c.pdf), "/ByteRange")+1)
			pdfsig := pdftest.PdfsigOut(t, out)
			if !strings.Contains(pdfsig, "Signature Field Name: "+c.field) {
				t.Fatalf("pdfsig:\n%s", pdfsig)
			}
			// No field was added: the form has as many signature fields.
			fs, err := SignatureFields(out)
			if err != nil {
				t.Fatal(err)
			}
			before, _ := SignatureFields(in)
			if len(fs) != len(before) {
				t.Fatalf("%d signature fields after, %d before", len(fs), len(before))
			}
			for _, f := range fs {
				if f.Name == c.field && (!f.Signed || f.Page != 1) {
					t.Fatalf("field after signing: %+v", f)
				}
			}
			txt, _ := exec.Command("pdftotext", out, "-").Output()
			if got := strings.Contains(string(txt), "numériquement"); got != c.visible {
				t.Fatalf("stamp visible = %v, want %v:\n%s", got, c.visible, txt)
			}
			checkRendered(t, out)
			if c.check != nil {
				c.check(t, out)
			}
		})
	}
}

func TestSignatureFieldsList(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	os.WriteFile(in, formPDF("7 0 R 8 0 R", "7 0 R", "<</FT/Sig/T(A)"+sigWidget+"/Rect[50 50 250 110]/SV<</Ff 0>>>>",
		"<</T(form)/Kids[9 0 R]>>", "<</FT/Sig/T(b)/Parent 8 0 R/Type/Annot/Subtype/Widget/Rect[0 0 0 0]/Lock<</Action/All>>>>"), 0o644)
	fs, err := SignatureFields(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[0].Name != "A" || fs[0].Page != 1 || !fs[0].Visible() || !fs[0].Seed ||
		fs[1].Name != "form.b" || fs[1].Page != 0 || fs[1].Visible() || !fs[1].Lock {
		t.Fatalf("%+v", fs)
	}
	if _, err := SignatureFields(filepath.Join(dir, "none.pdf")); pdftest.ErrKind(err) != pdfsign.KindInputNotFound {
		t.Fatalf("missing file: %v", err)
	}
}

// Two signers of one form: A first (chosen), then the only empty field left
// (B) without naming it; the first signature is followed by signatures only.
func TestSignFormTwoSigners(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	os.WriteFile(in, formPDF("7 0 R 8 0 R", "7 0 R 8 0 R", "<</FT/Sig/T(A)"+sigWidget+"/Rect[50 50 250 110]>>", "<</FT/Sig/T(B)"+sigWidget+"/Rect[300 50 500 110]>>"), 0o644)
	o1 := filepath.Join(dir, "o1.pdf")
	o2 := filepath.Join(dir, "o2.pdf")
	if _, err := Sign(context.Background(), in, o1, p.ECKey, p.ECChain(), Options{Field: "A"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Sign(context.Background(), o1, o2, p.ECKey, p.ECChain(), Options{}); err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Verify(context.Background(), o2, verify.Options{Roots: p.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || len(rep.Signatures) != 2 || rep.Signatures[0].Field != "A" || rep.Signatures[0].LaterChanges != verify.ChangesSignatures || rep.Signatures[1].Field != "B" || !rep.Signatures[1].CoversWholeDocument {
		t.Fatalf("%+v", rep)
	}
	pdftest.AssertPdfsigValid(t, o2, 2)
	pdftest.CheckMutool(t, o2)
}

// A field on a turned, cropped page is listed where the person sees it
// (OnPage, page coordinates), and signing into it draws the stamp there.
func TestSignatureFieldOnPageRotated(t *testing.T) {
	p := pkitest.New(t)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	b := minimalPDF{
		catalogMore: "/AcroForm 6 0 R",
		pageMore:    "/Annots[7 0 R]/Rotate 90/CropBox[45 60 545 800]",
		extra:       []string{"<</Fields[7 0 R]/DA(/Helv 0 Tf 0 g)>>", "<</FT/Sig/T(Ici)" + sigWidget + "/Rect[400 100 460 300]>>"},
	}.bytes()
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	fs, err := SignatureFields(in)
	if err != nil || len(fs) != 1 {
		t.Fatalf("%+v %v", fs, err)
	}
	// box 45,60–545,800 (500 × 740) turned: 740 × 500 displayed; user
	// x 400..460 (from the box: 355..415) → displayed y 500-415..500-355
	want := [4]float64{40, 85, 200, 60}
	if !near(fs[0].OnPage, want) {
		t.Fatalf("OnPage %v, want %v", fs[0].OnPage, want)
	}
	if _, err := Sign(context.Background(), in, out, p.SignerKey, p.Chain(), Options{Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	got := changedBox(renderCrop(t, in), renderCrop(t, out))
	if got.Dx() < 195 || got.Dy() < 55 || got.Min.X < 39 || got.Min.X > 41 || got.Max.Y < 500-85-1 || got.Max.Y > 500-85+1 {
		t.Errorf("stamp drawn at %v, field shown at %v (top-left origin: x %g, bottom %g)", got, want, want[0], 500-want[1])
	}
}
