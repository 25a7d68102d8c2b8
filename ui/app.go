// Package ui is the guided desktop window: Fyne screens over the token and the
// PDF signer, reached through the small interfaces of services.go.
//
// Threading: every token or PDF operation runs in a goroutine started by
// (*App).background; its result reaches the widgets through fyne.Do. Widgets
// are only touched on the UI goroutine.
package ui

import (
	"bytes"
	"context"
	"encoding/hex"
	"image/color"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/assets"
)

// Screen names (also accepted by Options.StartScreen).
const (
	ScreenGuide     = "guide"
	ScreenDriver    = "driver"
	ScreenToken     = "token"
	ScreenPIN       = "pin"
	ScreenBlocked   = "blocked"
	ScreenSign      = "sign"
	ScreenAbout     = "about"
	certignaSite    = "https://www.certigna.com"
	certignaSupport = "https://www.certigna.com/support/"
)

// Options configure the window.
type Options struct {
	Lang        string // "fr" or "en"
	Tokens      TokenService
	Signer      Signer
	Store       *Store
	Version     string
	StartScreen string
	// DocumentsDir receives the sample document (default: ~/Documents when it
	// exists, else the temp dir).
	DocumentsDir string
	WatchEvery   time.Duration // default 1 s
	// OpenURL opens a web page or a file; default the app's OpenURL.
	OpenURL func(*url.URL) error
	// RunOnUI runs a background result on the UI goroutine; default fyne.Do.
	// Tests queue them and run them on the test goroutine (Fyne's test
	// driver would run them inline, on the background goroutine).
	RunOnUI func(func())
	// Secrets is where the TSA password is kept; default the OS keychain.
	Secrets Secrets
}

// App is the running window.
type App struct {
	fyne fyne.App
	win  fyne.Window
	opt  Options
	lang string
	ops  *OpLog

	wg          sync.WaitGroup
	uiMu        sync.Mutex // serialises applied results (fyne.Do is inline in test drivers)
	refreshGen  atomic.Uint64
	pending     atomic.Int32
	appliedGen  uint64
	watchCancel context.CancelFunc

	// what the app knows now; written on the UI goroutine only
	module    ModuleStatus
	tokens    []TokenInfo
	tokenErr  error
	selected  string // serial of the token shown (selMu: the watch reads it)
	selMu     sync.Mutex
	certs     []CertInfo
	certsErr  error
	certPick  []byte // ID of the signing certificate chosen (nil: the first)…
	pickFor   string // …on the token with this serial (IDs repeat across tokens)
	stampPage string // visible-stamp choice of the sign screen (StampNone…)
	stampCorn string
	loaded    bool // first refresh done
	searching bool // first discovery running

	screen  string
	body    *fyne.Container
	scroll  *container.Scroll
	header  *fyne.Container
	nav     *fyne.Container
	navBtns map[string]*widget.Button

	pin  *PINForm
	unb  *UnblockForm
	sign *SignView
	// chooser is the path field of the open PDF dialog (tests type in it)
	chooser *widget.Entry
	verify  *VerifyView // screen_verify.go
}

// New builds the window content in w; call Start to begin watching tokens.
func New(fa fyne.App, w fyne.Window, opt Options) *App {
	if opt.Lang == "" {
		opt.Lang = "fr"
	}
	if opt.Store == nil {
		opt.Store = OpenStore("")
	}
	if opt.WatchEvery == 0 {
		opt.WatchEvery = time.Second
	}
	if opt.OpenURL == nil {
		opt.OpenURL = fa.OpenURL
	}
	if opt.RunOnUI == nil {
		opt.RunOnUI = fyne.Do
	}
	if opt.Secrets == nil {
		opt.Secrets = keychain{}
	}
	a := &App{fyne: fa, win: w, opt: opt, lang: opt.Lang, ops: NewOpLog(50)}
	a.module = opt.Tokens.Module()
	a.screen = ScreenGuide
	if opt.StartScreen != "" {
		a.screen = opt.StartScreen
	}
	a.rebuild()
	w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { a.HandleDrop(uris) })
	return a
}

