package ui

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"image/png"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
	_ "github.com/certigna-desktop/app/internal/localefix"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/token"
)

// counting is the real token service with a count of the calls that reach
// the token with a code (not a double: every call goes to the real token).
type counting struct {
	TokenService
	codeCalls atomic.Int32
}

func (c *counting) ChangePIN(slot uint, cur, nw, conf string, final bool) error {
	c.codeCalls.Add(1)
	return c.TokenService.ChangePIN(slot, cur, nw, conf, final)
}

func (c *counting) Unblock(slot uint, admin, nw, conf string, final bool) error {
	c.codeCalls.Add(1)
	return c.TokenService.Unblock(slot, admin, nw, conf, final)
}

func (c *counting) OpenKey(slot uint, id []byte, pin string, final bool) (actions.Key, error) {
	c.codeCalls.Add(1)
	return c.TokenService.OpenKey(slot, id, pin, final)
}

type harness struct {
	app    *App
	win    fyne.Window
	svc    *counting
	store  *Store
	tok    *testtoken.Token
	docs   string
	mu     sync.Mutex
	opened []string
	// failOpen, when set, is what opening a page or file answers (a
	// computer without xdg-open)
	failOpen error
	qmu      sync.Mutex
	queue    []func()
}

// runOnUI queues a background result; drain runs the queue on the test
// goroutine, which plays the UI goroutine.
func (h *harness) runOnUI(fn func()) {
	h.qmu.Lock()
	h.queue = append(h.queue, fn)
	h.qmu.Unlock()
}

func (h *harness) drain() int {
	h.qmu.Lock()
	q := h.queue
	h.queue = nil
	h.qmu.Unlock()
	for _, fn := range q {
		fn()
	}
	return len(q)
}

// settle runs background results until no operation is left.
func (h *harness) settle() {
	for {
		busy := h.app.busy()
		if n := h.drain(); n == 0 {
			if !busy {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
}

// start opens the window over tok's module, in lang, without the hot-plug
// watch (tests that need it call Start).
func start(t *testing.T, tok *testtoken.Token, lang string) *harness {
	t.Helper()
	return startWith(t, tok, lang, nil)
}

// startWith wraps the real service (for the few states no real token here
// can produce).
func startWith(t *testing.T, tok *testtoken.Token, lang string, wrap func(TokenService) TokenService) *harness {
	t.Helper()
	return startModule(t, tok, tok.ModulePath, lang, wrap)
}

// startModule opens the window over the module at path (tok's own, or a
// module in front of it such as OpenSC's pkcs11-spy); tok may be nil.
func startModule(t *testing.T, tok *testtoken.Token, path, lang string, wrap func(TokenService) TokenService) *harness {
	t.Helper()
	return startFull(t, tok, path, lang, wrap, nil)
}

// startStore opens a second window over tok with an existing store (a new
// run of the app).
func startStore(t *testing.T, tok *testtoken.Token, store *Store) *harness {
	t.Helper()
	return startFull(t, tok, tok.ModulePath, "fr", nil, store)
}

func startFull(t *testing.T, tok *testtoken.Token, path, lang string, wrap func(TokenService) TokenService, store *Store) *harness {
	t.Helper()
	t.Setenv("LANG", map[string]string{"fr": "fr_FR.UTF-8", "en": "en_GB.UTF-8"}[lang])
	m, err := token.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	test.NewTempApp(t)
	if os.Getenv("CERTIGNA_UI_SHOTS") != "" {
		fyne.CurrentApp().Settings().SetTheme(NewTheme())
	}
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1000, 800))
	var real TokenService = actions.TokensOf(m)
	if wrap != nil {
		real = wrap(real)
	}
	h := &harness{win: w, svc: &counting{TokenService: real}, tok: tok, docs: t.TempDir()}
	h.store = store
	if h.store == nil {
		h.store = OpenStore(filepath.Join(t.TempDir(), "certigna-desktop", "state.json"))
	}
	opts := Options{
		Lang: lang, Tokens: h.svc, Store: h.store, Version: "test",
		DocumentsDir: h.docs, WatchEvery: 200 * time.Millisecond, RunOnUI: h.runOnUI,
		OpenURL: func(u *url.URL) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.opened = append(h.opened, u.String())
			return h.failOpen
		},
		// no system file dialog: the same window on every machine (files_test.go
		// asks the system's)
		Files: FileChoosers{},
	}
	if withOptions != nil {
		withOptions(&opts)
	}
	h.app = New(fyne.CurrentApp(), w, opts)
	t.Cleanup(h.app.Stop)
	h.app.refresh()
	h.settle()
	return h
}

