package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/certigna-desktop/app/pdfsign"
)

// corpus is a file of pdfsign's verify vectors (testdata/verify, made by
// pdfsign/corpus_gen_test.go).
func corpus(name string) string { return filepath.Join("..", "pdfsign", "testdata", "verify", name) }

func verifyFile(t *testing.T, h *harness, path string) *verifyView {
	t.Helper()
	h.app.show(screenVerify)
	v := h.app.verifyView()
	if v == nil {
		t.Fatal("no verify view")
	}
	v.run(path)
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
			[]string{"Les signatures sont intactes", "pas reconnu par cet ordinateur", "Signé par Camille Corpus EC, le ", "Le document n’a pas été modifié depuis.", "Intègre : oui", "Modifications : aucune", "Type : signature simple (sans heure certifiée)"},
			[4]string{"yes", "yes", "none", "no"}},
		{"invalid", corpus("byte-flip.pdf"), "fr", false,
			[]string{"au moins une signature est invalide", "elle n’est PAS valide, le contenu signé a été altéré", "Intègre : non"},
			[4]string{"no", "yes", "none", "no"}},
		{"changed after, not allowed", corpus("approval-then-content.pdf"), "en", false,
			[]string{"The document has been changed since in a way that is NOT ALLOWED: ", "Changes: not allowed", "the document's content or structure was changed"},
			[4]string{"yes", "yes", "no", "no"}},
		{"changed after, allowed", corpus("certified-p2-then-fill.pdf"), "en", true,
			[]string{"The document has been changed since: ", "as the signature allows", "Changes: allowed", "form fields were filled in"},
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
			// finding 12: nor beside a change not allowed (the headline says so)
			if c.name == "changed after, not allowed" {
				first := strings.Join(firstLevelTexts(h.win.Content()), "\n")
				if strings.Contains(first, "Intact: yes") || strings.Contains(first, "Signature: yes") || !strings.Contains(first, "Changes: not allowed") {
					t.Fatalf("the badges disagree with “Changes: not allowed”:\n%s", first)
				}
			}
			if c.badges == ([4]string{}) {
				if v.check != nil || v.err != errNoSignature {
					t.Fatalf("unsigned file: check %+v err %v", v.check, v.err)
				}
				return
			}
			if v.check == nil || v.check.OK != c.ok || len(v.check.Signatures) != 1 {
				t.Fatalf("check %+v err %v", v.check, v.err)
			}
			s := v.check.Signatures[0]
			checkHeadline(t, s, c.lang)
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
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(signed)})
	if h.app.shown() != screenVerify {
		t.Fatalf("screen %q", h.app.shown())
	}
	mustShow(t, h.win, "est déjà signé")
	v := h.app.verifyView()
	test.Tap(v.verifyButton)
	h.settle()
	if v.check == nil || !v.check.OK {
		t.Fatalf("check %+v %v", v.check, v.err)
	}
	mustShow(t, h.win, "Le document a été modifié depuis : ")
	mustShow(t, h.win, "comme la signature le permet")

	h.app.show(screenGuide)
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(signed)})
	test.Tap(h.app.verifyView().signButton)
	h.settle()
	if h.app.shown() != screenSign || h.app.signView() == nil || h.app.signView().inputPath != signed {
		t.Fatalf("screen %q sign view %+v", h.app.shown(), h.app.signView())
	}
}

// headlineDate: the window's date and time, "29/11/2026 à 20:38" or
// "29 Nov 2026 at 20:38", exactly once in a headline.
var headlineDate = map[string]*regexp.Regexp{
	"fr": regexp.MustCompile(`le \d{2}/\d{2}/\d{4} à \d{2}:\d{2}\b`),
	"en": regexp.MustCompile(`on \d{1,2} [A-Z][a-z]{2} \d{4} at \d{2}:\d{2}\b`),
}

// checkHeadline: one headline in words, with its date once, and none of
// the field names, constants or technical words the window used to show.
func checkHeadline(t *testing.T, s signatureCheck, lang string) {
	t.Helper()
	t.Logf("headline: %s", s.Headline)
	if n := len(headlineDate[lang].FindAllString(s.Headline, -1)); n != 1 {
		t.Errorf("headline %q: %d dates, want 1", s.Headline, n)
	}
	if regexp.MustCompile(`\d{2}:\d{2}:\d{2}`).MatchString(s.Headline) {
		t.Errorf("headline %q: seconds", s.Headline)
	}
	for _, w := range []string{s.Field, "Signature1", "Timestamp-", "ES_", "PAdES", "ETSI", "adbe", "CN=", "B-B", "B-T"} {
		if w != "" && strings.Contains(s.Headline, w) {
			t.Errorf("headline %q contains %q", s.Headline, w)
		}
	}
	if strings.Contains(s.Headline, "_") {
		t.Errorf("headline %q: a constant", s.Headline)
	}
}

// A document timestamp is said as such, with its date; an expired signer
// certificate and a document changed since are said in the headline.
func TestVerifyHeadlines(t *testing.T) {
	tok := softhsm(t)
	for _, c := range []struct {
		file, lang string
		want       []string // in the headlines, in order
	}{
		{"approval-then-dss-then-doctimestamp.pdf", "fr", []string{"Signé par ", "Horodatage du document, le "}},
		{"approval-then-dss-then-doctimestamp.pdf", "en", []string{"Signed by ", "Document timestamp, on "}},
		{"approval-then-content.pdf", "fr", []string{"Le document a été modifié depuis d’une façon NON AUTORISÉE : "}},
		{"byte-flip.pdf", "en", []string{"it is NOT valid, the signed content was altered"}},
	} {
		t.Run(c.file+"-"+c.lang, func(t *testing.T) {
			h := start(t, tok, c.lang)
			v := verifyFile(t, h, corpus(c.file))
			if v.check == nil || len(v.check.Signatures) != len(c.want) {
				t.Fatalf("check %+v err %v", v.check, v.err)
			}
			for i, s := range v.check.Signatures {
				if !strings.Contains(s.Headline, c.want[i]) {
					t.Errorf("headline %d %q, want %q", i, s.Headline, c.want[i])
				}
				checkHeadline(t, s, c.lang)
				mustShow(t, h.win, s.Headline)
				if s.Timestamp && !strings.Contains(s.Headline, "Horodatage du document, le ") && c.lang == "fr" {
					t.Errorf("timestamp headline %q", s.Headline)
				}
			}
			// badges agree with the headline: no green beside a broken signature
			if strings.Contains(c.file, "byte-flip") {
				for _, ok := range []string{"Signature: yes", "Changes: none", "Intact: yes", "Signer: recognised"} {
					if shows(h.win, ok) {
						t.Errorf("green %q beside an invalid signature", ok)
					}
				}
			}
		})
	}
}
