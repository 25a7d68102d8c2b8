package ui

import (
	"context"
	"crypto/x509"
	"runtime"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/browsers"
)

// screenBrowsers: "Navigateurs et messagerie" — register the token in
// Firefox/Thunderbird/Chrome, the e-mail check, the certificate login test.
const screenBrowsers = "browsers"

// tlsTestRoots is the trust for the login test's server certificate; nil
// means the system's (tests set their own 127.0.0.1 PKI).
var tlsTestRoots *x509.CertPool

// browsersOptions says where to look for profiles; zero = this user.
var browsersOptions browsers.Options

// browsersView is the screen's state that outlives a redraw (hot-plug
// redraws the screen; what is typed stays).
type browsersView struct {
	a      *App
	lang   string
	url    *input
	pin    *input
	test   *button
	status *widget.Label // the login test's outcome
	info   *widget.Label // the last registration's outcome
	// infoFor is the store whose button gave Info: the message is shown in
	// that store's card, beside the button, not under every card
	infoFor     string
	shownInCard bool
	busy        bool
}

// views keeps one BrowsersView per window without a field in App.
var views sync.Map // *App → *BrowsersView

// browsersView is the screen's view (tests drive it).
func (a *App) browsersView() *browsersView {
	if v, ok := views.Load(a); ok && v.(*browsersView).lang == a.lang {
		return v.(*browsersView)
	}
	v := &browsersView{a: a, lang: a.lang}
	v.url = newInput()
	v.url.SetPlaceHolder("https://")
	v.pin = newCodeInput()
	v.pin.SetPlaceHolder(a.t("browsers.tls.pin_title"))
	v.status = para("")
	v.info = para("")
	v.test = newIconButton(a.t("browsers.tls.button"), theme.LoginIcon(), v.testNow)
	views.Store(a, v)
	return v
}

// browsersModule is the module to register: the driver found, never the
// demo token (a file only this app knows how to open).
func (a *App) browsersModule() string {
	if !a.module.Loaded || a.module.Demo {
		return ""
	}
	return a.module.Path
}

func (a *App) browsersScreen() fyne.CanvasObject {
	v := a.browsersView()
	v.shownInCard = false
	items := []fyne.CanvasObject{title(a.t("browsers.title")), para(a.t("browsers.intro"))}
	mod := a.browsersModule()
	switch {
	case mod == "" && a.module.Loaded && a.module.Demo:
		// the Driver screen says "loaded": sending the person there would
		// be a loop; say why the demo token cannot be registered
		items = append(items, bannerBox(a.t("ui.browsers.demo"), theme.ColorNameWarning))
	case mod == "":
		items = append(items, bannerBox(a.t("browsers.no_module_yet"), theme.ColorNameWarning))
	}
	stores, _ := browsers.Discover(browsersOptionsWith(mod))
	if len(stores) == 0 {
		items = append(items, para(a.t("browsers.none")))
	}
	for _, s := range stores {
		items = append(items, a.storeCard(s, mod))
	}
	items = append(items, container.NewHBox(newIconButton(a.t("browsers.refresh"), theme.ViewRefreshIcon(),
		func() { a.show(screenBrowsers) })))
	if !v.shownInCard {
		items = append(items, v.info)
	}

	// E-mail and system store, for each certificate with a key.
	var mail []fyne.CanvasObject
	certs := a.signingCerts()
	for _, c := range certs {
		if c.Cert == nil {
			continue
		}
		mc := browsers.CheckMail(c.Cert)
		prefix := ""
		if len(certs) > 1 {
			prefix = c.Holder + " (" + a.certLabel(c) + ") — "
		}
		switch {
		case mc.OK:
			mail = append(mail, badge(prefix+a.t("browsers.mail.ok", map[string]any{"Emails": strings.Join(mc.Emails, ", ")}), theme.ColorNameSuccess))
		case !mc.EmailProtection:
			mail = append(mail, para(prefix+a.t("browsers.mail.no_usage")))
		default:
			mail = append(mail, para(prefix+a.t("browsers.mail.no_email")))
		}
		if sc := browsers.SystemStore(c.Cert); sc.Checked {
			found := a.t("browsers.no")
			if sc.Found {
				found = a.t("browsers.yes")
			}
			items = append(items, para(prefix+a.t("browsers.system."+runtime.GOOS, map[string]any{"Found": found})))
		}
	}
	if len(mail) == 0 {
		mail = append(mail, para(a.t("browsers.mail.no_cert")))
	}
	mail = append(mail, para(a.t("browsers.mail.howto")))
	items = append(items, widget.NewCard(a.t("browsers.mail.title"), "", container.NewVBox(mail...)))

	v.test.Importance = widget.HighImportance
	if v.busy {
		v.test.Disable()
	} else {
		v.test.Enable()
	}
	items = append(items, widget.NewCard(a.t("browsers.tls.title"), "", container.NewVBox(
		para(a.t("browsers.tls.no_url")),
		form([]fyne.CanvasObject{widget.NewLabel(a.t("browsers.tls.url")), v.url},
			[]fyne.CanvasObject{widget.NewLabel(a.t("browsers.tls.pin_title")), v.pin}),
		container.NewHBox(v.test), v.status)))
	return container.NewVBox(items...)
}

