package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"github.com/certigna-desktop/app/pdfsign/sign"
)

// twoFieldForm writes a one-page form with two empty signature fields, as
// forms from the administration come ("sign here" boxes).
func twoFieldForm(t *testing.T, path string) {
	t.Helper()
	pdf := buildPDF([]string{
		"<< /Type /Catalog /Pages 3 0 R /AcroForm << /Fields [5 0 R 6 0 R] /SigFlags 1 >> >>",
		"<< /Title (Formulaire) >>",
		"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Annots [5 0 R 6 0 R] >>",
		"<< /FT /Sig /T (Acheteur) /Type /Annot /Subtype /Widget /Rect [50 50 250 110] /F 4 /P 4 0 R >>",
		"<< /FT /Sig /T (Vendeur) /Type /Annot /Subtype /Widget /Rect [300 50 500 110] /F 4 /P 4 0 R >>",
	})
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A form with several empty signature fields: the window offers the choice
// (no PIN until one is chosen), then signs into the chosen field (issue #14).
func TestSignIntoChosenField(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenSign)
	v := h.app.signView()
	in := filepath.Join(t.TempDir(), "formulaire.pdf")
	twoFieldForm(t, in)
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(in)})
	h.settle()
	if !v.fieldSelect.Visible() || len(v.fieldSelect.Options) != 2 {
		t.Fatalf("field choice %v %q", v.fieldSelect.Visible(), v.fieldSelect.Options)
	}
	if !v.submit.Disabled() || !strings.Contains(v.docStatus.Text, "plusieurs champs de signature") {
		t.Fatalf("no field chosen yet: button enabled %v, %q", !v.submit.Disabled(), v.docStatus.Text)
	}
	v.fieldSelect.SetSelected("Vendeur")
	h.settle()
	if v.submit.Disabled() {
		t.Fatalf("field chosen, still disabled: %q", v.docStatus.Text)
	}
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.output == "" {
		t.Fatalf("not signed: %q", v.status.Text)
	}
	fs, err := sign.SignatureFields(v.output)
	if err != nil {
		t.Fatal(err)
	}
	signed := map[string]bool{}
	for _, f := range fs {
		signed[f.Name] = f.Signed
	}
	if !signed["Vendeur"] || signed["Acheteur"] || len(fs) != 2 {
		t.Fatalf("fields after signing: %+v", fs)
	}
	if h.svc.codeCalls.Load() != 1 {
		t.Fatalf("%d PIN verifications, want 1", h.svc.codeCalls.Load())
	}
}

// A field name is attacker text: a newline, a terminal escape or a
// bidirectional override in it is shown escaped in the choice, and choosing
// it still signs into that very field.
func TestFieldChoiceShowsHostileNamesEscaped(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenSign)
	v := h.app.signView()
	in := filepath.Join(t.TempDir(), "formulaire.pdf")
	hostile := "Vendeur\nSignataire : reconnu (Banque de France)\x1b]0;x\x07"
	pdf := buildPDF([]string{
		"<< /Type /Catalog /Pages 3 0 R /AcroForm << /Fields [5 0 R 6 0 R] /SigFlags 1 >> >>",
		"<< /Title (Formulaire) >>",
		"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Annots [5 0 R 6 0 R] >>",
		"<< /FT /Sig /T (Acheteur) /Type /Annot /Subtype /Widget /Rect [50 50 250 110] /F 4 /P 4 0 R >>",
		"<< /FT /Sig /T (Vendeur\\nSignataire : reconnu \\(Banque de France\\)\\033]0;x\\007) /Type /Annot /Subtype /Widget /Rect [300 50 500 110] /F 4 /P 4 0 R >>",
	})
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(in)})
	h.settle()
	if !v.fieldSelect.Visible() || len(v.fieldSelect.Options) != 2 {
		t.Fatalf("field choice %v %q", v.fieldSelect.Visible(), v.fieldSelect.Options)
	}
	shown := ""
	for _, o := range v.fieldSelect.Options {
		if strings.ContainsAny(o, "\n\x1b\x07") {
			t.Fatalf("raw control characters offered: %q", o)
		}
		if strings.HasPrefix(o, "Vendeur") {
			shown = o
		}
	}
	if shown == "" {
		t.Fatalf("hostile field not offered: %q", v.fieldSelect.Options)
	}
	v.fieldSelect.SetSelected(shown)
	h.settle()
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.output == "" {
		t.Fatalf("not signed: %q", v.status.Text)
	}
	fs, err := sign.SignatureFields(v.output)
	if err != nil {
		t.Fatal(err)
	}
	signed := map[string]bool{}
	for _, f := range fs {
		signed[f.Name] = f.Signed
	}
	if !signed[hostile] || signed["Acheteur"] {
		t.Fatalf("fields after signing: %+v", fs)
	}
}

// Finding 12: a document whose own signature field takes the signature
// decides the stamp (place and look): the stamp's choice and corner are
// off, with why; another document without a field gives them back.
func TestStampChoiceOffWhenTheFormHasAField(t *testing.T) {
	h := start(t, softhsm(t), "fr")
	h.app.show(screenSign)
	v := h.app.signView()
	v.optionsBox.Open(0)
	v.stamp.SetSelectedIndex(1) // first page: the corner counts
	h.settle()
	if v.stamp.Disabled() || v.corner.Disabled() || v.stampNote.Visible() {
		t.Fatal("stamp choices off before any form")
	}
	in := filepath.Join(t.TempDir(), "formulaire.pdf")
	twoFieldForm(t, in)
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(in)})
	h.settle()
	if !v.stamp.Disabled() || !v.corner.Disabled() || !v.stampNote.Visible() || !strings.Contains(v.stampNote.Text, "propre champ de signature") {
		t.Fatalf("form with fields: stamp disabled %v, corner disabled %v, note %v %q", v.stamp.Disabled(), v.corner.Disabled(), v.stampNote.Visible(), v.stampNote.Text)
	}
	v.sampleNow()
	h.settle()
	if v.stamp.Disabled() || v.corner.Disabled() || v.stampNote.Visible() {
		t.Fatal("a document without a field: the stamp's choices stay off")
	}
}