// withOptions, when set by a test, adds to the window's options (e.g. the
// page preview's source).
var withOptions func(*Options)

func softhsm(t *testing.T) *testtoken.Token {
	t.Helper()
	tok := testtoken.NewSoftHSM(t, testtoken.WithLabel("Jeton Tests UI"))
	tok.Setenv(t)
	return tok
}

// texts is every text visible in the window's widgets, one per entry.
func texts(w fyne.Window) []string {
	var out []string
	for _, o := range test.LaidOutObjects(w.Content()) {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		case *button:
			out = append(out, x.Text)
		case *widget.Check:
			out = append(out, x.Text)
		case *check:
			out = append(out, x.Text)
		case *widget.Card:
			out = append(out, x.Title)
		case *canvas.Text:
			out = append(out, x.Text)
		}
	}
	return out
}

// visibleTexts are the texts of the objects actually shown (a folded
// accordion's content is laid out but hidden).
func visibleTexts(w fyne.Window) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		case *button:
			out = append(out, x.Text)
		case *widget.Check:
			out = append(out, x.Text)
		case *check:
			out = append(out, x.Text)
		case *widget.Card:
			out = append(out, x.Title)
		case *canvas.Text:
			out = append(out, x.Text)
		case *widget.Entry:
			out = append(out, x.PlaceHolder)
		case *input:
			out = append(out, x.PlaceHolder)
		case *widget.Select:
			out = append(out, x.Selected)
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(w.Content())
	return out
}

// overlayTexts are the texts of the dialog on top, if any.
func overlayTexts(w fyne.Window) []string {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	var out []string
	for _, o := range test.LaidOutObjects(top) {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		case *button:
			out = append(out, x.Text)
		case *widget.Entry:
			out = append(out, x.Text, x.PlaceHolder)
		case *input:
			out = append(out, x.Text, x.PlaceHolder)
		case *canvas.Text:
			out = append(out, x.Text)
		}
	}
	return out
}

