package ui

import (
	"context"
	"io"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/token"
)

var (
	// raw system or programming text that must never reach a person
	rawText = regexp.MustCompile(`exec: |executable file not found|no such file or directory|permission denied|panic|goroutine |<nil>|%!|\{\{|^ui\.[a-z_]+\.`)
	// the command line's option names
	flagName = regexp.MustCompile(`(^|[\s(«“"])--[a-z]`)
	// discovery's tags shown raw
	rawTag = regexp.MustCompile(`\((known|flag|env|saved|p11-kit|demo)\)`)
	// "1 étapes", "0 étapes" (French singular for 0 and 1); "1 steps"
	pluralFR = regexp.MustCompile(`(^|[^0-9,./])[01] [\p{L}’]+s\b`)
	pluralEN = regexp.MustCompile(`(^|[^0-9,./])1 [\p{L}’]+s\b`)
	// English words a French window must not show (the about screen's
	// diagnostics are support's, in English on purpose, and not scanned)
	englishFR = regexp.MustCompile(`\b(Cancel|Open File|Choose|Save|Error|failed|known|flag|not found|Unknown)\b`)
)

func checkShown(t *testing.T, lang, where string, shown []string) {
	t.Helper()
	for _, x := range shown {
		switch {
		case rawText.MatchString(x):
			t.Errorf("%s/%s: raw text %q", lang, where, x)
		case flagName.MatchString(x):
			t.Errorf("%s/%s: option name %q", lang, where, x)
		case rawTag.MatchString(x):
			t.Errorf("%s/%s: raw tag %q", lang, where, x)
		case lang == "fr" && pluralFR.MatchString(x), lang == "en" && pluralEN.MatchString(x):
			t.Errorf("%s/%s: plural mistake %q", lang, where, x)
		case lang == "fr" && where != screenAbout && englishFR.MatchString(x):
			t.Errorf("%s/%s: English in the French window %q", lang, where, x)
		case strings.Contains(x, "Tampon visible : Invisible"):
			t.Errorf("%s/%s: %q", lang, where, x)
		}
	}
}

// Item 10: every text of every screen, in French and English, and every
// ui.* translation, is free of raw error text, option names, discovery tags,
// untranslated keys and singular/plural mistakes.
func TestNoRawTextOnAnyScreen(t *testing.T) {
	tok := softhsm(t)
	h := startWith(t, tok, "fr", func(s TokenService) TokenService { return candidates{s} })
	for _, lang := range []string{"fr", "en"} {
		h.app.setLang(lang)
		for _, s := range []string{screenGuide, screenDriver, screenToken, screenPIN, screenSign, screenAbout} {
			h.app.show(s)
			if s == screenSign {
				v := h.app.signView()
				v.optionsBox.Open(0)
				v.sampleNow()
				h.settle()
			}
			if s == screenDriver {
				for _, o := range test.LaidOutObjects(h.win.Content()) {
					if acc, ok := o.(*widget.Accordion); ok {
						acc.OpenAll() // the places tried, with their tags in words
					}
				}
				mustShow(t, h.win, map[string]string{"fr": "emplacement habituel", "en": "usual place"}[lang])
			}
			shown := append(texts(h.win), visibleTexts(h.win)...)
			if s == screenAbout {
				// the support report is for Certigna's support, who needs
				// the technical names ("--module"): only keys are checked
				for _, x := range shown {
					if strings.HasPrefix(x, "ui.") || strings.Contains(x, "{{") {
						t.Errorf("%s/about: untranslated %q", lang, x)
					}
				}
				continue
			}
			checkShown(t, lang, s, shown)
		}
		// the window's own refusals and the messages shared with the CLI
		for _, k := range []string{"token.err.module_not_found", "token.err.final_try", "token.err.final_try.so", "ltv.err.tsa_unreachable", "ltv.err.rev_offline", "ltv.err.tsa_auth"} {
			msg := message(catalogErr{k}, lang)
			checkShown(t, lang, k, []string{msg})
			if strings.Contains(msg, "CERTIGNA_TSA") {
				t.Errorf("%s %s: environment variable names in the window: %q", lang, k, msg)
			}
		}
	}
	cat, err := assets.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"fr", "en"} {
		for k, v := range cat[lang] {
			if !strings.HasPrefix(k, "ui.") {
				continue
			}
			if flagName.MatchString(v) || strings.Contains(v, "exec:") || strings.Contains(v, "CKR_") {
				t.Errorf("%s %s: %q", lang, k, v)
			}
			// a count followed by a plural noun belongs in a .one/.other pair
			if regexp.MustCompile(`\{\{\.(N|Days|Done|Count)\}\} [\p{L}]+s\b`).MatchString(v) && !strings.HasSuffix(k, ".other") {
				t.Errorf("%s %s: a count with a fixed plural, use the plural helper: %q", lang, k, v)
			}
			if strings.HasSuffix(k, ".one") {
				base := strings.TrimSuffix(k, ".one")
				if cat[lang][base+".other"] == "" {
					t.Errorf("%s %s: no .other", lang, k)
				}
				for _, n := range []int{0, 1, 2} {
					checkShown(t, lang, k, []string{plural(lang, base, n, map[string]any{"Total": 7})})
				}
			}
		}
	}
	if got := plural("fr", "ui.guide.progress", 1, map[string]any{"Total": 7}); got != "1 étape terminée sur 7" {
		t.Fatalf("plural: %q", got)
	}
	if got := plural("fr", "ui.guide.progress", 0, map[string]any{"Total": 7}); got != "0 étape terminée sur 7" {
		t.Fatalf("plural: %q", got)
	}
}

