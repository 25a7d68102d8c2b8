package ui

import (
	"strings"
	"time"

	"github.com/certigna-desktop/app/actions"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// driverScreen: the PKCS#11 module in use, what discovery tried, another
// file, and the demo token.
func (a *App) driverScreen() fyne.CanvasObject {
	m := a.module
	items := []fyne.CanvasObject{title(a.t("ui.driver.title")), para(a.t("ui.driver.intro"))}
	if a.searching {
		items = append(items, widget.NewCard(a.t("ui.driver.in_use"), "", container.NewVBox(
			bold(a.t("ui.driver.searching")), widget.NewProgressBarInfinite())))
		return container.NewVBox(items...)
	}
	if m.Loaded {
		rows := [][]fyne.CanvasObject{kv(a.t("ui.driver.path"), m.Path)}
		if m.Manufacturer != "" {
			rows = append(rows, kv(a.t("ui.driver.manufacturer"), m.Manufacturer))
		}
		if m.Description != "" {
			rows = append(rows, kv(a.t("ui.driver.description"), m.Description))
		}
		if m.Version != "" {
			rows = append(rows, kv(a.t("ui.driver.version"), m.Version))
		}
		head := []fyne.CanvasObject{badge(a.t("ui.driver.loaded"), theme.ColorNameSuccess)}
		var after []fyne.CanvasObject
		if m.Demo {
			head = append(head, badge(a.t("ui.demo_badge"), theme.ColorNameError))
		} else if genericModule(m) != "" && a.current() == nil {
			// the guide says the driver step is not done: a green "loaded"
			// alone here would contradict it
			head = []fyne.CanvasObject{badge(a.t("ui.driver.generic_badge"), theme.ColorNameWarning)}
			after = append(after, para(a.driverStepText(false)),
				container.NewHBox(newIconButton(a.t("ui.open_certigna"), theme.ComputerIcon(), func() { a.openURL(certignaSite) })))
		}
		body := append([]fyne.CanvasObject{container.NewHBox(head...), form(rows...)}, after...)
		items = append(items, widget.NewCard(a.t("ui.driver.in_use"), "", container.NewVBox(body...)))
	} else {
		txt := a.t("ui.driver.none")
		if m.Err != nil {
			txt += "\n" + message(m.Err, a.lang)
		}
		items = append(items, widget.NewCard(a.t("ui.driver.in_use"), "", container.NewVBox(
			badge(a.t("ui.driver.not_loaded"), theme.ColorNameError),
			para(txt),
			bold(a.t("ui.driver.install_title")),
			para(a.t("ui.driver.install_text")),
			container.NewHBox(newIconButton(a.t("ui.open_certigna"), theme.ComputerIcon(), func() { a.openURL(certignaSite) })),
		)))
	}
	pick := newIconButton(a.t("ui.driver.choose"), theme.FolderOpenIcon(), a.chooseModule)
	again := newIconButton(a.t("ui.driver.rescan"), theme.ViewRefreshIcon(), func() { a.switchModule("") })
	items = append(items, container.NewHBox(pick, again))

	if len(m.Candidates) > 0 {
		rows := []fyne.CanvasObject{}
		// the same reason for several places in a row is said once, after
		// them (25 identical sentences hid the one that mattered); a hint
		// pointing to this very screen is left out
		here := strings.TrimSpace(a.t("ui.hint.module"))
		var runReason string
		runN := 0
		flush := func() {
			if runN == 0 {
				return
			}
			r := para(a.n("ui.driver.reason_for", runN, map[string]any{"Reason": runReason}))
			r.Importance = widget.MediumImportance
			rows = append(rows, r)
			runN = 0
		}
		for _, c := range m.Candidates {
			st := a.t("ui.driver.cand." + string(c.Status))
			col := theme.ColorNameDisabled
			switch c.Status {
			case "found":
				col = theme.ColorNameSuccess
			case "failed":
				col = theme.ColorNameError
			}
			line := c.Path
			if c.Name != "" {
				line = c.Name + " — " + c.Path
			}
			if c.Source != "" {
				line += "  (" + a.t("ui.driver.source."+c.Source) + ")" // words, not discovery's tags
			}
			lineLbl := widget.NewLabel(line)
			lineLbl.Wrapping = fyne.TextWrapWord // a long Windows path wraps instead of pushing the badge off the window
			reason := ""
			if c.Reason != nil {
				reason = strings.TrimSpace(strings.ReplaceAll(message(c.Reason, a.lang), here, ""))
			}
			if reason != runReason || reason == "" {
				flush()
			}
			rows = append(rows, container.NewBorder(nil, nil, nil, badge(st, col), lineLbl))
			if reason != "" {
				runReason = reason
				runN++
			}
		}
		flush()
		acc := widget.NewAccordion(widget.NewAccordionItem(a.t("ui.driver.tried", map[string]any{"N": len(m.Candidates)}), container.NewVBox(rows...)))
		if !m.Loaded {
			acc.Open(0)
		}
		items = append(items, acc)
	}

	// The demo token: offered always, explained plainly, never confused with
	// the real token.
	demo := []fyne.CanvasObject{para(a.t("ui.demo.text"))}
	if m.Demo {
		c := a.opt.Tokens.DemoCodes()
		demo = append(demo, form(
			kv(a.t("ui.demo.unlock_code"), c.UnlockCode),
			kv(a.t("ui.demo.admin_code"), c.AdminCode),
		))
	} else {
		btn := newIconButton(a.t("ui.demo.use"), theme.MediaPlayIcon(), a.useDemo)
		if !m.Loaded {
			btn.Importance = widget.HighImportance
		}
		demo = append(demo, container.NewHBox(btn))
	}
	items = append(items, widget.NewCard(a.t("ui.demo.title"), "", container.NewVBox(demo...)))
	return container.NewVBox(items...)
}

// chooseModule asks for the driver's file (the token maker's PKCS#11
// library) and loads it.
func (a *App) chooseModule() {
	r := FileRequest{Kind: FileOpen, Title: a.t("ui.files.module_title"), Accept: a.t("ui.choose.open"),
		Filter: a.t("ui.files.module_filter"), Exts: []string{".so", ".dll", ".dylib"}}
	a.askFile(r, a.switchModule, func() { a.fyneFileDialog(r, a.switchModule) })
}

// switchModule loads another module ("" = discover again) in the background.
func (a *App) switchModule(path string) {
	a.ops.Add("module_choose", path)
	a.background(func() {
		st := a.opt.Tokens.UseModule(path)
		a.do(func() {
			if st.Loaded && path != "" {
				s := a.opt.Store.Settings()
				s.ModulePath = st.Path
				_ = a.opt.Store.SetSettings(s)
			}
			if !st.Loaded && st.Err != nil {
				a.showError(st.Err)
			}
			a.module = st
			a.restartWatch()
			a.refresh()
			a.show(screenDriver)
		})
	})
}

func (a *App) useDemo() {
	a.ops.Add("demo_start", "")
	a.background(func() {
		st, err := a.opt.Tokens.UseDemo()
		a.do(func() {
			if err != nil {
				a.showError(err)
				return
			}
			a.module = st
			a.restartWatch()
			a.refresh()
			a.show(screenDriver)
		})
	})
}

// tokenScreen: the token, its certificate and its PIN state, kept current by
// the hot-plug watch.
func (a *App) tokenScreen() fyne.CanvasObject {
	items := []fyne.CanvasObject{title(a.t("ui.token.title"))}
	if a.searching {
		items = append(items, bold(a.t("ui.driver.searching")), widget.NewProgressBarInfinite())
		return container.NewVBox(items...)
	}
	if !a.module.Loaded {
		items = append(items, para(a.t("ui.token.no_driver")),
			container.NewHBox(newButton(a.t("ui.step.driver.button"), func() { a.show(screenDriver) })))
		return container.NewVBox(items...)
	}
	t := a.current()
	if t == nil {
		txt := a.t("ui.token.none")
		if a.tokenErr != nil {
			txt += "\n" + message(a.tokenErr, a.lang)
		}
		if g := genericModule(a.module); g != "" && !a.module.Demo {
			// a Certigna token plugged in but unseen by OpenSC would
			// otherwise wait here forever
			txt += "\n" + a.t("ui.token.generic_hint", map[string]any{"Name": g})
		}
		items = append(items, widget.NewCard("", "", container.NewVBox(
			container.NewBorder(nil, nil, widget.NewIcon(theme.StorageIcon()), nil, bold(a.t("ui.token.plug"))),
			para(txt),
			widget.NewProgressBarInfinite(),
			container.NewHBox(
				newIconButton(a.t("ui.step.driver.button"), theme.SettingsIcon(), func() { a.show(screenDriver) }),
				newIconButton(a.t("ui.demo.use"), theme.MediaPlayIcon(), a.useDemo)))))
		return container.NewVBox(items...)
	}
	if len(a.tokens) > 1 {
		names := []string{}
		bySerial := map[string]string{}
		for _, x := range a.tokens {
			n := x.Label + " — " + x.Serial
			names = append(names, n)
			bySerial[n] = x.Serial
		}
		sel := widget.NewSelect(names, nil)
		sel.SetSelected(t.Label + " — " + t.Serial)
		sel.OnChanged = func(s string) {
			a.setSelected(bySerial[s])
			a.refresh()
		}
		items = append(items, sel)
	}
	head := []fyne.CanvasObject{pinBadge(a, t.PIN)}
	if t.Demo || a.module.Demo {
		head = append(head, badge(a.t("ui.demo_badge"), theme.ColorNameError))
	}
	rows := [][]fyne.CanvasObject{
		kv(a.t("ui.token.label"), t.Label),
		kv(a.t("ui.token.serial"), t.Serial),
		kv(a.t("ui.token.model"), modelText(t)),
		kv(a.t("ui.token.pin_state"), pinStateText(a, t.PIN)),
	}
	if t.MinPIN > 0 {
		rows = append(rows, kv(a.t("ui.token.pin_rules"), a.pinRules(*t)))
	}
	items = append(items, widget.NewCard(a.t("ui.token.card"), "", container.NewVBox(container.NewHBox(head...), form(rows...))))
	items = append(items, a.tokenDetails(t))
	if adv := a.pinAdvice(*t); adv != "" {
		items = append(items, bannerBox(adv, stateColor(t.PIN)))
	}

	if a.certsErr != nil {
		items = append(items, para(message(a.certsErr, a.lang)))
	} else if len(a.certs) == 0 {
		items = append(items, widget.NewCard(a.t("ui.cert.card"), "", para(a.t("ui.cert.none"))))
	}
	now := time.Now()
	var others []fyne.CanvasObject
	for i := range a.certs {
		c := &a.certs[i]
		if !c.HasPrivateKey {
			// the CA's certificates: the chain, not the person's certificate
			others = append(others, para(c.Holder+" — "+a.t("ui.cert.validity_range", map[string]any{"From": fmtDate(a.lang, c.NotBefore), "To": fmtDate(a.lang, c.NotAfter)})))
			continue
		}
		validity := a.t("ui.cert.validity_range", map[string]any{"From": fmtDate(a.lang, c.NotBefore), "To": fmtDate(a.lang, c.NotAfter)})
		var flag fyne.CanvasObject
		switch {
		case c.Expired:
			flag = badge(a.t("ui.cert.expired"), theme.ColorNameError)
		case c.NotYetValid:
			flag = badge(a.t("ui.cert.not_yet"), theme.ColorNameWarning)
		case c.ExpiresSoon(now):
			days := int(c.NotAfter.Sub(now).Hours() / 24)
			flag = badge(a.n("ui.cert.expires_in", days), theme.ColorNameWarning) // in words: "29 jours", not "29 j"
		default:
			flag = badge(a.t("ui.cert.valid"), theme.ColorNameSuccess)
		}
		rows := [][]fyne.CanvasObject{
			kv(a.t("ui.cert.holder"), c.Holder),
			kv(a.t("ui.cert.issuer"), c.Issuer),
			kv(a.t("ui.cert.validity"), validity),
			// what it is for in words; the usages' technical names behind "Détails"
			kv(a.t("ui.cert.purpose"), a.t("ui.cert.purpose."+actions.CertPurpose(*c))),
		}
		body := []fyne.CanvasObject{container.NewHBox(flag), form(rows...)}
		if len(c.KeyUsage) > 0 {
			usage := []string{}
			for _, u := range c.KeyUsage {
				usage = append(usage, a.t("ui.ku."+u))
			}
			body = append(body, widget.NewAccordion(widget.NewAccordionItem(a.t("ui.cert.details"),
				para(a.t("ui.cert.usage_detail", map[string]any{"Uses": strings.Join(usage, ", ")})))))
		}
		items = append(items, widget.NewCard(a.certLabel(c), "", container.NewVBox(body...)))
	}
	if len(others) > 0 {
		items = append(items, widget.NewAccordion(widget.NewAccordionItem(a.t("ui.cert.chain", map[string]any{"N": len(others)}), container.NewVBox(others...))))
	}
	next := newIconButton(a.t("ui.token.next_pin"), theme.AccountIcon(), func() { a.show(screenPIN) })
	sig := newIconButton(a.t("ui.step.test_signature.button"), theme.DocumentCreateIcon(), func() { a.show(screenSign) })
	if a.opt.Store.IsDone(t.Serial, stepPINSet) {
		sig.Importance = widget.HighImportance
	} else {
		next.Importance = widget.HighImportance
	}
	items = append(items, container.NewHBox(next, sig))
	return container.NewVBox(items...)
}

func modelText(t *actions.TokenInfo) string {
	m := strings.TrimSpace(t.Model)
	if t.Manufacturer != "" && !strings.Contains(m, t.Manufacturer) {
		m += " (" + t.Manufacturer + ")"
	}
	return m
}

func stateColor(s actions.PINState) fyne.ThemeColorName {
	switch s {
	case actions.PINFinalTry, actions.PINLocked:
		return theme.ColorNameError
	case actions.PINOK:
		return theme.ColorNameSuccess
	}
	return theme.ColorNameWarning
}

// pinAdvice says in plain words what the PIN state means for the person.
func (a *App) pinAdvice(t actions.TokenInfo) string {
	switch t.PIN {
	case actions.PINToBeChanged:
		return a.t("ui.advice.to_be_changed")
	case actions.PINCountLow:
		return a.t("ui.advice.count_low")
	case actions.PINFinalTry:
		return a.t("ui.advice.final_try")
	case actions.PINLocked:
		return a.t("ui.advice.locked")
	}
	return ""
}

func (a *App) pinRules(t actions.TokenInfo) string {
	if t.MaxPIN > 0 && t.MaxPIN < 64 {
		return a.t("ui.pin.rules", map[string]any{"Min": t.MinPIN, "Max": t.MaxPIN})
	}
	return a.t("ui.pin.rules_min", map[string]any{"Min": t.MinPIN})
}

// tokenDetails: what a support agent asks first — the token's make and
// versions, the reader, and the driver (middleware) with its version —
// folded away, with the support report one click further.
func (a *App) tokenDetails(t *actions.TokenInfo) fyne.CanvasObject {
	dash := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "—"
		}
		return s
	}
	m := a.module
	driver := dash(strings.TrimSpace(m.Manufacturer + " " + m.Description))
	if m.Version != "" {
		driver += " " + a.t("support.ui.version", map[string]any{"Version": m.Version})
	}
	rows := [][]fyne.CanvasObject{
		kv(a.t("support.ui.manufacturer"), dash(t.Manufacturer)),
		kv(a.t("ui.token.model"), dash(t.Model)),
		kv(a.t("ui.token.serial"), dash(t.Serial)),
		kv(a.t("support.ui.versions"), a.t("support.ui.versions_value", map[string]any{"HW": dash(t.HardwareVersion), "FW": dash(t.FirmwareVersion)})),
		kv(a.t("support.ui.reader"), dash(t.Reader)),
		kv(a.t("support.ui.middleware"), driver),
		kv(a.t("support.ui.module_file"), dash(m.Path)),
	}
	report := newIconButton(a.t("support.ui.copy"), theme.ContentCopyIcon(), func() { a.copyReport(false) })
	return widget.NewAccordion(widget.NewAccordionItem(a.t("support.ui.details"),
		container.NewVBox(form(rows...), container.NewHBox(report))))
}