func shows(w fyne.Window, s string) bool {
	for _, x := range texts(w) {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

func mustShow(t *testing.T, w fyne.Window, s string) {
	t.Helper()
	if !shows(w, s) {
		t.Fatalf("window does not show %q; it shows:\n%s", s, strings.Join(texts(w), "\n"))
	}
}

func pinState(t *testing.T, h *harness) actions.PINState {
	t.Helper()
	ts, err := h.svc.Tokens()
	if err != nil || len(ts) == 0 {
		t.Fatalf("tokens: %v %v", ts, err)
	}
	return ts[0].PIN
}

func TestTokenScreenShowsLabelAndHolder(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenToken)
	mustShow(t, h.win, "Jeton Tests UI")
	mustShow(t, h.win, testtoken.Holder)
	// the PIN the token came with is "to be changed" until the personal
	// PIN is set (here or ticked done in the guide)
	mustShow(t, h.win, "À changer")
	if shows(h.win, "Prêt") {
		t.Fatal("a new token shows “Prêt” before its PIN was set")
	}
	if err := h.store.SetDone(h.app.current().Serial, stepPINSet, true); err != nil {
		t.Fatal(err)
	}
	h.app.refresh()
	h.settle()
	h.app.show(screenToken)
	mustShow(t, h.win, "Prêt")
	// the test CA lives 30 days: the certificate is flagged as expiring soon
	mustShow(t, h.win, "Expire dans")
	if h.svc.codeCalls.Load() != 0 {
		t.Fatal("showing the token sent a code to it")
	}
}

// The form refuses a mismatch and a too-short PIN before anything reaches the
// token: no ChangePIN call (counted on the real service) and the token's PIN
// state unchanged (a wrong code would set COUNT_LOW on SoftHSM2).
func TestPINFormRefusesMismatchAndShortPINWithoutTouchingToken(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenPIN)
	f := h.app.pinForm()
	if f == nil {
		t.Fatal("no PIN form")
	}
	if h.win.Canvas().Focused() != f.current {
		t.Fatal("focus is not on the first field")
	}
	// Tab goes through the fields in reading order
	for _, want := range []*input{f.newPIN, f.confirm} {
		test.FocusNext(h.win.Canvas())
		if h.win.Canvas().Focused() != want {
			t.Fatalf("Tab order: focus on %T %p", h.win.Canvas().Focused(), h.win.Canvas().Focused())
		}
	}
	h.win.Canvas().Focus(f.current)
	mustShow(t, h.win, "au moins 4 caractères") // the token's length rule
	test.Type(f.current, "0000")                // a wrong code: it must never be tried
	test.Type(f.newPIN, "567890")
	test.Type(f.confirm, "567891")
	test.Tap(f.submit)
	h.settle()
	if want := (&token.Error{Kind: token.KindPINMismatch}).Message("fr"); f.status.Text != want {
		t.Fatalf("status %q, want %q", f.status.Text, want)
	}
	f.newPIN.SetText("12")
	f.confirm.SetText("12")
	f.confirm.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter submits
	h.settle()
	if !strings.Contains(f.status.Text, "4") || f.status.Text == "" {
		t.Fatalf("short PIN status %q", f.status.Text)
	}
	var te *token.Error
	_ = te
	if n := h.svc.codeCalls.Load(); n != 0 {
		t.Fatalf("%d calls reached the token", n)
	}
	if s := pinState(t, h); s != actions.PINOK {
		t.Fatalf("PIN state changed to %s", s)
	}
	// and the real PIN still works from an independent client
	if out, err := tok.TryTool("--login", "--pin", tok.PIN, "--list-objects"); err != nil {
		t.Fatalf("PIN no longer works: %v\n%s", err, out)
	}
}

func TestPINChangeThenOldPINFails(t *testing.T) {
	testtoken.Need(t, "pkcs11-tool")
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenPIN)
	f := h.app.pinForm()
	const newPIN = "97531864"
	test.Type(f.current, tok.PIN)
	// Enter on an incomplete form moves to the next empty field
	f.current.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if h.win.Canvas().Focused() != f.newPIN {
		t.Fatal("Enter did not move to the new PIN field")
	}
	test.Type(f.newPIN, newPIN)
	test.Type(f.confirm, newPIN)
	f.confirm.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	if !f.succeeded {
		t.Fatalf("PIN change failed: %q", f.status.Text)
	}
	if n := h.svc.codeCalls.Load(); n != 1 {
		t.Fatalf("%d token calls for one click", n)
	}
	mustShow(t, h.win, "votre code PIN personnel est enregistré")
	mustShow(t, h.win, "Faire une signature de test") // the next step
	if f.current.Text != "" || f.newPIN.Text != "" || f.confirm.Text != "" {
		t.Fatal("codes left in the form")
	}
	serial := h.app.current().Serial
	if !h.store.IsDone(serial, stepPINSet) {
		t.Fatal("guide step not recorded")
	}
	if out, err := tok.TryTool("--login", "--pin", tok.PIN, "--list-objects"); err == nil {
		t.Fatalf("old PIN still accepted:\n%s", out)
	}
	if out, err := tok.TryTool("--login", "--pin", newPIN, "--list-objects"); err != nil {
		t.Fatalf("new PIN refused: %v\n%s", err, out)
	}
	// the state file never holds a code
	b, err := os.ReadFile(h.store.Path())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(newPIN)) || bytes.Contains(b, []byte(tok.PIN)) {
		t.Fatalf("state file holds a PIN:\n%s", b)
	}
	// the about panel's "copy the report for support" puts the recent operations on the
	// clipboard, without any code
	h.app.show(screenAbout)
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if b, ok := asButton(o); ok && b.Text == "Copier le rapport pour le support" {
			test.Tap(b)
		}
	}
	clip := fyne.CurrentApp().Clipboard().Content()
	if !strings.Contains(clip, "changement du code PIN  réussi") || !strings.Contains(clip, "Jeton Tests UI") {
		t.Fatalf("clipboard:\n%s", clip)
	}
	if strings.Contains(clip, newPIN) || strings.Contains(clip, tok.PIN) {
		t.Fatal("diagnostics hold a PIN")
	}
}