// candidates adds discovery's candidates to the module status as the real
// discovery reports them (the fixture opens its module directly).
type candidates struct{ TokenService }

func (c candidates) Module() actions.ModuleStatus {
	m := c.TokenService.Module()
	m.Candidates = append(m.Candidates,
		actions.Candidate{Path: "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so", Source: "known", Status: "failed", Reason: catalogErr{"token.err.module_not_found"}},
		actions.Candidate{Path: "/opt/x/lib.so", Source: "env", Status: "not_found"})
	return m
}

// catalogErr is an error whose text is a catalog entry, as the token's and
// the signer's errors are.
type catalogErr struct{ key string }

func (e catalogErr) Error() string { return e.key }
func (e catalogErr) Message(lang string) string {
	return assets.T(lang, e.key, map[string]any{"Reason": "x", "URL": "https://tsa.example", "Detail": "timeout"})
}

// slowService is discovery that takes its time (a vendor library loading on
// a busy machine): a double, because no real module here is slow on
// demand. It counts the calls that would touch a token.
type slowService struct {
	TokenService
	release chan struct{}
	calls   atomic.Int32
}

func (s *slowService) Init() actions.ModuleStatus { <-s.release; return s.TokenService.Init() }
func (s *slowService) Tokens() ([]actions.TokenInfo, error) {
	s.calls.Add(1)
	return s.TokenService.Tokens()
}
func (s *slowService) Certificates(slot uint) ([]actions.CertInfo, error) {
	s.calls.Add(1)
	return s.TokenService.Certificates(slot)
}
func (s *slowService) Watch(ctx context.Context, d time.Duration) <-chan actions.TokenEvent {
	return nil
}

// Item 12: the window's first content does not wait for discovery or the
// token: New and Start return at once and the guide shows, with the
// "looking for the driver" line, while discovery is still running.
func TestFirstFrameDoesNotWaitForDiscovery(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr") // only for the real service underneath
	slow := &slowService{TokenService: actions.TokensOf(mustOpen(t, tok.ModulePath)), release: make(chan struct{})}
	defer close(slow.release)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 740))
	began := time.Now()
	a := New(fyne.CurrentApp(), w, Options{Lang: "fr", Tokens: slow, Store: h.store,
		DocumentsDir: t.TempDir(), RunOnUI: h.runOnUI, OpenURL: nil})
	a.Start()
	if d := time.Since(began); d > 2*time.Second {
		t.Fatalf("New+Start took %v", d) // not a speed target: a wait on discovery would block forever
	}
	mustShow(t, w, "Votre installation, étape par étape")
	mustShow(t, w, "Recherche du pilote")
	if n := slow.calls.Load(); n != 0 {
		t.Fatalf("%d token calls before the first frame", n)
	}
	var bar bool
	for _, o := range test.LaidOutObjects(w.Content()) {
		if _, ok := o.(*widget.ProgressBarInfinite); ok {
			bar = true
		}
	}
	if !bar {
		t.Fatal("no spinner while discovery runs")
	}
}

var _ = io.EOF

