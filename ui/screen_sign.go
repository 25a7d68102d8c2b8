package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// SignView is the test signature: a PDF (dropped, chosen or the sample), the
// PIN, the signature off the UI goroutine, and the check of what was written.
// Everything that can be known without the PIN (the document, the output
// folder, the options, the certificate) is checked as soon as it changes;
// "Signer" stays disabled, with the reason beside the document, until it
// passes.
type SignView struct {
	// codeFor is what the PIN typed is for (token, certificate, documents):
	// when it changes the PIN is cleared (a PIN typed for one document is
	// never sent for another without being typed again)
	codeFor string
	a       *App
	Input   string // the PDF to sign; never written to
	Output  string // the signed copy, after success
	Result  *Verification

	PIN    *Input
	Submit *Button
	// Options (folded under "Options"): the certificate (a Select shown
	// only with 2+ signing certificates), the reason, the visible stamp,
	// the timestamp server and its login, long-term validation.
	Cert   *widget.Select
	Reason *Input
	// ReasonScope says, in a batch, that the reason is every document's
	ReasonScope *widget.Label
	Stamp       *widget.Select // invisible / first page / last page
	Corner      *widget.Select // StampCorners, in the UI language
	TSA         *Input
	TSAUser     *Input
	TSAPass     *Input
	LTV         *widget.Check
	AllowLower  *widget.Check
	Options     *widget.Accordion
	tsaLogin    *fyne.Container // login fields, shown with a TSA address
	certBox     *fyne.Container
	certIDs     [][]byte
	Warning     error // the signer's reason for a lower level, after success
	// Retry ("Réessayer") is shown when a server failed after the token
	// signed: it adds what is missing to the kept file, without the PIN
	// (sign_retry.go); retryOpts are the options it was signed with.
	Retry     *widget.Button
	retryOpts SignOptions
	// Status is the line beside "Signer": what the click did.
	Status *widget.Label
	// DocStatus is the line under the document: why it cannot be signed.
	DocStatus *widget.Label
	// CheckErr is the last pre-PIN refusal (nil: the document can be
	// signed with these options); Checked says the check is over.
	CheckErr   error
	Checked    bool
	checkGen   int
	checkedKey string // what the last check was about
	inputLbl   *widget.Label
	intro      *widget.Label
	certLine   *widget.Label
	tokenLine  *fyne.Container
	progress   *fyne.Container
	result     *fyne.Container
	busy       bool
	sample     string // the sample document written by this view
	lastCert   []byte // ID of the certificate of the signature in flight
	// Field is the choice of the empty signature field to fill, shown only
	// when the document has more than one. Its options are the names as
	// shown (attacker text made safe); fieldNames maps them back to the
	// names the signature goes into.
	Field      *widget.Select
	fieldNames map[string]string
	// fillsField: the document has an empty signature field the signature
	// goes into; the field then decides the stamp, whose choice is off
	// (StampNote says why)
	fillsField bool
	StampNote  *widget.Label
	// Cancel, shown while a signature runs, ends its context: the network
	// calls (timestamp, revocation) stop and no file is written.
	Cancel    *Button
	cancelRun context.CancelFunc
	// Batch: several documents to sign with one PIN (screen_sign_batch.go);
	// BatchSigned how many the last batch signed.
	Batch       []string
	BatchSigned int
	batchCancel *Button
	batchOK     int // documents of the batch that passed the pre-PIN check
	// BatchFolder opens the folder of the last batch's signed copies (nil
	// before a batch signed anything).
	BatchFolder *Button
	// BatchDir chooses the folder of a batch's signed copies (batchDir; ""
	// beside each document), said in batchWhere (screen_sign_batch.go)
	BatchDir   *Button
	batchDir   string
	batchWhere *widget.Label
	batchOut   *fyne.Container
	// Preview: the page with the stamp where it goes (sign_preview.go);
	// nil without a page source. placePage / placeRect: the place chosen
	// on it (page coordinates), used with StampPlaced.
	Preview      *pagePreview
	stampChoices []string // the Stamp select's choices (StampNone…)
	placePage    int
	placeRect    [4]float64
}