func TestDropPDFProducesSignedFileThatPdfsigAccepts(t *testing.T) {
	testtoken.Need(t, "pdfsig")
	tok := softhsm(t)
	h := start(t, tok, "fr")
	in := filepath.Join(t.TempDir(), "contrat à signer.pdf")
	var buf bytes.Buffer
	if err := pdfsign.SamplePDF(&buf, "fr"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	before := sha256.Sum256(buf.Bytes())

	h.app.show(screenGuide)
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(in)})
	v := h.app.signView()
	if h.app.shown() != screenSign || v == nil || v.inputPath != in {
		t.Fatalf("drop did not select the PDF (screen %s)", h.app.shown())
	}
	h.settle() // the document's pre-PIN check
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.output == "" || v.verification == nil {
		t.Fatalf("no signed output: %q", v.status.Text)
	}
	if !v.verification.Valid || v.verification.Holder != testtoken.Holder {
		t.Fatalf("verification %+v", v.verification)
	}
	if filepath.Dir(v.output) != filepath.Dir(in) || !strings.HasSuffix(v.output, "contrat à signer-signé.pdf") {
		t.Fatalf("output %s", v.output)
	}
	out, _ := exec.Command("pdfsig", v.output).CombinedOutput()
	if !strings.Contains(string(out), "Signature is Valid") {
		t.Fatalf("pdfsig:\n%s", out)
	}
	after, err := os.ReadFile(in)
	if err != nil || sha256.Sum256(after) != before {
		t.Fatal("the input PDF was changed")
	}
	mustShow(t, h.win, "Signature valide")
	mustShow(t, h.win, v.output)
	if !h.store.IsDone(h.app.current().Serial, stepTestSignature) {
		t.Fatal("guide step not recorded")
	}
	// open file / open folder go through OpenURL with file URIs
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if b, ok := asButton(o); ok && (b.Text == "Ouvrir le fichier signé" || b.Text == "Ouvrir le dossier") {
			test.Tap(b)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.opened) != 2 || !strings.HasPrefix(h.opened[0], "file://") {
		t.Fatalf("opened %v", h.opened)
	}
}

// A drop of something else is refused with a message, nothing is signed.
func TestDropNonPDFIsRefused(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "en")
	txt := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(txt, []byte("x"), 0o644)
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(txt)})
	if v := h.app.signView(); v == nil || v.inputPath != "" {
		t.Fatal("a text file was selected")
	}
	mustShow(t, h.win, "This file is not a PDF")
}