func mustOpen(t *testing.T, path string) *token.Module {
	t.Helper()
	m, err := token.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// firstLevel are the technical terms no French first-level text may show
// (finding 9): said in words there, named only behind "Détails" (an
// accordion's content), where they are explained. Exceptions, on purpose:
// the About screen (the support report is for Certigna's support) and the
// file names the Driver screen shows (a path is what it is).
var firstLevel = regexp.MustCompile(`(?i)non-répudiation|PKCS ?#?1[1]?\b|middleware|nssdb|\.pki|\bRSA\b|ECDSA|PAdES|RFC ?3161|\bOCSP\b|\bCRL\b|\bLCR\b|\bB-(B|T|LT|LTA)\b|X\.?509|SHA-?(1|256|384|512)\b|\b(CN|OU|O|C|DC)=`)

// firstLevelTexts are the texts of o a person sees without opening
// anything: an accordion gives its titles only.
func firstLevelTexts(o fyne.CanvasObject) []string {
	switch x := o.(type) {
	case nil:
		return nil
	case *widget.Accordion:
		var out []string
		for _, it := range x.Items {
			out = append(out, it.Title)
		}
		return out
	case *widget.Label:
		return []string{x.Text}
	case *button:
		return []string{x.Text}
	case *widget.Button:
		return []string{x.Text}
	case *widget.Check:
		return []string{x.Text}
	case *check:
		return []string{x.Text}
	case *widget.Select:
		return append([]string{x.Selected, x.PlaceHolder}, x.Options...)
	case *widget.RadioGroup:
		return x.Options
	case *canvas.Text:
		return []string{x.Text}
	case *widget.Card:
		return append([]string{x.Title, x.Subtitle}, firstLevelTexts(x.Content)...)
	case *fyne.Container:
		var out []string
		for _, c := range x.Objects {
			out = append(out, firstLevelTexts(c)...)
		}
		return out
	case fyne.Widget:
		var out []string
		for _, c := range test.WidgetRenderer(x).Objects() {
			out = append(out, firstLevelTexts(c)...)
		}
		return out
	}
	return nil
}

// Finding 9: no technical term on the first level of any French screen
// (guide, driver, token, PIN, sign, verify with results, browsers); the
// rule catches what it is for.
func TestNoJargonOnFirstScreens(t *testing.T) {
	for _, s := range []string{"non-répudiation", "module PKCS#11", "(middleware)", "~/.pki/nssdb", "RSA", "ECDSA", "PAdES B-T", "PKCS#1", "CN=Jean,O=X,C=FR", "RFC 3161"} {
		if !firstLevel.MatchString(s) {
			t.Errorf("the rule misses %q", s)
		}
	}
	for _, s := range []string{"Certificat de signature", "Vérifier", "signature numérique", "Pilote du token"} {
		if firstLevel.MatchString(s) {
			t.Errorf("the rule catches words %q", s)
		}
	}
	h := start(t, softhsm(t), "fr") // an RSA and an EC signing certificate
	// data shown as it is: the test certificates' holders, the corpus's
	// file names, SoftHSM's own description of itself
	data := strings.NewReplacer("Corpus RSA", "", "Corpus EC", "", "Implementation of PKCS11", "")
	check := func(where string) {
		t.Helper()
		for _, x := range firstLevelTexts(h.win.Content()) {
			if strings.HasSuffix(x, ".pdf") && !strings.Contains(x, " ") {
				continue
			}
			if m := firstLevel.FindString(data.Replace(x)); m != "" {
				t.Errorf("%s: %q on the first level: %q", where, m, x)
			}
		}
	}
	for _, s := range []string{screenGuide, screenDriver, screenToken, screenPIN, screenSign, screenBrowsers} {
		h.app.show(s)
		h.settle()
		check(s)
	}
	for _, f := range []string{"approval.pdf", "b-lt.pdf", "approval-then-content.pdf", "alg-ecdsa-oid-with-rsa-key.pdf"} {
		verifyFile(t, h, corpus(f))
		check("verify " + f)
	}
}

// Fyne draws a LowImportance label in its disabled grey, below the 4.5:1
// the theme's text colours keep (TestThemeTextContrast): no text the
// window shows, folded sections included, is drawn that way — on every
// screen, and on the sign screen with a document and its preview.
func TestNoTextInDisabledGrey(t *testing.T) {
	h := start(t, softhsm(t), "fr")
	check := func(where string) {
		t.Helper()
		for _, x := range greyTexts(h.win.Content()) {
			t.Errorf("%s: %q in the disabled grey", where, x)
		}
	}
	for _, s := range []string{screenGuide, screenDriver, screenToken, screenPIN, screenSign, screenBrowsers, screenVerify} {
		h.app.show(s)
		h.settle()
		check(s)
	}
	sampleInput(t, h)
	h.settle()
	check("sign, with a document")
	// the walk sees what it must: a grey label is caught
	grey := widget.NewLabel("x")
	grey.Importance = widget.LowImportance
	if len(greyTexts(container.NewVBox(widget.NewAccordion(widget.NewAccordionItem("t", grey))))) != 1 {
		t.Error("the walk misses a grey label in a folded section")
	}
}

// greyTexts lists the non-empty labels drawn in the disabled grey under o,
// folded accordion items included.
func greyTexts(o fyne.CanvasObject) []string {
	var out []string
	switch x := o.(type) {
	case nil:
	case *widget.Label:
		if x.Importance == widget.LowImportance && strings.TrimSpace(x.Text) != "" {
			out = append(out, x.Text)
		}
	case *widget.Accordion:
		for _, it := range x.Items {
			out = append(out, greyTexts(it.Detail)...)
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			out = append(out, greyTexts(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			out = append(out, greyTexts(c)...)
		}
	}
	return out
}