func newSignView(a *App) *SignView {
	v := &SignView{a: a}
	v.PIN = newCodeInput()
	v.PIN.SetPlaceHolder(a.t("ui.sign.pin_ph"))
	v.PIN.OnSubmitted = func(string) { v.SignNow() }
	v.Submit = newIconButton(a.t("ui.sign.submit"), theme.DocumentCreateIcon(), v.SignNow)
	v.Submit.Importance = widget.HighImportance
	v.Status = para("")
	v.DocStatus = para("")
	// Field: shown when the document has several empty signature fields.
	v.Field = widget.NewSelect(nil, func(string) { v.recheck() })
	v.Field.PlaceHolder = a.t("ui.sign.field_ph")
	v.Field.Hide()
	v.inputLbl = bold(a.t("ui.sign.no_input"))
	v.certLine = para("")
	v.tokenLine = container.NewStack()
	v.progress = container.NewVBox()
	v.result = container.NewVBox()
	v.certBox = container.NewVBox()
	v.Cert = widget.NewSelect(nil, func(string) {
		if i := v.Cert.SelectedIndex(); i >= 0 && i < len(v.certIDs) && a.Current() != nil {
			a.certPick, a.pickFor = v.certIDs[i], a.Current().Serial
			v.tokenChanged()
		}
	})
	v.Reason = newInput()
	v.Reason.SetPlaceHolder(a.t("ui.sign.reason_ph"))
	v.ReasonScope = para(a.t("ui.batch.reason_scope"))
	v.ReasonScope.Hide()
	pages := []string{StampNone, StampFirst, StampLast}
	labels := []string{a.t("ui.sign.stamp_none"), a.t("ui.sign.stamp_first"), a.t("ui.sign.stamp_last")}
	if a.opt.Pages != nil {
		pages, labels = append(pages, StampPlaced), append(labels, a.t("ui.preview.stamp_placed"))
		v.Preview = newPagePreview(v, a.opt.Pages)
	}
	v.stampChoices = pages
	v.Stamp = widget.NewSelect(labels, nil)
	var corners []string
	for _, c := range StampCorners {
		corners = append(corners, a.t("ui.sign.corner_"+strings.ReplaceAll(c, "-", "_")))
	}
	v.Corner = widget.NewSelect(corners, func(string) {
		if i := v.Corner.SelectedIndex(); i >= 0 {
			a.stampCorn = StampCorners[i]
			v.recheck()
		}
	})
	v.Stamp.OnChanged = func(string) {
		i := v.Stamp.SelectedIndex()
		if i < 0 {
			return
		}
		a.stampPage = pages[i]
		v.syncStamp()
		v.recheck()
	}
	v.StampNote = para(a.t("ui.sign.stamp_by_field"))
	v.StampNote.Hide()
	ci := 0
	for i, c := range StampCorners {
		if c == a.stampCorn {
			ci = i
		}
	}
	v.Corner.SetSelectedIndex(ci)
	if a.stampPage == StampPlaced {
		a.stampPage = StampNone // a place is chosen on a document's preview, this screen has none yet
	}
	pi := 0
	for i, p := range pages {
		if p == a.stampPage {
			pi = i
		}
	}
	v.Stamp.SetSelectedIndex(pi)

	st := a.opt.Store.Settings()
	save := func() {
		s := a.opt.Store.Settings()
		s.TSAURL, s.LTV, s.AllowLower = strings.TrimSpace(v.TSA.Text), v.LTV.Checked, v.AllowLower.Checked
		s.TSAUser = strings.TrimSpace(v.TSAUser.Text)
		_ = a.opt.Store.SetSettings(s)
	}
	v.TSA = newInput()
	v.TSA.SetPlaceHolder(a.t("ui.sign.tsa_ph"))
	v.TSA.SetText(st.TSAURL)
	v.TSAUser = newInput()
	v.TSAUser.SetPlaceHolder(a.t("ui.sign.tsa_user_ph"))
	v.TSAUser.SetText(st.TSAUser)
	v.TSAPass = newCodeInput()
	v.TSAPass.SetPlaceHolder(a.t("ui.sign.tsa_pass_ph"))
	v.LTV = widget.NewCheck(a.t("ui.sign.ltv"), nil)
	v.LTV.SetChecked(st.LTV)
	v.AllowLower = widget.NewCheck(a.t("ui.sign.allow_lower"), nil)
	v.AllowLower.SetChecked(st.AllowLower)
	v.tsaLogin = container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(a.t("ui.sign.tsa_user"), a.wheel(v.TSAUser)),
			widget.NewFormItem(a.t("ui.sign.tsa_pass"), a.wheel(v.TSAPass)),
		),
		para(a.t("ui.sign.tsa_login_note")))
	v.TSA.OnChanged = func(string) { save(); v.showLogin(); v.recheck() }
	v.TSAUser.OnChanged = func(string) { save() }
	v.LTV.OnChanged = func(bool) { save(); v.recheck() }
	v.AllowLower.OnChanged = func(bool) { save(); v.recheck() } // the TSA check depends on it
	return v
}

