package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
)

// The sign screen's options: the certificate, the reason, the stamp and its
// place, the timestamp server and its login, long-term validation; what they
// make of SignOptions.

// signChoices is the options' state: the widgets folded under "Options"
// (the certificate, a Select shown only with 2+ signing certificates; the
// reason; the visible stamp; the timestamp server and its login; long-term
// validation), the empty signature field chosen, and the stamp's place
// chosen on the preview.
type signChoices struct {
	cert   *widget.Select
	reason *input
	// reasonScope says, in a batch, that the reason is every document's
	reasonScope *widget.Label
	stamp       *widget.Select // invisible / first page / last page
	corner      *widget.Select // StampCorners, in the UI language
	tsa         *input
	tsaUser     *input
	tsaPass     *input
	ltv         *widget.Check
	allowLower  *widget.Check
	optionsBox  *widget.Accordion
	tsaLogin    *fyne.Container // login fields, shown with a TSA address
	certBox     *fyne.Container
	certIDs     [][]byte
	// fieldSelect is the choice of the empty signature field to fill, shown
	// only when the document has more than one. Its options are the names
	// as shown (attacker text made safe); fieldNames maps them back to the
	// names the signature goes into.
	fieldSelect *widget.Select
	fieldNames  map[string]string
	// fillsField: the document has an empty signature field the signature
	// goes into; the field then decides the stamp, whose choice is off
	// (stampNote says why)
	fillsField   bool
	stampNote    *widget.Label
	stampChoices []string // the Stamp select's choices (StampNone…)
	// placePage / placeRect: the place chosen on the preview (page
	// coordinates), used with StampPlaced.
	placePage int
	placeRect [4]float64
}

// options is the folded "Options" section: plain words first, the
// technical names only in the details line at the bottom.
func (v *signView) options() fyne.CanvasObject {
	a := v.a
	tech := para(a.t("ui.sign.tech_details"))
	// not LowImportance: Fyne draws that in the disabled grey, below 4.5:1
	body := container.NewVBox(
		v.certBox,
		widget.NewForm(
			widget.NewFormItem(a.t("ui.sign.reason_label"), container.NewVBox(a.wheel(v.reason), v.reasonScope)),
			widget.NewFormItem(a.t("ui.sign.stamp"), container.NewVBox(v.stamp, v.corner, v.stampNote)), // stacked: fits 800 px
		),
		bold(a.t("ui.sign.tsa")),
		a.wheel(v.tsa),
		v.tsaLogin,
		v.ltv,
		v.allowLower,
		tech,
	)
	v.showLogin()
	v.optionsBox = widget.NewAccordion(widget.NewAccordionItem(a.t("ui.sign.options"), body))
	return v.optionsBox
}

// showLogin shows the TSA login fields only with a TSA address: no login
// questions for those who do not use one.
func (v *signView) showLogin() {
	if on := strings.TrimSpace(v.tsa.Text) != ""; on != v.tsaLogin.Visible() {
		if on {
			v.tsaLogin.Show()
		} else {
			v.tsaLogin.Hide()
		}
		v.a.relayout()
	}
}

// signOptions are the screen's choices for the signer.
func (v *signView) signOptions(cert actions.CertInfo) actions.SignOptions {
	a := v.a
	o := actions.SignOptions{
		Name: cert.Holder, Reason: strings.TrimSpace(v.reason.Text), Lang: a.lang,
		TSAURL: strings.TrimSpace(v.tsa.Text), LTV: v.ltv.Checked, AllowLower: v.allowLower.Checked,
		StampPage: a.stampPage, StampCorner: a.stampCorn,
	}
	if v.fieldSelect != nil && v.fieldSelect.Visible() {
		o.Field = v.selectedField()
	}
	if o.StampPage == actions.StampPlaced {
		o.StampPageNum, o.StampRect = v.placePage, v.placeRect
	}
	if o.TSAURL != "" {
		o.TSAUser, o.TSAPassword = strings.TrimSpace(v.tsaUser.Text), v.tsaPass.Text
	}
	return o
}

// stampPlaced says the stamp goes where it was placed on the preview.
func (v *signView) stampPlaced() bool {
	return v.a.stampPage == actions.StampPlaced && v.placeRect[2] > 0
}

// setStampChoice selects choice in the Stamp select (without the select's
// own reaction: the caller has set what goes with it).
func (v *signView) setStampChoice(choice string) {
	a := v.a
	a.stampPage = choice
	for i, c := range v.stampChoices {
		if c == choice && v.stamp.SelectedIndex() != i {
			on := v.stamp.OnChanged
			v.stamp.OnChanged = nil
			v.stamp.SetSelectedIndex(i)
			v.stamp.OnChanged = on
		}
	}
	v.syncStamp()
}

// certName tells one certificate from another in words: what it is for,
// then, only when needed, its expiry or the end of its number.
func (a *App) certName(c *actions.CertInfo) string { return a.certLabel(c) }

// certChoices fills the certificate Select; it is shown only when the
// token holds two signing certificates or more.
func (v *signView) certChoices() {
	a := v.a
	cs := a.signingCerts()
	if a.current() == nil || len(cs) < 2 {
		v.certIDs = nil
		v.certBox.Objects = nil
		v.certBox.Refresh()
		return
	}
	var names []string
	v.certIDs = nil
	sel := -1
	cur := a.signingCert()
	for i, c := range cs {
		names = append(names, a.certName(c))
		v.certIDs = append(v.certIDs, c.ID)
		if c == cur {
			sel = i
		}
	}
	on := v.cert.OnChanged
	v.cert.OnChanged = nil
	v.cert.SetOptions(names)
	if sel >= 0 {
		v.cert.SetSelectedIndex(sel)
	}
	v.cert.OnChanged = on
	v.certBox.Objects = []fyne.CanvasObject{widget.NewForm(widget.NewFormItem(a.t("ui.sign.cert"), v.cert))}
	v.certBox.Refresh()
}

// certRefusal says why a certificate cannot sign now (nil: it can).
func certRefusal(c *actions.CertInfo, now time.Time) error {
	switch {
	case c.Expired || (!c.NotAfter.IsZero() && now.After(c.NotAfter)):
		return assets.Reason{Key: "ui.sign.cert_expired", Data: map[string]any{"Date": c.NotAfter}}
	case c.NotYetValid || (!c.NotBefore.IsZero() && now.Before(c.NotBefore)):
		return assets.Reason{Key: "ui.sign.cert_not_yet", Data: map[string]any{"Date": c.NotBefore}}
	case len(c.KeyUsage) > 0 && !hasUsage(c, "digital_signature") && !hasUsage(c, "non_repudiation"):
		return assets.Reason{Key: "ui.sign.cert_not_signing"}
	}
	return nil
}
