package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/testtoken"
)

// Found walking the window as a new customer (task H). Each test shows one
// fix with the fyne test driver over a real SoftHSM2 token.

// tapText taps the first laid-out button whose text is s.
func tapText(t *testing.T, h *harness, s string) {
	t.Helper()
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if b, ok := asButton(o); ok && b.Text == s {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no button %q:\n%s", s, strings.Join(texts(h.win), "\n"))
}

// The verify screen's "Choisir un PDF…" is the same translated chooser as
// the sign screen's (a typed path, "Parcourir…" in Documents), not Fyne's
// English dialog opened in the home folder.
func TestVerifyChooserTranslatedTakesTypedPath(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenVerify)
	tapText(t, h, "Choisir un PDF…")
	got := strings.Join(overlayTexts(h.win), "\n")
	for _, w := range []string{"Choisir un PDF", "Parcourir…", "Ouvrir", "Annuler"} {
		if !strings.Contains(got, w) {
			t.Fatalf("chooser lacks %q:\n%s", w, got)
		}
	}
	for _, w := range []string{"Open File", "Cancel", "Home", "Computer"} {
		if strings.Contains(got, w) {
			t.Fatalf("English %q in the French chooser:\n%s", w, got)
		}
	}
	doc := corpus("adbe-pkcs7-sha1.pdf")
	path := h.app.chooserField()
	path.SetText(doc)
	path.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	if v := h.app.verifyView(); v == nil || v.file != doc || (v.check == nil && v.err == nil) {
		t.Fatalf("typed path not verified: %+v", v)
	}
}

// Once the personal PIN is set, the PIN screen asks for the current PIN,
// not for the website's unlock code (which no longer works: typing it would
// spend a try for nothing); a second change with the current PIN works.
func TestPINScreenAsksCurrentPINOnceSet(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenPIN)
	mustShow(t, h.win, "Code de déverrouillage")
	f := h.app.pinForm()
	test.Type(f.current, tok.PIN)
	test.Type(f.newPIN, "24681357")
	test.Type(f.confirm, "24681357")
	test.Tap(f.submit)
	h.settle()
	if !f.succeeded {
		t.Fatalf("first change failed: %q", f.status.Text)
	}
	// at once, in the same form (its success message still in view)
	mustShow(t, h.win, "Code PIN actuel")
	mustShow(t, h.win, "Changer mon code PIN")
	mustShow(t, h.win, "C’est fait : votre code PIN personnel est enregistré")
	if f.current.PlaceHolder != "votre code PIN actuel" {
		t.Fatalf("placeholder right after the change: %q", f.current.PlaceHolder)
	}
	h.app.show(screenGuide)
	h.app.show(screenPIN)
	for _, w := range []string{"Changer mon code PIN", "Code PIN actuel", "pas le code de déverrouillage du site"} {
		mustShow(t, h.win, w)
	}
	if shows(h.win, "Code de déverrouillage") || shows(h.win, "code affiché sur le site") {
		t.Fatalf("still asks for the unlock code:\n%s", strings.Join(texts(h.win), "\n"))
	}
	f = h.app.pinForm()
	if f.current.PlaceHolder != "votre code PIN actuel" {
		t.Fatalf("placeholder %q", f.current.PlaceHolder)
	}
	test.Type(f.current, "24681357")
	test.Type(f.newPIN, "97531864")
	test.Type(f.confirm, "97531864")
	test.Tap(f.submit)
	h.settle()
	if !f.succeeded || h.svc.codeCalls.Load() != 2 {
		t.Fatalf("second change: succeeded %v, %d calls, %q", f.succeeded, h.svc.codeCalls.Load(), f.status.Text)
	}
	if out, err := tok.TryTool("--login", "--pin", "97531864", "--list-objects"); err != nil {
		t.Fatalf("new PIN refused: %v\n%s", err, out)
	}
	h.app.setLang("en")
	h.app.show(screenPIN)
	mustShow(t, h.win, "Current PIN")
}