// Start runs the first discovery in the background (the window is already
// up), then loads the token state and watches for hot-plug.
func (a *App) Start() {
	a.searching = true
	a.Show(a.screen) // the spinner and "looking for the driver" at once
	svc := a.opt.Tokens
	a.background(func() {
		st := svc.Init()
		a.do(func() {
			a.searching = false
			a.module = st
			a.ops.Add("start", st.Path)
			if a.screen != ScreenPIN && a.screen != ScreenBlocked {
				a.Show(a.screen) // what depends on the driver (demo hints…); typed text is kept
			}
			a.restartWatch()
			a.Refresh()
		})
	})
}

// Stop ends the watch and waits (a few seconds at most: a token that hangs
// must not keep the app from quitting) for running operations.
func (a *App) Stop() {
	if a.watchCancel != nil {
		a.watchCancel()
	}
	done := make(chan struct{})
	go func() {
		a.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}

// Busy says whether background operations are running (tests).
func (a *App) Busy() bool { return a.pending.Load() > 0 }

// Lang is the language shown.
func (a *App) Lang() string { return a.lang }

// Screen is the screen shown.
func (a *App) Screen() string { return a.screen }

// Ops is the log of recent operations.
func (a *App) Ops() *OpLog { return a.ops }

func (a *App) t(key string, data ...map[string]any) string { return assets.T(a.lang, key, data...) }

// n is the one plural helper (Plural): key+".one" or key+".other" for count, with
// .N set. French uses the singular for 0 and 1 ("0 étape", "1 étape"),
// English only for 1.
func (a *App) n(key string, count int, data ...map[string]any) string {
	return Plural(a.lang, key, count, data...)
}

func Plural(lang, key string, count int, data ...map[string]any) string {
	d := map[string]any{"N": count}
	for _, m := range data {
		for k, v := range m {
			d[k] = v
		}
	}
	form := ".other"
	if count == 1 || (lang != "en" && count == 0) {
		form = ".one"
	}
	return assets.T(lang, key+form, d)
}

// background runs fn off the UI goroutine.
func (a *App) background(fn func()) {
	a.wg.Add(1)
	a.pending.Add(1)
	go func() {
		defer a.wg.Done()
		defer a.pending.Add(-1)
		fn()
	}()
}

// do applies a background result on the UI goroutine.
func (a *App) do(fn func()) {
	a.opt.RunOnUI(func() {
		a.uiMu.Lock()
		defer a.uiMu.Unlock()
		fn()
	})
}

func (a *App) restartWatch() {
	if a.watchCancel != nil {
		a.watchCancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.watchCancel = cancel
	ch := a.opt.Tokens.Watch(ctx, a.opt.WatchEvery)
	if ch == nil {
		return
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-ch:
				if !ok {
					a.ops.Add("watch_end", "")
					return
				}
				a.ops.Add("token_"+string(ev.Kind), ev.Token.Label)
				a.Refresh()
			}
		}
	}()
}

// Refresh reads modules, tokens and certificates in the background and
// updates the screens.
func (a *App) Refresh() {
	svc := a.opt.Tokens
	a.selMu.Lock()
	selected := a.selected
	a.selMu.Unlock()
	gen := a.refreshGen.Add(1)
	a.background(func() {
		mod := svc.Module()
		var toks []TokenInfo
		var terr, cerr error
		var certs []CertInfo
		if mod.Loaded {
			toks, terr = svc.Tokens()
			if cur := pickToken(toks, selected); cur != nil {
				certs, cerr = svc.Certificates(cur.Slot)
			}
		}
		a.do(func() {
			if gen < a.appliedGen {
				return // a later refresh already applied newer facts
			}
			a.appliedGen = gen
			for i := range toks {
				// honest badge: the code the token came with is "to be
				// changed" until the personal PIN is set here or ticked done
				if toks[i].PIN == PINOK && !a.opt.Store.IsDone(toks[i].Serial, StepPINSet) {
					toks[i].PIN = PINToBeChanged
				}
			}
			a.module, a.tokens, a.tokenErr, a.certs, a.certsErr = mod, toks, terr, certs, cerr
			if cur := pickToken(toks, selected); cur != nil {
				a.setSelected(cur.Serial)
			}
			a.loaded = true
			a.stateChanged()
		})
	})
}

