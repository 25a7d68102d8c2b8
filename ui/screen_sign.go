package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/certigna-desktop/app/actions"
)

// signView is the test signature: a PDF (dropped, chosen or the sample), the
// PIN, the signature off the UI goroutine, and the check of what was written.
// Everything that can be known without the PIN (the document, the output
// folder, the options, the certificate) is checked as soon as it changes;
// "Signer" stays disabled, with the reason beside the document, until it
// passes.
type signView struct {
	a *App
	// codeFor is what the PIN typed is for (token, certificate, documents):
	// when it changes the PIN is cleared (a PIN typed for one document is
	// never sent for another without being typed again)
	codeFor   string
	inputPath string // the PDF to sign; never written to
	sample    string // the sample document written by this view
	pin       *input
	submit    *button
	// status is the line beside "Signer": what the click did.
	status *widget.Label
	// docStatus is the line under the document: why it cannot be signed.
	docStatus *widget.Label
	inputLbl  *widget.Label
	intro     *widget.Label
	certLine  *widget.Label
	tokenLine *fyne.Container
	// preview: the page with the stamp where it goes (sign_preview.go);
	// nil without a page source.
	preview *pagePreview

	signChoices // the options (sign_options.go)
	signCheck   // the check before the PIN (sign_check.go)
	signRun     // the signature in flight and its result (sign_run.go)
	batchState  // several documents, one PIN (screen_sign_batch.go)
}

func newSignView(a *App) *signView {
	v := &signView{a: a}
	v.pin = newCodeInput()
	v.pin.SetPlaceHolder(a.t("ui.sign.pin_ph"))
	v.pin.OnSubmitted = func(string) { v.signNow() }
	v.submit = newIconButton(a.t("ui.sign.submit"), theme.DocumentCreateIcon(), v.signNow)
	v.submit.Importance = widget.HighImportance
	v.status = para("")
	v.docStatus = para("")
	// Field: shown when the document has several empty signature fields.
	v.fieldSelect = widget.NewSelect(nil, func(string) { v.recheck() })
	v.fieldSelect.PlaceHolder = a.t("ui.sign.field_ph")
	v.fieldSelect.Hide()
	v.inputLbl = bold(a.t("ui.sign.no_input"))
	v.certLine = para("")
	v.tokenLine = container.NewStack()
	v.progress = container.NewVBox()
	v.result = container.NewVBox()
	v.certBox = container.NewVBox()
	v.cert = widget.NewSelect(nil, func(string) {
		if i := v.cert.SelectedIndex(); i >= 0 && i < len(v.certIDs) && a.current() != nil {
			a.certPick, a.pickFor = v.certIDs[i], a.current().Serial
			v.tokenChanged()
		}
	})
	v.reason = newInput()
	v.reason.SetPlaceHolder(a.t("ui.sign.reason_ph"))
	v.reasonScope = para(a.t("ui.batch.reason_scope"))
	v.reasonScope.Hide()
	pages := []string{actions.StampNone, actions.StampFirst, actions.StampLast}
	labels := []string{a.t("ui.sign.stamp_none"), a.t("ui.sign.stamp_first"), a.t("ui.sign.stamp_last")}
	if a.opt.Pages != nil {
		pages, labels = append(pages, actions.StampPlaced), append(labels, a.t("ui.preview.stamp_placed"))
		v.preview = newPagePreview(v, a.opt.Pages)
	}
	v.stampChoices = pages
	v.stamp = widget.NewSelect(labels, nil)
	var corners []string
	for _, c := range actions.StampCorners {
		corners = append(corners, a.t("ui.sign.corner_"+strings.ReplaceAll(c, "-", "_")))
	}
	v.corner = widget.NewSelect(corners, func(string) {
		if i := v.corner.SelectedIndex(); i >= 0 {
			a.stampCorn = actions.StampCorners[i]
			v.recheck()
		}
	})
	v.stamp.OnChanged = func(string) {
		i := v.stamp.SelectedIndex()
		if i < 0 {
			return
		}
		a.stampPage = pages[i]
		v.syncStamp()
		v.recheck()
	}
	v.stampNote = para(a.t("ui.sign.stamp_by_field"))
	v.stampNote.Hide()
	ci := 0
	for i, c := range actions.StampCorners {
		if c == a.stampCorn {
			ci = i
		}
	}
	v.corner.SetSelectedIndex(ci)
	if a.stampPage == actions.StampPlaced {
		a.stampPage = actions.StampNone // a place is chosen on a document's preview, this screen has none yet
	}
	pi := 0
	for i, p := range pages {
		if p == a.stampPage {
			pi = i
		}
	}
	v.stamp.SetSelectedIndex(pi)

	st := a.opt.Store.Settings()
	save := func() {
		s := a.opt.Store.Settings()
		s.TSAURL, s.LTV, s.AllowLower = strings.TrimSpace(v.tsa.Text), v.ltv.Checked, v.allowLower.Checked
		s.TSAUser = strings.TrimSpace(v.tsaUser.Text)
		_ = a.opt.Store.SetSettings(s)
	}
	v.tsa = newInput()
	v.tsa.SetPlaceHolder(a.t("ui.sign.tsa_ph"))
	v.tsa.SetText(st.TSAURL)
	v.tsaUser = newInput()
	v.tsaUser.SetPlaceHolder(a.t("ui.sign.tsa_user_ph"))
	v.tsaUser.SetText(st.TSAUser)
	v.tsaPass = newCodeInput()
	v.tsaPass.SetPlaceHolder(a.t("ui.sign.tsa_pass_ph"))
	v.ltv = widget.NewCheck(a.t("ui.sign.ltv"), nil)
	v.ltv.SetChecked(st.LTV)
	v.allowLower = widget.NewCheck(a.t("ui.sign.allow_lower"), nil)
	v.allowLower.SetChecked(st.AllowLower)
	v.tsaLogin = container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(a.t("ui.sign.tsa_user"), a.wheel(v.tsaUser)),
			widget.NewFormItem(a.t("ui.sign.tsa_pass"), a.wheel(v.tsaPass)),
		),
		para(a.t("ui.sign.tsa_login_note")))
	v.tsa.OnChanged = func(string) { save(); v.showLogin(); v.recheck() }
	v.tsaUser.OnChanged = func(string) { save() }
	v.ltv.OnChanged = func(bool) { save(); v.recheck() }
	v.allowLower.OnChanged = func(bool) { save(); v.recheck() } // the TSA check depends on it
	return v
}

