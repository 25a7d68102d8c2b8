package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/internal/support"
)

// report is the support report of the window's current state: system,
// app version, every driver tried with its outcome, the token and its
// certificates, the recent operations. Never a PIN or a code; certificate
// serial numbers only with certSerials.
func (a *App) report(certSerials bool) *support.Report {
	r := &support.Report{App: "Certigna Desktop " + a.opt.Version, Lang: a.lang, CertSerials: certSerials}
	m := a.module
	if m.Loaded {
		r.Module = support.Module{Path: m.Path, Manufacturer: m.Manufacturer, Description: m.Description,
			Version: m.Version, Cryptoki: m.Cryptoki, Demo: m.Demo}
	} else if m.Err != nil {
		r.Module.Error = message(m.Err, a.lang)
	}
	for _, c := range m.Candidates {
		sc := support.Candidate{Path: c.Path, Name: c.Name, Source: c.Source, Status: string(c.Status), Tokens: c.Tokens, Chosen: c.Chosen}
		if c.Reason != nil {
			sc.Reason = message(c.Reason, a.lang)
		}
		r.Candidates = append(r.Candidates, sc)
	}
	cur := a.current()
	for _, t := range a.tokens {
		st := support.Token{Label: t.Label, Manufacturer: t.Manufacturer, Model: t.Model, Serial: t.Serial,
			HardwareVersion: t.HardwareVersion, FirmwareVersion: t.FirmwareVersion, Reader: t.Reader,
			MinPIN: t.MinPIN, MaxPIN: t.MaxPIN, PINPad: t.PINPad, PIN: string(t.PIN), SOPIN: string(t.SOPIN), Demo: t.Demo}
		if cur != nil && cur.Serial == t.Serial && cur.Slot == t.Slot {
			// the certificates read are the selected token's
			if a.certsErr != nil {
				st.Error = message(a.certsErr, a.lang)
			}
			for _, c := range a.certs {
				sc := support.Cert{Holder: c.Holder, Issuer: c.Issuer, NotBefore: c.NotBefore, NotAfter: c.NotAfter, HasKey: c.HasPrivateKey}
				if c.Cert != nil {
					sc.Serial = strings.ToLower(c.Cert.SerialNumber.Text(16))
				}
				st.Certs = append(st.Certs, sc)
			}
		}
		r.Tokens = append(r.Tokens, st)
	}
	for _, e := range a.ops.Entries() {
		r.Ops = append(r.Ops, support.Op{Time: e.Time, Name: e.Op, Result: e.Detail})
	}
	return r
}

// diagnostics is the support report's text (without certificate serials).
func (a *App) diagnostics() string { return a.report(false).Text() }

// copyReport puts the support report on the clipboard.
func (a *App) copyReport(certSerials bool) {
	a.fyne.Clipboard().SetContent(a.report(certSerials).Text())
	a.ops.Add("report_copied", "")
	a.showInfo(a.t("support.ui.copy"), a.t("support.ui.copied"))
}

func (a *App) aboutScreen() fyne.CanvasObject {
	diag := widget.NewLabel(a.diagnostics())
	diag.TextStyle.Monospace = true
	// by word: breaking anywhere cut "linux/amd64" and "[DEMO]" mid-word
	// at 800 px (a word longer than a line is still broken)
	diag.Wrapping = fyne.TextWrapWord
	diag.Selectable = true
	serials := widget.NewCheck(a.t("support.ui.cert_serials"), nil)
	copyBtn := newIconButton(a.t("support.ui.copy"), theme.ContentCopyIcon(), func() { a.copyReport(serials.Checked) })
	copyBtn.Importance = widget.HighImportance
	return container.NewVBox(
		title(a.t("ui.about.title")),
		form(
			kv(a.t("ui.about.version"), a.opt.Version),
			kv(a.t("ui.about.module"), a.modulePathText()),
		),
		para(a.t("ui.about.privacy")),
		container.NewHBox(copyBtn, newIconButton(a.t("ui.open_certigna"), theme.ComputerIcon(), func() { a.openURL(certignaSite) })),
		serials,
		a.updatesToggle(), // notices.go
		widget.NewCard(a.t("ui.about.diagnostics"), "", diag),
	)
}

func (a *App) modulePathText() string {
	if a.module.Loaded {
		return a.module.Path
	}
	return a.t("ui.driver.not_loaded")
}