// options is the folded "Options" section: plain words first, the
// technical names only in the details line at the bottom.
func (v *SignView) options() fyne.CanvasObject {
	a := v.a
	tech := para(a.t("ui.sign.tech_details"))
	tech.Importance = widget.LowImportance
	body := container.NewVBox(
		v.certBox,
		widget.NewForm(
			widget.NewFormItem(a.t("ui.sign.reason_label"), container.NewVBox(a.wheel(v.Reason), v.ReasonScope)),
			widget.NewFormItem(a.t("ui.sign.stamp"), container.NewVBox(v.Stamp, v.Corner, v.StampNote)), // stacked: fits 800 px
		),
		bold(a.t("ui.sign.tsa")),
		a.wheel(v.TSA),
		v.tsaLogin,
		v.LTV,
		v.AllowLower,
		tech,
	)
	v.showLogin()
	v.Options = widget.NewAccordion(widget.NewAccordionItem(a.t("ui.sign.options"), body))
	return v.Options
}

// showLogin shows the TSA login fields only with a TSA address: no login
// questions for those who do not use one.
func (v *SignView) showLogin() {
	if on := strings.TrimSpace(v.TSA.Text) != ""; on != v.tsaLogin.Visible() {
		if on {
			v.tsaLogin.Show()
		} else {
			v.tsaLogin.Hide()
		}
		v.a.relayout()
	}
}

// signOptions are the screen's choices for the signer.
func (v *SignView) signOptions(cert CertInfo) SignOptions {
	a := v.a
	o := SignOptions{
		Name: cert.Holder, Reason: strings.TrimSpace(v.Reason.Text), Lang: a.lang,
		TSAURL: strings.TrimSpace(v.TSA.Text), LTV: v.LTV.Checked, AllowLower: v.AllowLower.Checked,
		StampPage: a.stampPage, StampCorner: a.stampCorn,
	}
	if v.Field != nil && v.Field.Visible() {
		o.Field = v.selectedField()
	}
	if o.StampPage == StampPlaced {
		o.StampPageNum, o.StampRect = v.placePage, v.placeRect
	}
	if o.TSAURL != "" {
		o.TSAUser, o.TSAPassword = strings.TrimSpace(v.TSAUser.Text), v.TSAPass.Text
	}
	return o
}

// stampPlaced says the stamp goes where it was placed on the preview.
func (v *SignView) stampPlaced() bool { return v.a.stampPage == StampPlaced && v.placeRect[2] > 0 }

// setStampChoice selects choice in the Stamp select (without the select's
// own reaction: the caller has set what goes with it).
func (v *SignView) setStampChoice(choice string) {
	a := v.a
	a.stampPage = choice
	for i, c := range v.stampChoices {
		if c == choice && v.Stamp.SelectedIndex() != i {
			on := v.Stamp.OnChanged
			v.Stamp.OnChanged = nil
			v.Stamp.SetSelectedIndex(i)
			v.Stamp.OnChanged = on
		}
	}
	v.syncStamp()
}

// syncStamp enables the stamp's choices that count: none when the
// document's own field decides the stamp; the corner only for a corner.
func (v *SignView) syncStamp() {
	a := v.a
	switch {
	case v.fillsField:
		v.Stamp.Disable()
		v.Corner.Disable()
		v.StampNote.Show()
		return
	case a.stampPage == StampNone || a.stampPage == StampPlaced:
		v.Corner.Disable()
	default:
		v.Corner.Enable()
	}
	v.Stamp.Enable()
	v.StampNote.Hide()
}

