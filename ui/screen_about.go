package ui

import (
	"fmt"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Diagnostics is the text of the about panel, for support: versions, module,
// token and recent operations. It never holds a PIN or a code.
func (a *App) Diagnostics() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Certigna Desktop %s\n", a.opt.Version)
	fmt.Fprintf(&b, "OS: %s/%s, Go %s, lang %s\n", runtime.GOOS, runtime.GOARCH, runtime.Version(), a.lang)
	m := a.module
	if m.Loaded {
		fmt.Fprintf(&b, "Module: %s\n  %s — %s, version %s, demo=%v\n", m.Path, m.Manufacturer, m.Description, m.Version, m.Demo)
	} else {
		fmt.Fprintf(&b, "Module: none")
		if m.Err != nil {
			fmt.Fprintf(&b, " (%s)", Message(m.Err, "en"))
		}
		b.WriteByte('\n')
	}
	for _, c := range m.Candidates {
		fmt.Fprintf(&b, "  tried %s [%s] %s", c.Path, c.Source, c.Status)
		if c.Reason != nil {
			fmt.Fprintf(&b, ": %s", Message(c.Reason, "en"))
		}
		b.WriteByte('\n')
	}
	if len(a.tokens) == 0 {
		b.WriteString("Token: none\n")
	}
	for _, t := range a.tokens {
		fmt.Fprintf(&b, "Token: slot %d, %q, serial %s, %s %s, hw %s fw %s, PIN %d..%d, user PIN %s, SO PIN %s, demo=%v\n",
			t.Slot, t.Label, t.Serial, t.Manufacturer, t.Model, t.HardwareVersion, t.FirmwareVersion, t.MinPIN, t.MaxPIN, t.PIN, t.SOPIN, t.Demo)
	}
	for _, c := range a.certs {
		fmt.Fprintf(&b, "Certificate: %s / issuer %s / %s → %s / usage %s / key %v\n", c.Holder, c.Issuer,
			c.NotBefore.Format("2006-01-02"), c.NotAfter.Format("2006-01-02"), strings.Join(c.KeyUsage, ","), c.HasPrivateKey)
	}
	if p := a.opt.Store.Path(); p != "" {
		fmt.Fprintf(&b, "State file: %s\n", p)
	}
	b.WriteString("Recent operations:\n")
	b.WriteString(a.ops.String())
	return b.String()
}

func (a *App) aboutScreen() fyne.CanvasObject {
	diag := widget.NewLabel(a.Diagnostics())
	diag.TextStyle.Monospace = true
	diag.Wrapping = fyne.TextWrapBreak
	diag.Selectable = true
	copyBtn := widget.NewButtonWithIcon(a.t("ui.about.copy"), theme.ContentCopyIcon(), func() {
		a.fyne.Clipboard().SetContent(a.Diagnostics())
		a.ops.Add("diagnostics_copied", "")
		a.showInfo(a.t("ui.about.copy"), a.t("ui.about.copied"))
	})
	copyBtn.Importance = widget.HighImportance
	return container.NewVBox(
		title(a.t("ui.about.title")),
		form(
			kv(a.t("ui.about.version"), a.opt.Version),
			kv(a.t("ui.about.module"), a.modulePathText()),
		),
		para(a.t("ui.about.privacy")),
		container.NewHBox(copyBtn, widget.NewButtonWithIcon(a.t("ui.open_certigna"), theme.ComputerIcon(), func() { a.openURL(certignaSite) })),
		widget.NewCard(a.t("ui.about.diagnostics"), "", diag),
	)
}

func (a *App) modulePathText() string {
	if a.module.Loaded {
		return a.module.Path
	}
	return a.t("ui.driver.not_loaded")
}
