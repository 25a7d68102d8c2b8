package ui_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/ui"
)

// corpus is a file of pdfsign's verify vectors (testdata/verify, made by
// pdfsign/corpus_gen_test.go).
func corpus(name string) string { return filepath.Join("..", "pdfsign", "testdata", "verify", name) }

func verifyFile(t *testing.T, h *harness, path string) *ui.VerifyView {
	t.Helper()
	h.app.Show(ui.ScreenVerify)
	v := h.app.VerifyView()
	if v == nil {
		t.Fatal("no verify view")
	}
	v.Run(path)
	h.settle()
	return v
}

func TestVerifyScreen(t *testing.T) {
	tok := softhsm(t)
	unsigned := filepath.Join(t.TempDir(), "contrat.pdf")
	var b bytes.Buffer
	if err := pdfsign.SamplePDF(&b, "fr"); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(unsigned, b.Bytes(), 0o644)
	for _, c := range []struct {
		name, file, lang string
		ok               bool
		show             []string
		badges           [4]string
	}{
		{"valid", corpus("approval.pdf"), "fr", true,
			[]string{"Les signatures sont intactes", "pas reconnu par cet ordinateur", "signature valide de Camille Corpus EC", "Intègre : oui", "Modifications : aucune", "Type : signature simple (sans heure certifiée)"},
			[4]string{"yes", "yes", "none", "no"}},
		{"invalid", corpus("byte-flip.pdf"), "fr", false,
			[]string{"au moins une signature est invalide", "signature INVALIDE", "Intègre : non"},
			[4]string{"no", "yes", "none", "no"}},
		{"changed after, not allowed", corpus("approval-then-content.pdf"), "en", false,
			[]string{"BUT the document was then changed in a way that is not allowed", "Changes: not allowed", "the document's content or structure was changed"},
			[4]string{"yes", "yes", "no", "no"}},
		{"changed after, allowed", corpus("certified-p2-then-fill.pdf"), "en", true,
			[]string{"changed in a way the signature allows", "Changes: allowed", "form fields were filled in"},
			[4]string{"yes", "yes", "yes", "no"}},
		{"unsigned", unsigned, "fr", false, []string{"ne contient aucune signature"}, [4]string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := start(t, tok, c.lang)
			v := verifyFile(t, h, c.file)
			for _, s := range c.show {
				mustShow(t, h.win, s)
			}
			// never "valides" for a signer this computer does not know, never
			// a green answer beside a broken signature
			if c.name == "valid" && shows(h.win, "Toutes les signatures sont valides") {
				t.Fatal("“valides” while the signer is not recognised")
			}
			if c.name == "invalid" && (shows(h.win, "Signature : oui") || shows(h.win, "Modifications : aucune")) {
				t.Fatal("a green answer beside “Intègre : non”")
			}
			if c.badges == ([4]string{}) {
				if v.Check != nil || v.Err != ui.ErrNoSignature {
					t.Fatalf("unsigned file: check %+v err %v", v.Check, v.Err)
				}
				return
			}
			if v.Check == nil || v.Check.OK != c.ok || len(v.Check.Signatures) != 1 {
				t.Fatalf("check %+v err %v", v.Check, v.Err)
			}
			s := v.Check.Signatures[0]
			if got := [4]string{s.Intact, s.Signature, s.Changes, s.Trust}; got != c.badges {
				t.Fatalf("answers %v, want %v", got, c.badges)
			}
			if c.name == "changed after, not allowed" {
				snapshot(t, h, "13-verify-en.png")
			}
			if c.name == "valid" {
				snapshot(t, h, "14-verify.png")
			}
		})
	}
}

// A signed PDF dropped on the window offers "Vérifier" or "Signer aussi";
// an unsigned one goes to the signature screen as before.
func TestDropSignedPDFOffersVerifyOrSign(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	signed, _ := filepath.Abs(corpus("approval-then-fill.pdf"))
	h.app.HandleDrop([]fyne.URI{storage.NewFileURI(signed)})
	if h.app.Screen() != ui.ScreenVerify {
		t.Fatalf("screen %q", h.app.Screen())
	}
	mustShow(t, h.win, "est déjà signé")
	v := h.app.VerifyView()
	test.Tap(v.VerifyB)
	h.settle()
	if v.Check == nil || !v.Check.OK {
		t.Fatalf("check %+v %v", v.Check, v.Err)
	}
	mustShow(t, h.win, "le document a ensuite été modifié comme le permettait la signature")

	h.app.Show(ui.ScreenGuide)
	h.app.HandleDrop([]fyne.URI{storage.NewFileURI(signed)})
	test.Tap(h.app.VerifyView().SignB)
	h.settle()
	if h.app.Screen() != ui.ScreenSign || h.app.SignView() == nil || h.app.SignView().Input != signed {
		t.Fatalf("screen %q sign view %+v", h.app.Screen(), h.app.SignView())
	}
}