func pickToken(toks []TokenInfo, serial string) *TokenInfo {
	for i := range toks {
		if toks[i].Serial == serial {
			return &toks[i]
		}
	}
	if len(toks) > 0 {
		return &toks[0]
	}
	return nil
}

func (a *App) setSelected(serial string) {
	a.selMu.Lock()
	a.selected = serial
	a.selMu.Unlock()
}

// Current is the token shown, nil when none is inserted.
func (a *App) Current() *TokenInfo {
	t := pickToken(a.tokens, a.selected)
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// signingCerts are the certificates with a private key, in a stable order
// (the token's own order may change between two reads): those meant for
// signatures (non-repudiation) first, then by label and ID.
func (a *App) signingCerts() []*CertInfo {
	var out []*CertInfo
	for i := range a.certs {
		if a.certs[i].HasPrivateKey {
			out = append(out, &a.certs[i])
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		ni, nj := hasUsage(out[i], "non_repudiation"), hasUsage(out[j], "non_repudiation")
		if ni != nj {
			return ni
		}
		if out[i].Label != out[j].Label {
			return out[i].Label < out[j].Label
		}
		return bytes.Compare(out[i].ID, out[j].ID) < 0
	})
	return out
}

func hasUsage(c *CertInfo, u string) bool {
	for _, x := range c.KeyUsage {
		if x == u {
			return true
		}
	}
	return false
}

// signingCert is the certificate chosen on the sign screen, else the one
// last used on this token, else the first of signingCerts.
func (a *App) signingCert() *CertInfo {
	cs := a.signingCerts()
	t := a.Current()
	if t != nil && t.Serial == a.pickFor && a.certPick != nil {
		for _, c := range cs {
			if bytes.Equal(c.ID, a.certPick) {
				return c
			}
		}
	}
	if t != nil {
		if last := a.opt.Store.Settings().LastCert[t.Serial]; last != "" {
			for _, c := range cs {
				if hex.EncodeToString(c.ID) == last {
					return c
				}
			}
		}
	}
	if len(cs) == 0 {
		return nil
	}
	return cs[0]
}

// rememberCert keeps the certificate just used for the token (its ID, never
// a code).
func (a *App) rememberCert(serial string, id []byte) {
	s := a.opt.Store.Settings()
	m := map[string]string{} // a copy: Settings shares its map
	for k, v := range s.LastCert {
		m[k] = v
	}
	m[serial] = hex.EncodeToString(id)
	s.LastCert = m
	_ = a.opt.Store.SetSettings(s)
}

func (a *App) facts() GuideFacts {
	return GuideFacts{DriverLoaded: a.module.Loaded, DriverVendor: a.module.Loaded && genericModule(a.module) == "", Token: a.Current()}
}

// genericModule names the generic PKCS#11 module loaded ("" for a token
// maker's middleware): these load without knowing Certigna's token.
func genericModule(m ModuleStatus) string {
	s := strings.ToLower(m.Path + " " + m.Manufacturer + " " + m.Description)
	for _, g := range []struct{ key, name string }{
		{"opensc", "OpenSC"}, {"p11-kit", "p11-kit"}, {"softhsm", "SoftHSM"},
		{"opencryptoki", "openCryptoki"}, {"tpm2", "tpm2-pkcs11"},
	} {
		if strings.Contains(s, g.key) {
			return g.name
		}
	}
	return ""
}

// stateChanged redraws what depends on the token without losing what the
// person is typing: forms only update their status lines.
func (a *App) stateChanged() {
	a.updateHeader()
	a.updateNav()
	switch a.screen {
	case ScreenPIN:
		if t := a.Current(); t != nil && t.PIN == PINLocked && !a.pinBusy() {
			a.Show(ScreenBlocked)
			return
		}
		if a.pin != nil {
			a.pin.tokenChanged()
			return
		}
	case ScreenBlocked:
		if a.unb != nil {
			a.unb.tokenChanged()
			return
		}
	case ScreenSign:
		if a.sign != nil {
			a.sign.tokenChanged()
			return
		}
	}
	a.Show(a.screen)
}

func (a *App) pinBusy() bool { return a.pin != nil && a.pin.busy }

// SetLang switches the language and rebuilds every screen.
func (a *App) SetLang(lang string) {
	lang = assets.NormalizeLang(lang)
	if lang == a.lang {
		return
	}
	a.lang = lang
	s := a.opt.Store.Settings()
	s.Lang = lang
	_ = a.opt.Store.SetSettings(s)
	a.pin, a.unb, a.sign = nil, nil, nil
	a.rebuild()
}

func (a *App) rebuild() {
	a.win.SetTitle(a.t("ui.window_title"))
	a.header = container.NewVBox()
	a.nav = container.NewVBox()
	a.body = container.NewStack()
	a.updateHeader()
	a.buildNav()
	split := container.NewBorder(nil, nil, container.NewPadded(a.nav), nil, a.body)
	a.win.SetContent(container.NewBorder(a.header, nil, nil, nil, split))
	a.Show(a.screen)
}

func (a *App) updateHeader() {
	if a.header == nil {
		return
	}
	title := canvas.NewText(a.t("ui.app_name"), theme.Color(theme.ColorNamePrimary))
	title.TextSize = theme.TextSize() * 1.6
	title.TextStyle.Bold = true
	sub := widget.NewLabel(a.t("ui.tagline"))
	langSel := widget.NewSelect([]string{"Français", "English"}, nil)
	if a.lang == "en" {
		langSel.SetSelected("English")
	} else {
		langSel.SetSelected("Français")
	}
	langSel.OnChanged = func(s string) {
		if s == "English" {
			a.SetLang("en")
		} else {
			a.SetLang("fr")
		}
	}
	right := []fyne.CanvasObject{}
	if a.module.Demo {
		right = append(right, badge(a.t("ui.demo_badge"), theme.ColorNameError))
	}
	right = append(right, langSel)
	row := container.NewBorder(nil, nil, container.NewHBox(appIcon(), title, sub), container.NewHBox(right...))
	a.header.Objects = []fyne.CanvasObject{container.NewPadded(row), widget.NewSeparator()}
	if a.module.Demo {
		a.header.Objects = append(a.header.Objects, bannerBox(a.t("ui.demo_banner"), theme.ColorNameWarning))
	}
	a.header.Refresh()
}

var navOrder = []string{ScreenGuide, ScreenDriver, ScreenToken, ScreenPIN, ScreenSign, ScreenVerify, ScreenBrowsers, ScreenAbout}

func (a *App) buildNav() {
	a.navBtns = map[string]*widget.Button{}
	objs := []fyne.CanvasObject{}
	icons := map[string]fyne.Resource{
		ScreenGuide: theme.ListIcon(), ScreenDriver: theme.SettingsIcon(), ScreenToken: theme.StorageIcon(),
		ScreenPIN: theme.AccountIcon(), ScreenSign: theme.DocumentCreateIcon(), ScreenAbout: theme.InfoIcon(),
		ScreenBrowsers: theme.MailComposeIcon(),
		ScreenVerify:   theme.SearchIcon(),
	}
	for _, s := range navOrder {
		s := s
		b := widget.NewButtonWithIcon(a.t("ui.nav."+s), icons[s], func() { a.Show(s) })
		b.Alignment = widget.ButtonAlignLeading
		a.navBtns[s] = b
		objs = append(objs, b)
	}
	a.nav.Objects = objs
	a.updateNav()
}

func (a *App) updateNav() {
	for s, b := range a.navBtns {
		cur := a.screen == s || (s == ScreenPIN && a.screen == ScreenBlocked)
		if cur {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.LowImportance
		}
		b.Refresh()
	}
}

// Show switches to a screen.
func (a *App) Show(name string) {
	if name == ScreenPIN {
		if t := a.Current(); t != nil && t.PIN == PINLocked {
			name = ScreenBlocked
		}
	}
	if name != ScreenPIN {
		a.pin = nil
	}
	if name != ScreenBlocked {
		a.unb = nil
	}
	if name != ScreenSign {
		a.sign = nil
	}
	a.screen = name
	var content fyne.CanvasObject
	var focus fyne.Focusable
	switch name {
	case ScreenDriver:
		content = a.driverScreen()
	case ScreenToken:
		content = a.tokenScreen()
	case ScreenPIN:
		if a.pin == nil {
			a.pin = newPINForm(a)
		}
		content, focus = a.pin.build(), a.pin.Current
	case ScreenBlocked:
		if a.unb == nil {
			a.unb = newUnblockForm(a)
		}
		content = a.unb.build()
		if a.unb.usable() && a.unb.revealed {
			focus = a.unb.Admin
		}
	case ScreenSign:
		if a.sign == nil {
			a.sign = newSignView(a)
		}
		content = a.sign.build()
		if a.sign.PIN != nil && !a.sign.PIN.Disabled() {
			focus = a.sign.PIN
		}
	case ScreenVerify:
		content = a.verifyScreen()
	case ScreenAbout:
		content = a.aboutScreen()
	case ScreenBrowsers:
		content = a.browsersScreen()
	default:
		a.screen = ScreenGuide
		content = a.guideScreen()
	}
	a.scroll = container.NewVScroll(container.NewPadded(content))
	a.body.Objects = []fyne.CanvasObject{a.scroll}
	a.body.Refresh()
	// a form's labels take their look from their fields once on screen
	if a.pin != nil && a.pin.fields != nil {
		a.pin.fields.Refresh()
	}
	if a.unb != nil && a.unb.fields != nil {
		a.unb.fields.Refresh()
	}
	a.updateNav()
	if focus != nil {
		a.win.Canvas().Focus(focus)
	}
}

// relayout lays the screen out again after a line changed height (a badge
// that grew makes a wrapped label take two lines).
func (a *App) relayout() {
	if a.body != nil {
		a.body.Refresh()
	}
}

// openURL opens a web page; when the computer cannot (no browser set up),
// the address is shown to copy instead of the system's error.
func (a *App) openURL(raw string) {
	u, err := url.Parse(raw)
	if err == nil {
		err = a.opt.OpenURL(u)
	}
	if err != nil {
		a.ops.Add("open_failed", err.Error())
		a.showCopy(a.t("ui.open_failed.url"), raw)
	}
}

// openPath opens a local file or folder, or shows its path to copy.
func (a *App) openPath(p string) {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	sp := filepath.ToSlash(p)
	if !strings.HasPrefix(sp, "/") {
		sp = "/" + sp // C:/… → file:///C:/…
	}
	u := &url.URL{Scheme: "file", Path: sp}
	if err := a.opt.OpenURL(u); err != nil {
		a.ops.Add("open_failed", err.Error())
		a.showCopy(a.t("ui.open_failed.path"), p)
	}
}

// showCopy says what could not be opened and offers it to copy.
func (a *App) showCopy(text, value string) {
	e := widget.NewEntry()
	e.SetText(value)
	copyBtn := widget.NewButtonWithIcon(a.t("ui.copy"), theme.ContentCopyIcon(), func() {
		a.fyne.Clipboard().SetContent(value)
	})
	d := newDialog(a.t("ui.open_failed.title"), a.t("ui.ok"), container.NewVBox(para(text), container.NewBorder(nil, nil, nil, copyBtn, e)), a.win)
	d.Show()
}

func (a *App) showError(err error) {
	a.showInfo(a.t("ui.error_title"), Message(err, a.lang))
}

func (a *App) showInfo(title, text string) {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	d := newDialog(title, a.t("ui.ok"), l, a.win)
	d.Show()
}

// documentsDir is where the sample document goes.
func (a *App) documentsDir() string {
	if a.opt.DocumentsDir != "" {
		return a.opt.DocumentsDir
	}
	if h, err := os.UserHomeDir(); err == nil {
		for _, n := range []string{"Documents", "Mes documents"} {
			d := filepath.Join(h, n)
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				return d
			}
		}
	}
	return os.TempDir()
}