func (v *SignView) build() fyne.CanvasObject {
	a := v.a
	v.tokenChanged()
	if v.Input != "" {
		v.inputLbl.SetText(v.Input)
	}
	doc := widget.NewCard("", "", container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(a.t("ui.sign.input")), nil, v.inputLbl),
		v.DocStatus,
		v.batchOutRow(),
		v.Field,
		container.NewHBox(
			newIconButton(a.t("ui.sign.choose"), theme.FolderOpenIcon(), v.choose),
			newIconButton(a.t("ui.sign.sample"), theme.FileIcon(), v.useSample)),
	))
	pinItems := []fyne.CanvasObject{widget.NewForm(widget.NewFormItem(a.t("ui.sign.pin"), a.wheel(v.PIN)))}
	if a.module.Demo {
		l := para(a.t("ui.sign.demo_pin", map[string]any{"PIN": a.opt.Tokens.DemoCodes().UnlockCode}))
		l.Importance = widget.WarningImportance
		pinItems = append(pinItems, l)
	}
	// the button and what its click did, side by side
	pinItems = append(pinItems, container.NewBorder(nil, nil, container.NewVBox(v.Submit), nil, v.Status), v.progress)
	v.intro = para(a.t("ui.sign.intro"))
	if v.Output != "" {
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
	if v.Preview == nil {
		return container.NewVBox(top, v.options())
	}
	// the preview beside the form when there is room, else under "Signer"
	return container.New(&sideBySide{side: 320}, top, v.Preview.view(), v.options())
}

func (v *SignView) tokenChanged() {
	a := v.a
	t := a.Current()
	if t == nil {
		v.tokenLine.Objects = []fyne.CanvasObject{container.NewHBox(badge(a.t("ui.token.plug"), theme.ColorNameWarning))}
	} else {
		line := a.t("ui.sign.no_cert")
		if c := a.signingCert(); c != nil {
			line = a.t("ui.sign.with_cert", map[string]any{"Cert": a.certName(c), "Label": t.Label})
		}
		v.certLine.SetText(line)
		v.tokenLine.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, container.NewVBox(pinBadge(a, t.PIN)), v.certLine)}
	}
	v.tokenLine.Refresh()
	v.certChoices()
	v.forgetCodeOnChange()
	v.recheck()
	v.a.relayout()
}

// codeTarget names what a PIN typed now would be sent for.
func (v *SignView) codeTarget() string {
	serial, cert := "", ""
	if t := v.a.Current(); t != nil {
		serial = t.Serial
	}
	if c := v.a.signingCert(); c != nil {
		cert = fmt.Sprintf("%x", c.ID)
	}
	return strings.Join(append([]string{serial, cert, v.Input}, v.Batch...), "\x00")
}

// forgetCodeOnChange clears the PIN when the token, the certificate or the
// documents it was typed for changed.
func (v *SignView) forgetCodeOnChange() {
	k := v.codeTarget()
	if v.codeFor != "" && k != v.codeFor && v.PIN.Text != "" {
		v.PIN.SetText("")
	}
	v.codeFor = k
}

// certName tells one certificate from another in words: what it is for,
// then, only when needed, its expiry or the end of its number.
func (a *App) certName(c *CertInfo) string { return a.certLabel(c) }