// demoModule reports the module as the demo token's. A test double for the
// status only (creating the real demo token writes in the user's cache);
// every call still goes to the real SoftHSM2 token.
type demoModule struct{ TokenService }

func (d demoModule) Module() actions.ModuleStatus {
	m := d.TokenService.Module()
	m.Demo = true
	return m
}

// With the demo token, the browsers screen says why it cannot be registered,
// instead of sending the person to the Driver screen, which says "loaded".
func TestBrowsersScreenWithDemoTokenSaysWhy(t *testing.T) {
	tok := softhsm(t)
	t.Setenv("HOME", t.TempDir())
	h := startWith(t, tok, "fr", func(s TokenService) TokenService { return demoModule{s} })
	h.app.show(screenBrowsers)
	mustShow(t, h.win, "Le token de démonstration n’existe que dans cette application")
	if shows(h.win, "Choisissez d’abord le pilote") {
		t.Fatalf("sends the demo user to the Driver screen:\n%s", strings.Join(texts(h.win), "\n"))
	}
	// a real module still registers: no demo banner
	h2 := start(t, tok, "fr")
	h2.app.show(screenBrowsers)
	if shows(h2.win, "Le token de démonstration") || shows(h2.win, "Choisissez d’abord le pilote") {
		t.Fatalf("banner with a real module:\n%s", strings.Join(texts(h2.win), "\n"))
	}
}

// The verify screen says the signature's type in words, as the sign screen
// does; the PAdES level name ("B-B") only in the details.
func TestVerifyLevelInWords(t *testing.T) {
	tok := softhsm(t)
	for lang, want := range map[string]string{"fr": "Type : signature simple (sans heure certifiée).", "en": "Type: basic signature"} {
		h := start(t, tok, lang)
		verifyFile(t, h, corpus("approval.pdf"))
		mustShow(t, h.win, want)
		for _, s := range visibleTexts(h.win) {
			if strings.Contains(s, "B-B") || strings.Contains(s, "Niveau :") || strings.Contains(s, "Level:") {
				t.Fatalf("%s: PAdES name on the first view: %q", lang, s)
			}
		}
		mustShow(t, h.win, map[string]string{"fr": "Nom technique du type : PAdES B-B (PAdES est la norme européenne des signatures PDF).", "en": "Technical name of the type: PAdES B-B (PAdES is the European standard"}[lang])
	}
}

// The support report shown on "À propos" counts tokens with the right
// plural, not "token(s)".
func TestSupportReportTokenPlural(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	rep := h.app.diagnostics()
	if strings.Contains(rep, "token(s)") || !strings.Contains(rep, " token\n") {
		t.Fatalf("plural in the report:\n%s", rep)
	}
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{{"fr", 0, "0 token"}, {"fr", 1, "1 token"}, {"fr", 2, "2 tokens"}, {"en", 0, "0 tokens"}, {"en", 1, "1 token"}, {"en", 3, "3 tokens"}} {
		for _, k := range []string{"support.n_tokens", "token.cli.n_tokens"} {
			if got := assets.T(c.lang, k, map[string]any{"N": c.n}); got != c.want {
				t.Errorf("%s %s %d: %q, want %q", k, c.lang, c.n, got, c.want)
			}
		}
	}
}

// The diagnostics on "À propos" wrap between words at 800 px (they were cut
// mid-word: "li/nux", "[D/EMO]").
func TestDiagnosticsWrapByWord(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.win.Resize(fyne.NewSize(800, 600))
	h.app.show(screenAbout)
	rep := h.app.diagnostics()
	found := false
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if l, ok := o.(*widget.Label); ok && l.Text == rep {
			found = true
			if l.Wrapping != fyne.TextWrapWord {
				t.Fatalf("diagnostics wrap %v, want by word", l.Wrapping)
			}
		}
	}
	if !found {
		t.Fatal("no diagnostics label on À propos")
	}
}

