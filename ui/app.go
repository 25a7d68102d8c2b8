// Package ui is the guided desktop window: Fyne screens over the token and the
// PDF signer, reached through the small interfaces of services.go.
//
// Threading: every token or PDF operation runs in a goroutine started by
// (*App).background; its result reaches the widgets through fyne.Do. Widgets
// are only touched on the UI goroutine.
package ui

import (
	"context"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
)

// Screen names (also accepted by Options.StartScreen).
const (
	screenGuide     = "guide"
	screenDriver    = "driver"
	screenToken     = "token"
	screenPIN       = "pin"
	screenBlocked   = "blocked"
	screenSign      = "sign"
	screenAbout     = "about"
	certignaSite    = "https://www.certigna.com"
	certignaSupport = "https://www.certigna.com/support/"
)

// Options configure the window.
type Options struct {
	Lang        string // "fr" or "en"
	Tokens      TokenService
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
	// Pages renders the sign screen's page preview (nil: no preview).
	Pages PageSource
	// UpdateCheck: the app has a release-manifest check built in (the About
	// screen then offers to turn it off; notices.go).
	UpdateCheck bool
	// Files asks for files and folders; default the system's dialogs
	// (systemFileChoosers), then Fyne's translated one (files.go).
	Files FileChooser
}

// App is the running window.
type App struct {
	fyne fyne.App
	win  fyne.Window
	opt  Options
	docs *actions.Documents // the PDF side of the session
	lang string
	ops  *oplog

	wg          sync.WaitGroup
	uiMu        sync.Mutex // serialises applied results (fyne.Do is inline in test drivers)
	refreshGen  atomic.Uint64
	pending     atomic.Int32
	appliedGen  uint64
	watchCancel context.CancelFunc

	// what the app knows now; written on the UI goroutine only
	module    actions.ModuleStatus
	tokens    []actions.TokenInfo
	tokenErr  error
	selected  string // serial of the token shown (selMu: the watch reads it)
	selMu     sync.Mutex
	certs     []actions.CertInfo
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
	navBtns map[string]*button
	// dialogs open, the top one last: Enter and Escape go to it (dialogs.go)
	dialogs []*keyDialog
	// refocus: the control of the rebuilt screen that gets the focus back
	// (a guide tick ticked with the keyboard); refocusStep names its step
	refocus     fyne.Focusable
	refocusStep stepID
	focusQuit   chan struct{} // ends followFocus
	// textRing outlines a selectable text that has the keyboard focus
	// (Fyne draws nothing there: Tab seemed to vanish); in the page
	textRing   *canvas.Rectangle
	sampleFile string // the sample document written by this run (used again)

	pin  *pinForm
	unb  *unblockForm
	sign *signView
	// chooser is the path field of the open PDF dialog (tests type in it)
	chooser *input
	verify  *verifyView // screen_verify.go
	notice  noticeState // notices.go
	// fileCancel closes the system file dialog open (nil: none; files.go)
	fileCancel context.CancelFunc
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
	if opt.Files == nil {
		opt.Files = systemFileChoosers()
	}
	fyneLang(opt.Lang)
	a := &App{fyne: fa, win: w, opt: opt, lang: opt.Lang, ops: newOpLog(50), docs: actions.NewDocuments()}
	a.module = opt.Tokens.Module()
	a.screen = screenGuide
	if opt.StartScreen != "" {
		a.screen = opt.StartScreen
	}
	focusHook = a.scrollIntoView
	a.rebuild()
	w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { a.handleDrop(uris) })
	return a
}

// Start runs the first discovery in the background (the window is already
// up), then loads the token state and watches for hot-plug.
func (a *App) Start() {
	a.searching = true
	a.show(a.screen) // the spinner and "looking for the driver" at once
	svc := a.opt.Tokens
	a.background(func() {
		st := svc.Init()
		a.do(func() {
			a.searching = false
			a.module = st
			a.ops.Add("start", st.Path)
			if a.screen != screenPIN && a.screen != screenBlocked {
				a.show(a.screen) // what depends on the driver (demo hints…); typed text is kept
			}
			a.restartWatch()
			a.refresh()
		})
	})
	a.followFocus()
}

// followFocus scrolls the page to whatever control gets the keyboard focus,
// Fyne's own included (a selectable text, a folded section's header), which
// the window's controls' hook (focusHook) does not see. Checked a few
// times a second on the UI goroutine; stops with Stop.
func (a *App) followFocus() {
	quit := make(chan struct{})
	a.focusQuit = quit
	go func() {
		t := time.NewTicker(150 * time.Millisecond)
		defer t.Stop()
		var last fyne.Focusable
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				a.opt.RunOnUI(func() {
					f := a.win.Canvas().Focused()
					a.outlineText(f) // every tick: the text may have moved
					if f == last {
						return
					}
					last = f
					if o, ok := f.(fyne.CanvasObject); ok {
						a.scrollIntoView(o)
					}
				})
			}
		}
	}()
}

// Stop ends the watch and waits (a few seconds at most: a token that hangs
// must not keep the app from quitting) for running operations.
func (a *App) Stop() {
	a.cancelFile()
	if a.focusQuit != nil {
		close(a.focusQuit)
		a.focusQuit = nil
	}
	if a.watchCancel != nil {
		a.watchCancel()
	}
	if a.sign != nil && a.sign.preview != nil {
		a.sign.preview.stop()
		defer a.sign.preview.release() // the renderer's instance, after the work in flight
	}
	if a.verify != nil && a.verify.preview != nil {
		a.verify.preview.stop()
		defer a.verify.preview.release()
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

// busy says whether background operations are running (tests).
func (a *App) busy() bool { return a.pending.Load() > 0 }

// language is the language shown.
func (a *App) language() string { return a.lang }

// shown is the screen shown.
func (a *App) shown() string { return a.screen }

// opLog is the log of recent operations.
func (a *App) opLog() *oplog { return a.ops }

func (a *App) t(key string, data ...map[string]any) string { return assets.T(a.lang, key, data...) }

// n is the one plural helper (Plural): key+".one" or key+".other" for count, with
// .N set. French uses the singular for 0 and 1 ("0 étape", "1 étape"),
// English only for 1.
func (a *App) n(key string, count int, data ...map[string]any) string {
	return plural(a.lang, key, count, data...)
}

// plural is assets.N (the window and the CLI share it).
func plural(lang, key string, count int, data ...map[string]any) string {
	return assets.N(lang, key, count, data...)
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
				a.refresh()
			}
		}
	}()
}

// refresh reads modules, tokens and certificates in the background and
// updates the screens.
func (a *App) refresh() {
	svc := a.opt.Tokens
	a.selMu.Lock()
	selected := a.selected
	a.selMu.Unlock()
	gen := a.refreshGen.Add(1)
	a.background(func() {
		mod := svc.Module()
		var toks []actions.TokenInfo
		var terr, cerr error
		var certs []actions.CertInfo
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
				if toks[i].PIN == actions.PINOK && !a.opt.Store.IsDone(toks[i].Serial, stepPINSet) {
					toks[i].PIN = actions.PINToBeChanged
				}
			}
			a.module, a.tokens, a.tokenErr, a.certs, a.certsErr = mod, toks, terr, certs, cerr
			if cur := pickToken(toks, selected); cur != nil {
				a.setSelected(cur.Serial)
				if cerr == nil {
					a.rememberCerts(cur.Serial, certs) // renewal reminders (notices.go)
				}
			}
			a.loaded = true
			a.stateChanged()
		})
	})
}

// ---- small visual helpers ----