func browsersOptionsWith(mod string) browsers.Options {
	o := browsersOptions
	o.Module = mod
	return o
}

// storeCard is one profile: what it is, its state, and its action.
// stateBadge is one of a store's state badges: its text's key, its colour.
type stateBadge struct {
	key string
	col fyne.ThemeColorName
}

// storeStates are what a store's card says of it, one consistent message:
// an open program registered is not told to close "to register" (it is
// registered); only when it is ours, that closing it lets the registration
// be removed.
func storeStates(s browsers.Store) []stateBadge {
	var out []stateBadge
	if s.Registered {
		out = append(out, stateBadge{"browsers.state.registered", theme.ColorNameSuccess})
		if s.Policy {
			out = append(out, stateBadge{"browsers.state.policy", theme.ColorNameSuccess})
		}
	} else {
		out = append(out, stateBadge{"browsers.state.not_registered", theme.ColorNamePlaceHolder})
	}
	switch {
	case s.Sandboxed:
		out = append(out, stateBadge{"browsers.state.sandboxed", theme.ColorNameWarning})
	case s.Legacy:
		out = append(out, stateBadge{"browsers.state.legacy", theme.ColorNameWarning})
	case !s.HasDB:
		out = append(out, stateBadge{"browsers.state.no_db", theme.ColorNamePlaceHolder})
	}
	switch {
	case s.Running && !s.Registered:
		out = append(out, stateBadge{"browsers.state.running", theme.ColorNameError})
	case s.Running && s.Ours:
		out = append(out, stateBadge{"browsers.state.running_registered", theme.ColorNameWarning})
	}
	return out
}

func (a *App) storeCard(s browsers.Store, mod string) fyne.CanvasObject {
	var badges []fyne.CanvasObject
	for _, b := range storeStates(s) {
		badges = append(badges, badge(a.t(b.key), b.col))
	}
	name := s.AppName()
	if s.App != browsers.SharedNSS {
		name += " — " + s.Name
	}
	var action fyne.CanvasObject
	if s.Ours {
		b := newButton(a.t("browsers.unregister"), func() { a.unregisterStore(s, mod) })
		if s.Running {
			b.Disable() // the badge says: close it first
		}
		action = b
	} else if !s.Registered {
		b := newIconButton(a.t("browsers.register"), theme.ConfirmIcon(), func() { a.registerStore(s, mod) })
		b.Importance = widget.HighImportance
		if mod == "" || s.CanRegister() != nil {
			b.Disable()
		}
		action = b
	}
	body := []fyne.CanvasObject{container.NewBorder(nil, nil, nil, action, bold(name)), container.NewHBox(badges...)}
	if v := a.browsersView(); v.infoFor != "" && v.infoFor == s.ID() {
		body = append(body, v.info) // the outcome beside the button that caused it
		v.shownInCard = true
	}
	// the folder is for who looks for it: behind "Détails"
	dir := widget.NewLabel(a.t("browsers.folder", map[string]any{"Dir": s.Dir}))
	dir.Selectable = true
	dir.Truncation = fyne.TextTruncateEllipsis
	body = append(body, widget.NewAccordion(widget.NewAccordionItem(a.t("browsers.details"), dir)))
	if err := s.CanRegister(); err != nil && !s.Registered {
		body = append(body, para(message(err, a.lang)))
	}
	return widget.NewCard("", "", container.NewVBox(body...))
}

func (a *App) registerStore(s browsers.Store, mod string) {
	v := a.browsersView()
	v.infoFor = s.ID()
	ch, err := browsers.Register(s, mod)
	a.ops.Add("browsers_register", s.ID())
	switch {
	case err != nil:
		setStatus(v.info, message(err, a.lang), widget.DangerImportance)
	case ch.Changed:
		setStatus(v.info, a.t("browsers.registered_ok", map[string]any{"App": s.AppName(), "Name": s.Name, "Backup": ch.Backup}), widget.SuccessImportance)
	default:
		setStatus(v.info, a.t("browsers.already", map[string]any{"App": s.AppName(), "Name": s.Name}), widget.MediumImportance)
	}
	a.show(screenBrowsers)
}