func TestLanguageSwitchChangesVisibleTexts(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	mustShow(t, h.win, "Votre installation, étape par étape")
	mustShow(t, h.win, "Mon token")
	var sel *widget.Select
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if s, ok := o.(*widget.Select); ok && s.Selected == "Français" {
			sel = s
		}
	}
	if sel == nil {
		t.Fatal("no language switch")
	}
	sel.SetSelected("English")
	if h.app.language() != "en" {
		t.Fatal("language not switched")
	}
	mustShow(t, h.win, "Your set-up, step by step")
	mustShow(t, h.win, "My token")
	if shows(h.win, "Votre installation") {
		t.Fatal("French title still shown")
	}
	if h.store.Settings().Lang != "en" {
		t.Fatal("language choice not remembered")
	}
	// every screen, in both languages: no untranslated key on screen
	for _, lang := range []string{"en", "fr"} {
		h.app.setLang(lang)
		for _, s := range []string{screenGuide, screenDriver, screenToken, screenPIN, screenSign, screenAbout} {
			h.app.show(s)
			for _, x := range texts(h.win) {
				if strings.HasPrefix(x, "ui.") {
					t.Fatalf("%s/%s shows the key %q", lang, s, x)
				}
			}
		}
	}
}

// Every ui.* key exists in French and English.
func TestTranslationsComplete(t *testing.T) {
	cat, err := assets.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for k := range cat["fr"] {
		if strings.HasPrefix(k, "ui.") {
			n++
			if cat["en"][k] == "" {
				t.Errorf("%s: no English", k)
			}
		}
	}
	for k := range cat["en"] {
		if strings.HasPrefix(k, "ui.") && cat["fr"][k] == "" {
			t.Errorf("%s: no French", k)
		}
	}
	if n < 100 {
		t.Fatalf("only %d ui keys", n)
	}
}

// The token screen follows the token live: pulled out, it says so; plugged
// back, it shows the token again (the watch re-reads SoftHSM2's slots).
func TestTokenScreenFollowsHotPlug(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenToken)
	h.app.Start()
	h.settle() // the first discovery (instant here) ends the "searching" line
	mustShow(t, h.win, "Jeton Tests UI")
	eventually := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			h.drain()
			if ok() {
				break
			}
			if time.Now().After(deadline) {
				cur, shown := h.app.current(), texts(h.win)
				t.Fatalf("timed out waiting for %s; screen %s, token %+v, ops:\n%s\nwindow shows:\n%s", what, h.app.shown(), cur, h.app.opLog(), strings.Join(shown, "\n"))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	eventually("the watch's first poll", func() bool { return strings.Contains(h.app.opLog().String(), "token_inserted") })
	tok.Unplug(t)
	// wait for the watch's own event, not only for a refresh that happened to
	// read the slots after the unplug (else a quick re-plug is never seen)
	eventually("the token to disappear", func() bool {
		return strings.Contains(h.app.opLog().String(), "token_removed") && h.app.current() == nil && shows(h.win, "Branchez votre token")
	})
	tok.Plug(t)
	eventually("the token to come back", func() bool { return h.app.current() != nil && shows(h.win, "Jeton Tests UI") })
}

// A wrong unlock code costs exactly one try (one click, no retry) and the form
// then says what the token reports.
func TestWrongUnlockCodeShowsWhatTokenSays(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenPIN)
	f := h.app.pinForm()
	test.Type(f.current, "000000")
	test.Type(f.newPIN, "24681357")
	test.Type(f.confirm, "24681357")
	test.Tap(f.submit)
	h.settle()
	if f.succeeded || h.svc.codeCalls.Load() != 1 {
		t.Fatalf("succeeded %v, %d calls", f.succeeded, h.svc.codeCalls.Load())
	}
	// one sentence: refused, the tries the token reports, what happens at zero
	if want := (&actions.WrongCodeError{State: actions.PINCountLow}).Message("fr"); f.status.Text != want {
		t.Fatalf("status %q, want %q", f.status.Text, want)
	}
	if !strings.Contains(f.status.Text, "peu d’essais") || strings.Count(f.status.Text, ".") != 1 || strings.Contains(f.status.Text, "\n") {
		t.Fatalf("not one sentence with the tries: %q", f.status.Text)
	}
	if f.current.Text != "" || f.submit.Disabled() {
		t.Fatal("the wrong code stays in the form, or the form stays disabled")
	}
	if h.win.Canvas().Focused() != f.current {
		t.Fatal("focus not back on the unlock code")
	}
	// the old PIN still works: nothing was changed
	if out, err := tok.TryTool("--login", "--pin", tok.PIN, "--list-objects"); err != nil {
		t.Fatalf("PIN refused: %v\n%s", err, out)
	}
}

