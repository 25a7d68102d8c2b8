package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
)

// Navigation: the header, the screen list and switching screens, the
// language switch that rebuilds them.

// setLang switches the language and rebuilds every screen.
func (a *App) setLang(lang string) {
	lang = assets.NormalizeLang(lang)
	if lang == a.lang {
		return
	}
	a.lang = lang
	fyneLang(lang)
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
	// keys no control took: Enter and Escape for the dialog on top
	a.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) { a.dialogKey(ev) })
	a.show(a.screen)
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
			a.setLang("en")
		} else {
			a.setLang("fr")
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
	a.header.Objects = append(a.header.Objects, a.notices()...) // notices.go
	a.header.Refresh()
}

var navOrder = []string{screenGuide, screenDriver, screenToken, screenPIN, screenSign, screenVerify, screenBrowsers, screenAbout}

func (a *App) buildNav() {
	a.navBtns = map[string]*button{}
	objs := []fyne.CanvasObject{}
	icons := map[string]fyne.Resource{
		screenGuide: theme.ListIcon(), screenDriver: theme.SettingsIcon(), screenToken: theme.StorageIcon(),
		screenPIN: theme.AccountIcon(), screenSign: theme.DocumentCreateIcon(), screenAbout: theme.InfoIcon(),
		screenBrowsers: theme.MailComposeIcon(),
		screenVerify:   theme.SearchIcon(),
	}
	for _, s := range navOrder {
		s := s
		b := newIconButton(a.t("ui.nav."+s), icons[s], func() { a.show(s) })
		b.Alignment = widget.ButtonAlignLeading
		a.navBtns[s] = b
		objs = append(objs, b)
	}
	a.nav.Objects = objs
	a.updateNav()
}

func (a *App) updateNav() {
	for s, b := range a.navBtns {
		cur := a.screen == s || (s == screenPIN && a.screen == screenBlocked)
		if cur {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.LowImportance
		}
		b.Refresh()
	}
}

// show switches to a screen.
func (a *App) show(name string) {
	if name == screenPIN {
		if t := a.current(); t != nil && t.PIN == actions.PINLocked {
			name = screenBlocked
		}
	}
	if name != screenPIN {
		a.pin = nil
	}
	if name != screenBlocked {
		a.unb = nil
	}
	if name != screenSign {
		if a.sign != nil && a.sign.preview != nil {
			a.sign.preview.close() // frees the renderer's copy of the document
		}
		a.sign = nil
	}
	if name != screenVerify && a.verify != nil && a.verify.preview != nil {
		a.verify.preview.load("") // frees the renderer's copy of the document
	}
	// the same screen again (a refresh, a tick): the page stays where it was
	var keep *fyne.Position
	if a.screen == name && a.scroll != nil {
		off := a.scroll.Offset
		keep = &off
	}
	a.refocus = nil
	a.screen = name
	var content fyne.CanvasObject
	var focus fyne.Focusable
	switch name {
	case screenDriver:
		content = a.driverScreen()
	case screenToken:
		content = a.tokenScreen()
	case screenPIN:
		if a.pin == nil {
			a.pin = newPINForm(a)
		}
		content, focus = a.pin.build(), a.pin.current
	case screenBlocked:
		if a.unb == nil {
			a.unb = newUnblockForm(a)
		}
		content = a.unb.build()
		if a.unb.usable() && a.unb.revealed {
			focus = a.unb.admin
		}
	case screenSign:
		if a.sign == nil {
			a.sign = newSignView(a)
		}
		content = a.sign.build()
		if a.sign.pin != nil && !a.sign.pin.Disabled() {
			focus = a.sign.pin
		}
	case screenVerify:
		content = a.verifyScreen()
	case screenAbout:
		content = a.aboutScreen()
	case screenBrowsers:
		content = a.browsersScreen()
	default:
		a.screen = screenGuide
		content = a.guideScreen()
	}
	a.textRing = newRing()
	a.scroll = container.NewVScroll(container.NewStack(container.NewPadded(content), container.NewWithoutLayout(a.textRing)))
	a.body.Objects = []fyne.CanvasObject{a.scroll}
	a.body.Refresh()
	if keep != nil {
		a.scroll.Offset = *keep
		a.scroll.Refresh()
	}
	if a.refocus != nil {
		focus, a.refocus = a.refocus, nil
	}
	// a form's labels take their look from their fields once on screen
	if a.pin != nil && a.pin.fields != nil {
		a.pin.fields.Refresh()
	}
	if a.unb != nil && a.unb.fields != nil {
		a.unb.fields.Refresh()
	}
	a.updateNav()
	a.win.SetTitle(a.title()) // open_files.go
	if focus != nil {
		a.focus(focus)
	}
}

// relayout lays the screen out again after a line changed height (a badge
// that grew makes a wrapped label take two lines).
func (a *App) relayout() {
	if a.body != nil {
		a.body.Refresh()
	}
}

// navButton is the sidebar button of a screen (tests drive it by keyboard).
func (a *App) navButton(screen string) *button { return a.navBtns[screen] }