// syncStamp enables the stamp's choices that count: none when the
// document's own field decides the stamp; the corner only for a corner.
func (v *signView) syncStamp() {
	a := v.a
	switch {
	case v.fillsField:
		v.stamp.Disable()
		v.corner.Disable()
		v.stampNote.Show()
		return
	case a.stampPage == actions.StampNone || a.stampPage == actions.StampPlaced:
		v.corner.Disable()
	default:
		v.corner.Enable()
	}
	v.stamp.Enable()
	v.stampNote.Hide()
}

func (v *signView) build() fyne.CanvasObject {
	a := v.a
	v.tokenChanged()
	if v.inputPath != "" {
		v.inputLbl.SetText(v.inputPath)
	}
	doc := widget.NewCard("", "", container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(a.t("ui.sign.input")), nil, v.inputLbl),
		v.docStatus,
		v.batchOutRow(),
		v.fieldSelect,
		container.NewHBox(
			newIconButton(a.t("ui.sign.choose"), theme.FolderOpenIcon(), v.choose),
			newIconButton(a.t("ui.sign.sample"), theme.FileIcon(), v.useSample)),
	))
	pinItems := []fyne.CanvasObject{widget.NewForm(widget.NewFormItem(a.t("ui.sign.pin"), a.wheel(v.pin)))}
	if a.module.Demo {
		l := para(a.t("ui.sign.demo_pin", map[string]any{"PIN": a.opt.Tokens.DemoCodes().UnlockCode}))
		l.Importance = widget.WarningImportance
		pinItems = append(pinItems, l)
	}
	// the button and what its click did, side by side
	pinItems = append(pinItems, container.NewBorder(nil, nil, container.NewVBox(v.submit), nil, v.status), v.progress)
	v.intro = para(a.t("ui.sign.intro"))
	if v.output != "" {
		v.intro.Hide()
	}
	top := container.NewVBox(
		title(a.t("ui.sign.title")),
		v.intro,
		v.tokenLine,
		doc,
		widget.NewCard("", "", container.NewVBox(pinItems...)),
		v.result,
	)
	if v.preview == nil {
		return container.NewVBox(top, v.options())
	}
	// the preview beside the form when there is room, else under "Signer"
	return container.New(&sideBySide{side: 320}, top, v.preview.view(), v.options())
}

// signView is the test signature screen's state (nil on other screens).
func (a *App) signView() *signView { return a.sign }

// pinForm is the PIN screen's form (nil on other screens).
func (a *App) pinForm() *pinForm { return a.pin }

// unblockForm is the blocked screen's form (nil on other screens).
func (a *App) unblockForm() *unblockForm { return a.unb }