// One vocabulary for the three codes (docs/glossary.md): no "code PIN de
// déverrouillage" (the welcome e-mail's words) nor "code de déblocage",
// which a customer could take for the admin code or the PIN.
func TestOneVocabularyForTheCodes(t *testing.T) {
	cat, err := assets.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range cat["en"] {
		if strings.Contains(strings.ToLower(v), "unlock pin") {
			t.Errorf("%s: “unlock PIN” in %q (the glossary says “unlock code”)", k, v)
		}
	}
	for k, v := range cat["fr"] {
		l := strings.ToLower(v)
		for _, bad := range []string{"pin de déverrouillage", "code de déblocage"} {
			if strings.Contains(l, bad) {
				t.Errorf("%s: %q in %q", k, bad, v)
			}
		}
	}
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenGuide)
	mustShow(t, h.win, "Le site affiche alors votre code de déverrouillage")
}

// The English guide's intro reads as English ("does here everything that can
// be done here" said "here" twice).
func TestEnglishGuideIntro(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "en")
	h.app.show(screenGuide)
	mustShow(t, h.win, "The app does for you everything that can be done here")
	if shows(h.win, "does here") {
		t.Fatal("old wording")
	}
}

// French texts use one apostrophe (’): the verify and PDF messages mixed in
// straight ones ("l'application", "d'abord") beside the window's ’.
func TestFrenchOneApostrophe(t *testing.T) {
	cat, err := assets.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	straight := regexp.MustCompile(`\pL'\pL`)
	for k, v := range cat["fr"] {
		if straight.MatchString(v) {
			t.Errorf("%s: straight apostrophe in %q", k, v)
		}
	}
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenVerify)
	mustShow(t, h.win, "l’application dit qui l’a signé")
}

// No screen needs more than 800 px of width, in French or English, with the
// real window's theme: the verify screen's four badges in one row made the
// window 838 px wide at 800×600.
func TestEveryScreenFitsIn800(t *testing.T) {
	tok := softhsm(t)
	t.Setenv("HOME", t.TempDir())
	for _, lang := range []string{"fr", "en"} {
		h := start(t, tok, lang)
		fyne.CurrentApp().Settings().SetTheme(NewTheme())
		h.win.Resize(fyne.NewSize(800, 600))
		for _, s := range []string{screenGuide, screenDriver, screenToken, screenPIN, screenSign, screenVerify, screenBrowsers, screenAbout} {
			h.app.show(s)
			if s == screenVerify {
				verifyFile(t, h, corpus("byte-flip.pdf"))
				if v := h.app.verifyView(); v.check == nil || len(v.check.Signatures) == 0 {
					t.Fatalf("no verification shown: %+v", v)
				}
			}
			if w := h.win.Content().MinSize().Width; w > 800 {
				t.Errorf("%s (%s) needs %.0f px of width", s, lang, w)
			}
		}
	}
}

// OpenSC alone (no token): the Driver screen says what the guide says (a
// generic driver, not Certigna's, what to do), not a green "Pilote chargé"
// alone; a module that sees the token keeps "Pilote chargé".
func TestDriverScreenSaysGenericLikeTheGuide(t *testing.T) {
	opensc := libGlob("opensc-pkcs11.so")
	if opensc == "" {
		testtoken.Missing(t, "opensc-pkcs11.so (Debian opensc-pkcs11) not installed")
	}
	t.Setenv("OPENSC_CONF", "/dev/null")
	h := startModule(t, nil, opensc, "fr", nil)
	h.app.show(screenDriver)
	mustShow(t, h.win, "Pilote générique chargé : pas celui de Certigna")
	mustShow(t, h.win, "OpenSC, un pilote générique, est installé ; le pilote de Certigna n’a pas été trouvé")
	if shows(h.win, "Pilote chargé") {
		t.Fatalf("a green “Pilote chargé” for OpenSC alone:\n%s", strings.Join(texts(h.win), "\n"))
	}
	// "Mon token" waits for a token, and says the generic driver may not see it
	h.app.show(screenToken)
	mustShow(t, h.win, "Branchez votre token")
	mustShow(t, h.win, "Le seul pilote trouvé, OpenSC, est générique et ne le reconnaît peut-être pas")
	tok := softhsm(t)
	h2 := start(t, tok, "fr")
	h2.app.show(screenDriver)
	mustShow(t, h2.win, "Pilote chargé")
	if shows(h2.win, "Pilote générique") {
		t.Fatal("generic warning with a module that sees the token")
	}
}