// ---- small visual helpers ----

func title(text string) fyne.CanvasObject {
	t := canvas.NewText(text, theme.Color(theme.ColorNameForeground))
	t.TextSize = theme.TextSize() * 1.5
	t.TextStyle.Bold = true
	return t
}

func para(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func bold(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle.Bold = true
	l.Wrapping = fyne.TextWrapWord
	return l
}

// badge is a coloured pill with bold text.
func badge(text string, c fyne.ThemeColorName) fyne.CanvasObject {
	col := theme.Color(c)
	r, g, b, _ := col.RGBA()
	bg := canvas.NewRectangle(color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x40})
	bg.CornerRadius = theme.InputRadiusSize() * 2
	bg.StrokeColor = col
	bg.StrokeWidth = 1
	t := canvas.NewText(text, col)
	t.TextStyle.Bold = true
	return container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(4, 4, 10, 10), t))
}

// bannerBox is a full-width tinted strip with wrapped text.
func bannerBox(text string, c fyne.ThemeColorName) fyne.CanvasObject {
	col := theme.Color(c)
	r, g, b, _ := col.RGBA()
	bg := canvas.NewRectangle(color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x30})
	bg.CornerRadius = theme.InputRadiusSize()
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.TextStyle.Bold = true
	return container.NewStack(bg, l)
}

