package sign

import (
	"bytes"
	"context"
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

// qpdfEncrypt makes an encrypted copy of in with qpdf (user password user,
// owner password "owner", then the key length and options).
func qpdfEncrypt(t *testing.T, in, out, user string, args ...string) {
	t.Helper()
	testtool.Need(t, "qpdf")
	a := []string{"--allow-weak-crypto", "--encrypt", user, "owner"}
	a = append(a, args...)
	a = append(a, in, out)
	if b, err := exec.Command("qpdf", a...).CombinedOutput(); err != nil {
		t.Fatalf("qpdf %v: %v\n%s", a, err, b)
	}
}

// checkRendered: the file opens and renders with poppler and mupdf.
func checkRendered(t *testing.T, path string) {
	t.Helper()
	testtool.Need(t, "pdftoppm")
	testtool.Need(t, "mutool")
	dir := t.TempDir()
	if b, err := exec.Command("pdftoppm", "-r", "20", "-png", path, filepath.Join(dir, "p")).CombinedOutput(); err != nil || len(b) > 0 && strings.Contains(string(b), "Error") {
		t.Fatalf("pdftoppm %s: %v\n%s", path, err, b)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "p*.png")); len(m) == 0 {
		t.Fatalf("pdftoppm rendered nothing for %s", path)
	}
	b, err := exec.Command("mutool", "draw", "-r", "20", "-o", filepath.Join(dir, "m%d.png"), path).CombinedOutput()
	if err != nil || bytes.Contains(b, []byte("error")) {
		t.Fatalf("mutool draw %s: %v\n%s", path, err, b)
	}
	txt, err := exec.Command("mutool", "draw", "-F", "txt", "-o", "-", path).Output()
	if err != nil || !strings.Contains(string(txt), "Document d") {
		t.Fatalf("mutool text of %s: %v %q", path, err, txt)
	}
}

// checkQpdfEncrypted is qpdf --check with the empty password, plus the
// encryption still being there.
func checkQpdfEncrypted(t *testing.T, path string) {
	t.Helper()
	out, err := exec.Command("qpdf", "--password=", "--check", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors found") {
		t.Fatalf("qpdf --check %s: %v\n%s", path, err, out)
	}
	enc, _ := exec.Command("qpdf", "--password=", "--show-encryption", path).CombinedOutput()
	if !strings.Contains(string(enc), "R = ") || strings.Contains(string(out), "WARNING") {
		t.Fatalf("qpdf: %s no longer encrypted or warned:\n%s\n%s", path, enc, out)
	}
}

func TestSignEncryptedEmptyUserPassword(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	plain := pdftest.WriteSample(t, dir, "plain.pdf")
	cases := []struct {
		name string
		args []string
		vis  bool
	}{
		{"rc4-40", []string{"40", "--"}, false},
		{"rc4-128", []string{"128", "--"}, false},
		{"rc4-128-objstm", []string{"128", "--", "--object-streams=generate"}, false},
		{"aes-128", []string{"128", "--use-aes=y", "--"}, true},
		{"aes-128-objstm", []string{"128", "--use-aes=y", "--", "--object-streams=generate"}, false},
		{"aes-256-r6", []string{"256", "--"}, true},
		{"aes-256-r5", []string{"256", "--force-R5", "--"}, false},
		{"aes-256-objstm", []string{"256", "--", "--object-streams=generate"}, false},
		{"aes-128-cleartext-metadata", []string{"128", "--use-aes=y", "--cleartext-metadata", "--"}, false},
		{"aes-256-cleartext-metadata", []string{"256", "--cleartext-metadata", "--"}, false},
		{"aes-256-forms-only", []string{"256", "--modify=form", "--extract=n", "--"}, false},
		{"rc4-128-form-fill-only", []string{"128", "--modify=form", "--"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := filepath.Join(dir, c.name+".pdf")
			qpdfEncrypt(t, plain, in, "", c.args...)
			orig, _ := os.ReadFile(in)
			out := filepath.Join(dir, c.name+"-signed.pdf")
			opts := Options{Reason: "Accord é", Location: "Nantes"}
			if c.vis {
				opts.Visible = &Visible{}
			}
			if err := Check(in, out, opts); err != nil {
				t.Fatalf("Check: %v", err)
			}
			if _, err := Sign(context.Background(), in, out, p.RSAKey, p.RSAChain(), opts); err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if now, _ := os.ReadFile(in); !bytes.Equal(now, orig) {
				t.Fatal("input modified")
			}
			signed, _ := os.ReadFile(out)
			if !bytes.HasPrefix(signed, orig) {
				t.Fatal("not an incremental update")
			}
			upd := signed[len(orig):]
			if !bytes.Contains(upd, []byte("/Encrypt")) || !bytes.Contains(upd, []byte("/ID")) {
				t.Fatalf("update trailer lost /Encrypt or /ID")
			}
			// Nothing of the new strings is in clear text: reason, field name.
			if bytes.Contains(upd, []byte("Nantes")) || bytes.Contains(upd, []byte("Signature1")) {
				t.Fatalf("strings of the update are not encrypted")
			}
			out1 := pdftest.AssertPdfsigValid(t, out, 1)
			if !strings.Contains(out1, "Field Name: Signature1") {
				t.Fatalf("pdfsig does not read the decrypted field name:\n%s", out1)
			}
			pdftest.CheckMutool(t, out)
			checkQpdfEncrypted(t, out)
			rep, err := verify.Verify(context.Background(), out, verify.Options{Roots: p.Roots()})
			if err != nil || !rep.OK || len(rep.Signatures) != 1 || !rep.Signatures[0].Valid {
				t.Fatalf("Verify: %v %+v", err, rep)
			}
			if s := rep.Signatures[0]; s.Location != "Nantes" || s.Reason != "Accord é" || s.Field != "Signature1" {
				t.Fatalf("Verify read %q %q %q", s.Location, s.Reason, s.Field)
			}
			checkRendered(t, out)
			// A second signature over the first, still encrypted.
			out2 := filepath.Join(dir, c.name+"-signed2.pdf")
			if _, err := Sign(context.Background(), out, out2, p.ECKey, p.ECChain(), Options{}); err != nil {
				t.Fatalf("second Sign: %v", err)
			}
			pdftest.AssertPdfsigValid(t, out2, 2)
			checkQpdfEncrypted(t, out2)
			if rep, err := verify.Verify(context.Background(), out2, verify.Options{Roots: p.Roots()}); err != nil || !rep.OK || len(rep.Signatures) != 2 {
				t.Fatalf("Verify 2: %v %+v", err, rep)
			}
		})
	}
}