// certChoices fills the certificate Select; it is shown only when the
// token holds two signing certificates or more.
func (v *SignView) certChoices() {
	a := v.a
	cs := a.signingCerts()
	if a.Current() == nil || len(cs) < 2 {
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
	on := v.Cert.OnChanged
	v.Cert.OnChanged = nil
	v.Cert.SetOptions(names)
	if sel >= 0 {
		v.Cert.SetSelectedIndex(sel)
	}
	v.Cert.OnChanged = on
	v.certBox.Objects = []fyne.CanvasObject{widget.NewForm(widget.NewFormItem(a.t("ui.sign.cert"), v.Cert))}
	v.certBox.Refresh()
}

// certRefusal says why a certificate cannot sign now (nil: it can).
func certRefusal(c *CertInfo, now time.Time) error {
	switch {
	case c.Expired || (!c.NotAfter.IsZero() && now.After(c.NotAfter)):
		return &textError{key: "ui.sign.cert_expired", data: map[string]any{"Date": c.NotAfter}}
	case c.NotYetValid || (!c.NotBefore.IsZero() && now.Before(c.NotBefore)):
		return &textError{key: "ui.sign.cert_not_yet", data: map[string]any{"Date": c.NotBefore}}
	case len(c.KeyUsage) > 0 && !hasUsage(c, "digital_signature") && !hasUsage(c, "non_repudiation"):
		return &textError{key: "ui.sign.cert_not_signing"}
	}
	return nil
}

// recheck runs every check that needs no PIN for the document, the output
// folder, the options and the certificate, then enables "Signer" or says
// next to the document why not. Stale answers are dropped.
func (v *SignView) recheck() {
	a := v.a
	if v.Reason == nil || v.TSA == nil {
		return // still being built
	}
	if v.Preview != nil {
		v.Preview.sync() // the stamp where the options now put it
	}
	cert := a.signingCert()
	if len(v.Batch) > 1 && cert != nil && a.Current() != nil {
		// several documents: each is checked now, before any click or PIN,
		// and again at the click (screen_sign_batch.go)
		v.checkBatch(cert)
		return
	}
	if v.Input == "" || cert == nil || a.Current() == nil {
		v.checkGen++
		v.Checked, v.CheckErr, v.checkedKey = false, nil, ""
		v.showCheck()
		return
	}
	// a token event re-draws the screen: the same facts need no new check
	// (the click checks the file again, and so does the signature itself)
	ko := v.signOptions(*cert)
	ko.TSAPassword = "" // no secret kept in the key
	key := fmt.Sprintf("%s|%x|%s|%+v", v.Input, cert.ID, a.Current().Serial, ko)
	if key == v.checkedKey {
		v.showCheck()
		return
	}
	v.checkedKey = key
	v.checkGen++
	gen := v.checkGen
	v.Checked, v.CheckErr = false, nil
	if err := certRefusal(cert, time.Now()); err != nil {
		v.Checked, v.CheckErr = true, err
		v.showCheck()
		return
	}
	in, opts, c, slot := v.Input, v.signOptions(*cert), *cert, a.Current().Slot
	svc, signer, docs, suffix := a.opt.Tokens, a.docs, a.documentsDir(), a.t("ui.sign.suffix")
	v.showCheck()
	a.background(func() {
		out, err := outputIn(in, docs, suffix)
		if err == nil {
			err = signer.Check(in, out, opts)
		}
		if err == nil {
			// the chain completed and B-LT's needs checked now, before
			// the PIN is asked for (the click does it again, cached)
			_, err = prepare(context.Background(), svc, signer, slot, c, opts)
		}
		a.do(func() {
			if gen != v.checkGen {
				return
			}
			v.Checked, v.CheckErr = true, err
			v.showCheck()
		})
	})
}

// showCheck shows the check's answer beside the document and sets the
// button.
func (v *SignView) showCheck() {
	a := v.a
	switch {
	case v.CheckErr != nil:
		setStatus(v.DocStatus, a.t("ui.sign.cannot", map[string]any{"Why": Message(v.CheckErr, a.lang)}), widget.DangerImportance)
	case v.Input != "" && !v.Checked && a.signingCert() != nil:
		setStatus(v.DocStatus, a.t("ui.sign.checking"), widget.LowImportance)
	// checked and fine: nothing to say, "Signer" is enabled
	default:
		setStatus(v.DocStatus, "", widget.MediumImportance)
	}
	// an empty line would push "Signer" down for nothing
	if shown := v.DocStatus.Visible(); shown != (v.DocStatus.Text != "") {
		if shown {
			v.DocStatus.Hide()
		} else {
			v.DocStatus.Show()
		}
		a.relayout()
	}
	v.setButton()
}

// CanSign says whether "Signer" is enabled: a token, a signing
// certificate, a document that passed every check, nothing in flight.
func (v *SignView) CanSign() bool {
	t := v.a.Current()
	return !v.busy && t != nil && t.PIN != PINLocked && v.a.signingCert() != nil &&
		v.Input != "" && v.Checked && v.CheckErr == nil
}

func (v *SignView) setButton() {
	// a batch's button says how many documents it signs, never "le document"
	if v.Submit == nil {
		return // still being built
	}
	text := v.a.t("ui.sign.submit")
	if len(v.Batch) > 1 {
		n := v.batchOK
		if !v.Checked {
			n = len(v.Batch)
		}
		text = v.a.n("ui.batch.submit", n)
		if n == 0 {
			text = v.a.t("ui.batch.submit_none") // French's singular covers 0
		}
	}
	if v.Submit.Text != text {
		v.Submit.SetText(text)
	}
	if v.CanSign() {
		v.Submit.Enable()
	} else {
		v.Submit.Disable()
	}
}

// SignView is the test signature screen's state (nil on other screens).
func (a *App) SignView() *SignView { return a.sign }

// PINForm is the PIN screen's form (nil on other screens).
func (a *App) PINForm() *PINForm { return a.pin }

// UnblockForm is the blocked screen's form (nil on other screens).
func (a *App) UnblockForm() *UnblockForm { return a.unb }