// toBeChanged reports the PIN as to be changed. A test double, only for the
// state: SoftHSM2 and opencryptoki never set CKF_USER_PIN_TO_BE_CHANGED for a
// usable PIN. Every call still goes to the real token.
type toBeChanged struct{ TokenService }

func (d toBeChanged) Tokens() ([]actions.TokenInfo, error) {
	ts, err := d.TokenService.Tokens()
	for i := range ts {
		ts[i].PIN = actions.PINToBeChanged
	}
	return ts, err
}

func TestPINToBeChangedBadgeAndAdvice(t *testing.T) {
	tok := softhsm(t)
	h := startWith(t, tok, "fr", func(s TokenService) TokenService { return toBeChanged{s} })
	h.app.show(screenToken)
	mustShow(t, h.win, "À changer")
	mustShow(t, h.win, "doit être remplacé par votre code PIN personnel")
	h.app.show(screenGuide)
	mustShow(t, h.win, "Choisir votre code PIN personnel")
}

// pullOut unplugs the token when the signature starts: the signature fails
// and the screen says the token was pulled out and the input is unchanged.
type pullOut struct {
	TokenService
	t   *testing.T
	tok *testtoken.Token
}

type pulledKey struct {
	actions.Key
	p pullOut
}

func (p pullOut) OpenKey(slot uint, id []byte, pin string, final bool) (actions.Key, error) {
	k, err := p.TokenService.OpenKey(slot, id, pin, final)
	if err != nil {
		return nil, err
	}
	return pulledKey{k, p}, nil
}

func (k pulledKey) Sign(r io.Reader, digest []byte, o crypto.SignerOpts) ([]byte, error) {
	k.p.tok.Unplug(k.p.t)
	return k.Key.Sign(r, digest, o)
}

func TestTokenPulledMidSignature(t *testing.T) {
	tok := softhsm(t)
	h := startWith(t, tok, "fr", func(s TokenService) TokenService { return pullOut{s, t, tok} })
	h.app.show(screenSign)
	v := h.app.signView()
	v.sampleNow()
	h.settle()
	if v.inputPath == "" {
		t.Fatalf("no sample: %q", v.status.Text)
	}
	in, _ := os.ReadFile(v.inputPath)
	h.settle() // the document's pre-PIN check
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	t.Logf("status: %s", v.status.Text)
	if v.output != "" {
		t.Fatalf("signed although the token was pulled out: %s", v.output)
	}
	if !strings.Contains(v.status.Text, "débranché pendant la signature") {
		t.Fatalf("status %q", v.status.Text)
	}
	after, _ := os.ReadFile(v.inputPath)
	if !bytes.Equal(in, after) {
		t.Fatal("input changed")
	}
	if v.pin.Disabled() {
		t.Fatal("the form stays disabled")
	}
	// no token now: "Signer" waits for it, and says so
	if !v.submit.Disabled() || !shows(h.win, "Branchez votre token") {
		t.Fatal("the button is enabled while the token is out")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(v.inputPath), "*signé*")); len(left) != 0 {
		t.Fatalf("partial output left: %v", left)
	}
}

// snapshot writes the window to $CERTIGNA_UI_SHOTS/name when that is set: the
// screens the demo token cannot reach (a blocked PIN) get a picture too.
func snapshot(t *testing.T, h *harness, name string) {
	t.Helper()
	dir := os.Getenv("CERTIGNA_UI_SHOTS")
	if dir == "" {
		return
	}
	h.win.Resize(fyne.NewSize(1024, 740))
	img := h.win.Canvas().Capture()
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}