func (a *App) unregisterStore(s browsers.Store, mod string) {
	v := a.browsersView()
	v.infoFor = s.ID()
	ch, err := browsers.Unregister(s, mod)
	a.ops.Add("browsers_unregister", s.ID())
	switch {
	case err != nil:
		setStatus(v.info, message(err, a.lang), widget.DangerImportance)
	case ch.Changed:
		setStatus(v.info, a.t("browsers.unregistered_ok", map[string]any{"App": s.AppName(), "Name": s.Name}), widget.SuccessImportance)
	default:
		setStatus(v.info, a.t("browsers.nothing_to_remove", map[string]any{"App": s.AppName(), "Name": s.Name}), widget.MediumImportance)
	}
	a.show(screenBrowsers)
}

// testNow runs the login test: the server is asked first without the key
// (a URL that cannot work never costs a PIN), then one PIN verification and
// the real handshake.
func (v *browsersView) testNow() {
	a := v.a
	url := strings.TrimSpace(v.url.Text)
	pin := v.pin.Text
	v.pin.SetText("") // typed once, used once
	if url == "" {
		setStatus(v.status, a.t("browsers.tls.no_url"), widget.WarningImportance)
		return
	}
	t, cert := a.current(), a.loginCert()
	if t == nil || cert == nil {
		msg := a.t("browsers.mail.no_cert")
		if t != nil && len(a.signingCerts()) > 0 {
			msg = message(&browsers.Error{Kind: browsers.KindNoClientAuth}, a.lang)
		}
		setStatus(v.status, msg, widget.DangerImportance)
		return
	}
	chain := []*x509.Certificate{cert.Cert}
	for _, c := range a.certs {
		if c.Cert != nil && c.Cert.IsCA {
			chain = append(chain, c.Cert)
		}
	}
	svc, slot, id := a.opt.Tokens, t.Slot, cert.ID
	opts := browsers.TLSOptions{Roots: tlsTestRoots}
	a.withConsent(t.PIN, a.t("ui.final_try.text"), func(finalTry bool) {
		v.busy = true
		v.test.Disable()
		setStatus(v.status, a.t("browsers.tls.probing"), widget.MediumImportance)
		a.ops.Add("tls_test", url)
		a.background(func() {
			text, imp := v.run(svc, slot, id, url, pin, finalTry, chain, opts)
			a.do(func() {
				v.busy = false
				v.test.Enable()
				setStatus(v.status, text, imp)
			})
		})
	}, nil)
}

func (v *browsersView) run(svc TokenService, slot uint, id []byte, url, pin string, finalTry bool, chain []*x509.Certificate, opts browsers.TLSOptions) (string, widget.Importance) {
	a := v.a
	ctx := context.Background()
	probe, err := browsers.ProbeTLS(ctx, url, opts)
	if err == nil {
		err = probe.Check(chain)
	}
	if err == nil && pin == "" {
		return a.t("browsers.tls.pin_empty"), widget.WarningImportance
	}
	if err != nil {
		return message(err, v.lang), widget.DangerImportance
	}
	key, err := svc.OpenKey(slot, id, pin, finalTry)
	if err != nil {
		return message(err, v.lang), widget.DangerImportance
	}
	defer key.Close()
	full := append([]*x509.Certificate{key.Certificate()}, key.Chain()...)
	res, err := browsers.TestTLS(ctx, url, key, full, opts)
	if err != nil {
		return message(err, v.lang), widget.DangerImportance
	}
	imp := widget.SuccessImportance
	if res.HTTPStatus >= 400 {
		imp = widget.WarningImportance // logged in, but the site refuses the page
	}
	return a.t("browsers.tls.ok", map[string]any{"Version": res.Version, "Sent": res.SentSubject,
		"Status": strings.TrimSpace(res.Status + " " + res.Excerpt)}), imp
}

// loginCert is the certificate for the login test: an authentication one
// (clientAuth named) before one merely not restricted; nil when none may log in.
func (a *App) loginCert() *actions.CertInfo {
	var pick *actions.CertInfo
	best := 0
	for _, c := range a.signingCerts() {
		if c.Cert == nil || c.Expired || c.NotYetValid {
			continue
		}
		if sc := browsers.LoginScore(c.Cert); sc > best {
			best, pick = sc, c
		}
	}
	return pick
}

// browsersStepCard is the guide's optional step after the test signature.
func (a *App) browsersStepCard() fyne.CanvasObject {
	head := container.NewBorder(nil, nil, widget.NewIcon(theme.MailComposeIcon()), nil, bold(a.t("browsers.step.title")))
	btn := newButton(a.t("browsers.step.button"), func() { a.show(screenBrowsers) })
	return widget.NewCard("", "", container.NewVBox(head, para(a.t("browsers.step.text")), container.NewHBox(btn)))
}