func TestEncryptedRefusals(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	plain := pdftest.WriteSample(t, dir, "plain.pdf")
	cases := []struct {
		name string
		user string
		args []string
		kind pdfsign.Kind
	}{
		{"user-password-256", "secret", []string{"256", "--"}, pdfsign.KindEncrypted},
		{"user-password-40", "secret", []string{"40", "--"}, pdfsign.KindEncrypted},
		{"user-password-aes128", "secret", []string{"128", "--use-aes=y", "--"}, pdfsign.KindEncrypted},
		{"no-forms-40", "", []string{"40", "--annotate=n", "--"}, pdfsign.KindForbidden},
		{"no-forms-128", "", []string{"128", "--annotate=n", "--form=n", "--modify=none", "--"}, pdfsign.KindForbidden},
		{"no-forms-256", "", []string{"256", "--annotate=n", "--form=n", "--modify=none", "--"}, pdfsign.KindForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sub := filepath.Join(dir, c.name)
			os.Mkdir(sub, 0o755)
			in := filepath.Join(sub, "in.pdf")
			qpdfEncrypt(t, plain, in, c.user, c.args...)
			if err := Check(in, "", Options{}); pdftest.ErrKind(err) != c.kind {
				t.Fatalf("Check: %v, want %s", err, c.kind)
			}
			_, err := Sign(context.Background(), in, "", p.ECKey, p.ECChain(), Options{})
			if pdftest.ErrKind(err) != c.kind {
				t.Fatalf("Sign: %v, want %s", err, c.kind)
			}
			e := err.(*pdfsign.Error)
			if fr := e.Message("fr"); !strings.Contains(fr, "in.pdf") || strings.Contains(fr, "pdf.") {
				t.Fatalf("message: %q", fr)
			}
			if ents, _ := os.ReadDir(sub); len(ents) != 1 {
				t.Fatalf("files left: %v", ents)
			}
		})
	}
}

// An encrypted form with an empty signature field: the field's name is
// read decrypted, the signature goes into it, the lock's strings in the
// signature dictionary are encrypted.
func TestSignEncryptedFormField(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	form := filepath.Join(dir, "form.pdf")
	os.WriteFile(form, formPDF("7 0 R 8 0 R", "7 0 R 8 0 R",
		"<</FT/Sig/T(Signature du demandeur)"+sigWidget+"/Rect[300 100 500 160]/Lock<</Type/SigFieldLock/Action/Include/Fields[(Nom)]>>>>",
		"<</FT/Tx/T(Nom)/V(Jeanne)"+sigWidget+"/Rect[50 700 250 720]>>"), 0o644)
	for _, bits := range []string{"128", "256"} {
		in := filepath.Join(dir, "enc-"+bits+".pdf")
		args := []string{bits, "--"}
		if bits == "128" {
			args = []string{bits, "--use-aes=y", "--"}
		}
		qpdfEncrypt(t, form, in, "", args...)
		fs, err := SignatureFields(in)
		if err != nil || len(fs) != 1 || fs[0].Name != "Signature du demandeur" {
			t.Fatalf("fields: %v %+v", err, fs)
		}
		out := filepath.Join(dir, "enc-"+bits+"-signed.pdf")
		res, err := Sign(context.Background(), in, out, p.ECKey, p.ECChain(), Options{})
		if err != nil || res.Field != "Signature du demandeur" {
			t.Fatalf("Sign: %v %+v", err, res)
		}
		b, _ := os.ReadFile(out)
		if bytes.Contains(b, []byte("(Nom)")) {
			t.Fatal("a string of the update is in clear text")
		}
		checkQpdfEncrypted(t, out)
		pdftest.CheckMutool(t, out)
		if o := pdftest.AssertPdfsigValid(t, out, 1); !strings.Contains(o, "Signature du demandeur") {
			t.Fatalf("pdfsig:\n%s", o)
		}
		dump, _ := exec.Command("qpdf", "--password=", "--qdf", "--object-streams=disable", out, "-").Output()
		if !bytes.Contains(dump, []byte("/TransformMethod /FieldMDP")) || !bytes.Contains(dump, []byte("(Nom)")) {
			t.Fatalf("the FieldMDP lock does not decrypt to (Nom)")
		}
		checkRendered(t, out)
	}
}