// The verify screen's details never end with Go's English x509 error
// ("x509: certificate signed by unknown authority"): the trust answer says
// it in words.
func TestVerifyDetailsNoGoError(t *testing.T) {
	tok := softhsm(t)
	for _, lang := range []string{"fr", "en"} {
		h := start(t, tok, lang)
		verifyFile(t, h, corpus("approval-then-content.pdf"))
		mustShow(t, h.win, map[string]string{"fr": "Signataire : non reconnu par cet ordinateur", "en": "Signer: not recognised by this computer"}[lang])
		for _, s := range texts(h.win) {
			if strings.Contains(s, "x509:") || strings.Contains(s, "unknown authority") {
				t.Fatalf("%s: raw Go error %q", lang, s)
			}
		}
	}
}

// The certificate's "expires soon" badge counts days in words with the
// plural helper ("Expire dans 29 jours", "Expires in 29 days"), not "29 j".
func TestExpiresSoonInDays(t *testing.T) {
	tok := softhsm(t) // the test CA lives 30 days
	for lang, re := range map[string]*regexp.Regexp{"fr": regexp.MustCompile(`^Expire dans (1 jour|\d+ jours)$`), "en": regexp.MustCompile(`^Expires in (1 day|\d+ days)$`)} {
		h := start(t, tok, lang)
		h.app.show(screenToken)
		found := false
		for _, s := range texts(h.win) {
			if strings.HasPrefix(s, "Expire") {
				found = true
				if !re.MatchString(s) {
					t.Errorf("%s: %q", lang, s)
				}
			}
		}
		if !found {
			t.Fatalf("%s: no expiry badge:\n%s", lang, strings.Join(texts(h.win), "\n"))
		}
	}
	for lang, want := range map[string][3]string{"fr": {"Expire dans 0 jour", "Expire dans 1 jour", "Expire dans 2 jours"}, "en": {"Expires in 0 days", "Expires in 1 day", "Expires in 2 days"}} {
		for n, w := range want {
			if got := plural(lang, "ui.cert.expires_in", n); got != w {
				t.Errorf("%s %d: %q, want %q", lang, n, got, w)
			}
		}
	}
}

// A damaged PDF is refused in French words only: the parser's English
// detail ("no startxref") stays in the English text the support report
// logs, not in the French message beside the document.
func TestDamagedPDFInFrenchWords(t *testing.T) {
	tok := softhsm(t)
	p := filepath.Join(t.TempDir(), "tronqué.pdf")
	if err := os.WriteFile(p, []byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := start(t, tok, "fr")
	h.app.show(screenSign)
	v := h.app.signView()
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(p)})
	h.settle()
	if !strings.Contains(v.docStatus.Text, "est un PDF endommagé : sa structure est illisible. Ouvrez-le") || strings.Contains(v.docStatus.Text, "startxref") {
		t.Fatalf("refusal %q", v.docStatus.Text)
	}
	if !v.submit.Disabled() {
		t.Fatal("Signer enabled for a damaged PDF")
	}
	if en := assets.T("en", "pdf.err.damaged", map[string]any{"Path": "x", "Err": "no startxref"}); !strings.Contains(en, "(no startxref)") {
		t.Fatalf("the English text lost the detail: %q", en)
	}
}