func pinBadge(a *App, s PINState) fyne.CanvasObject {
	switch s {
	case PINOK:
		return badge(a.t("ui.pin_state.ok"), theme.ColorNameSuccess)
	case PINToBeChanged:
		return badge(a.t("ui.pin_state.to_be_changed"), theme.ColorNameWarning)
	case PINCountLow:
		return badge(a.t("ui.pin_state.count_low"), theme.ColorNameWarning)
	case PINFinalTry:
		return badge(a.t("ui.pin_state.final_try"), theme.ColorNameError)
	case PINLocked:
		return badge(a.t("ui.pin_state.locked"), theme.ColorNameError)
	}
	return badge(a.t("ui.pin_state.not_initialized"), theme.ColorNameWarning)
}

func pinStateText(a *App, s PINState) string {
	if s == "" {
		s = PINNotInitialized
	}
	return a.t("ui.pin_state." + string(s))
}

func fmtDate(lang string, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if lang == "en" {
		return t.Local().Format("2 Jan 2006")
	}
	return t.Local().Format("02/01/2006")
}

func fmtTime(lang string, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if lang == "en" {
		return t.Local().Format("2 Jan 2006 15:04:05")
	}
	return t.Local().Format("02/01/2006 à 15:04:05")
}

func kv(k, v string) []fyne.CanvasObject {
	kl := widget.NewLabel(k)
	kl.TextStyle.Bold = true
	vl := widget.NewLabel(v)
	vl.Wrapping = fyne.TextWrapWord
	vl.Selectable = true
	return []fyne.CanvasObject{kl, vl}
}

func form(rows ...[]fyne.CanvasObject) fyne.CanvasObject {
	objs := []fyne.CanvasObject{}
	for _, r := range rows {
		objs = append(objs, r...)
	}
	return container.New(layout.NewFormLayout(), objs...)
}

// wheelToPage sits over a text field and hands the mouse wheel to the page:
// a field's own (horizontal) scroller would otherwise swallow it and the
// page would not move while the pointer is over a field.
type wheelToPage struct {
	widget.BaseWidget
	a *App
}

func (w *wheelToPage) Scrolled(ev *fyne.ScrollEvent) {
	if w.a.scroll != nil {
		w.a.scroll.Scrolled(ev)
	}
}

func (w *wheelToPage) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

func (w *wheelToPage) MinSize() fyne.Size { return fyne.Size{} }

// wheel wraps a text field so the wheel scrolls the page over it.
func (a *App) wheel(e fyne.CanvasObject) fyne.CanvasObject {
	w := &wheelToPage{a: a}
	w.ExtendBaseWidget(w)
	return container.NewStack(e, w)
}
