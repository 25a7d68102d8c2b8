package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
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
	a      *App
	Input  string // the PDF to sign; never written to
	Output string // the signed copy, after success
	Result *Verification

	PIN    *widget.Entry
	Submit *widget.Button
	// Options (folded under "Options"): the certificate (a Select shown
	// only with 2+ signing certificates), the reason, the visible stamp,
	// the timestamp server and its login, long-term validation.
	Cert       *widget.Select
	Reason     *widget.Entry
	Stamp      *widget.Select // invisible / first page / last page
	Corner     *widget.Select // StampCorners, in the UI language
	TSA        *widget.Entry
	TSAUser    *widget.Entry
	TSAPass    *widget.Entry
	LTV        *widget.Check
	AllowLower *widget.Check
	Options    *widget.Accordion
	tsaLogin   *fyne.Container // login fields, shown with a TSA address
	certBox    *fyne.Container
	certIDs    [][]byte
	Warning    error // the signer's reason for a lower level, after success
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
	// Batch: several documents to sign with one PIN (screen_sign_batch.go);
	// BatchSigned how many the last batch signed.
	Batch       []string
	BatchSigned int
	batchCancel *widget.Button
}

func newSignView(a *App) *SignView {
	v := &SignView{a: a}
	v.PIN = widget.NewPasswordEntry()
	v.PIN.SetPlaceHolder(a.t("ui.sign.pin_ph"))
	v.PIN.OnSubmitted = func(string) { v.SignNow() }
	v.Submit = widget.NewButtonWithIcon(a.t("ui.sign.submit"), theme.DocumentCreateIcon(), v.SignNow)
	v.Submit.Importance = widget.HighImportance
	v.Status = para("")
	v.DocStatus = para("")
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
	v.Reason = widget.NewEntry()
	v.Reason.SetPlaceHolder(a.t("ui.sign.reason_ph"))
	pages := []string{StampNone, StampFirst, StampLast}
	v.Stamp = widget.NewSelect([]string{a.t("ui.sign.stamp_none"), a.t("ui.sign.stamp_first"), a.t("ui.sign.stamp_last")}, nil)
	var corners []string
	for _, c := range StampCorners {
		corners = append(corners, a.t("ui.sign.corner_"+strings.ReplaceAll(c, "-", "_")))
	}
	v.Corner = widget.NewSelect(corners, func(string) {
		if i := v.Corner.SelectedIndex(); i >= 0 {
			a.stampCorn = StampCorners[i]
		}
	})
	v.Stamp.OnChanged = func(string) {
		i := v.Stamp.SelectedIndex()
		if i < 0 {
			return
		}
		a.stampPage = pages[i]
		if i == 0 {
			v.Corner.Disable()
		} else {
			v.Corner.Enable()
		}
		v.recheck()
	}
	ci := 0
	for i, c := range StampCorners {
		if c == a.stampCorn {
			ci = i
		}
	}
	v.Corner.SetSelectedIndex(ci)
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
	v.TSA = widget.NewEntry()
	v.TSA.SetPlaceHolder(a.t("ui.sign.tsa_ph"))
	v.TSA.SetText(st.TSAURL)
	v.TSAUser = widget.NewEntry()
	v.TSAUser.SetPlaceHolder(a.t("ui.sign.tsa_user_ph"))
	v.TSAUser.SetText(st.TSAUser)
	v.TSAPass = widget.NewPasswordEntry()
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
			widget.NewFormItem(a.t("ui.sign.reason_label"), a.wheel(v.Reason)),
			widget.NewFormItem(a.t("ui.sign.stamp"), container.NewVBox(v.Stamp, v.Corner)), // stacked: fits 800 px
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
	if o.TSAURL != "" {
		o.TSAUser, o.TSAPassword = strings.TrimSpace(v.TSAUser.Text), v.TSAPass.Text
	}
	return o
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
		container.NewHBox(
			widget.NewButtonWithIcon(a.t("ui.sign.choose"), theme.FolderOpenIcon(), v.choose),
			widget.NewButtonWithIcon(a.t("ui.sign.sample"), theme.FileIcon(), v.useSample)),
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
	return container.NewVBox(
		title(a.t("ui.sign.title")),
		v.intro,
		v.tokenLine,
		doc,
		widget.NewCard("", "", container.NewVBox(pinItems...)),
		v.result,
		v.options(),
	)
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
	v.recheck()
	v.a.relayout()
}

// certName tells one certificate from another: the holder is often the
// same on each, the label, key type and end date differ.
func (a *App) certName(c *CertInfo) string {
	return a.t("ui.sign.cert_name", map[string]any{"Holder": c.Holder, "Label": c.Label, "Type": keyType(c),
		"Date": fmtDate(a.lang, c.NotAfter)})
}

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
		names = append(names, fmt.Sprintf("%d. %s", i+1, a.certName(c)))
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
	case c.NotYet || (!c.NotBefore.IsZero() && now.Before(c.NotBefore)):
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
	cert := a.signingCert()
	if len(v.Batch) > 1 && cert != nil && a.Current() != nil {
		// several documents: each is checked at the click, before the PIN
		// is used (screen_sign_batch.go)
		v.checkGen++
		v.Checked, v.CheckErr, v.checkedKey = true, nil, ""
		v.setButton()
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
	in, opts := v.Input, v.signOptions(*cert)
	signer, docs, suffix := a.opt.Signer, a.documentsDir(), a.t("ui.sign.suffix")
	v.showCheck()
	a.background(func() {
		out, err := outputIn(in, docs, suffix)
		if err == nil {
			err = signer.Check(in, out, opts)
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
	if v.CanSign() {
		v.Submit.Enable()
	} else {
		v.Submit.Disable()
	}
}

func keyType(c *CertInfo) string {
	if c.Cert == nil {
		return "?"
	}
	return c.Cert.PublicKeyAlgorithm.String()
}

// HandleDrop is the window's drop handler: the first PDF dropped becomes the
// document to sign (the test signature screen opens if needed).
func (a *App) HandleDrop(uris []fyne.URI) {
	var pdf fyne.URI
	var pdfs []string
	for _, u := range uris {
		if u.Scheme() == "file" && strings.EqualFold(filepath.Ext(u.Path()), ".pdf") {
			if pdf == nil {
				pdf = u
			}
			pdfs = append(pdfs, u.Path())
		}
	}
	if len(pdfs) > 1 { // several documents, one PIN (screen_sign_batch.go)
		if a.screen != ScreenSign {
			a.Show(ScreenSign)
		}
		a.ops.Add("pdf_dropped", fmt.Sprintf("%d", len(pdfs)))
		a.sign.SetInputs(pdfs)
		return
	}
	if pdf != nil && a.offerOnDrop(pdf.Path()) {
		return // already signed: "Vérifier" or "Signer aussi" (screen_verify.go)
	}
	if a.screen != ScreenSign {
		a.Show(ScreenSign)
	}
	if pdf == nil {
		a.sign.Status.SetText(a.t("ui.sign.not_pdf"))
		return
	}
	a.ops.Add("pdf_dropped", filepath.Base(pdf.Path()))
	a.sign.setInput(pdf.Path())
}

// SignView is the test signature screen's state (nil on other screens).
func (a *App) SignView() *SignView { return a.sign }

// PINForm is the PIN screen's form (nil on other screens).
func (a *App) PINForm() *PINForm { return a.pin }

// UnblockForm is the blocked screen's form (nil on other screens).
func (a *App) UnblockForm() *UnblockForm { return a.unb }

func (v *SignView) setInput(p string) {
	v.Batch = nil
	v.Input = p
	v.inputLbl.SetText(p)
	v.Status.SetText("")
	v.result.Objects = nil
	v.result.Refresh()
	// the stamp's reason is the person's: empty, except on the sample
	if p == v.sample {
		v.Reason.SetText(v.a.t("ui.sign.reason"))
	} else if v.Reason.Text == v.a.t("ui.sign.reason") {
		v.Reason.SetText("")
	}
	v.checkedKey = "" // chosen again: it may have changed on disk
	v.recheck()
	if !v.PIN.Disabled() {
		v.a.win.Canvas().Focus(v.PIN)
	}
}

func (v *SignView) choose() { v.a.choosePDF(v.setInput) }

// choosePDF asks for a PDF in the UI's language: a path can be typed or
// pasted, or found with "Parcourir…" (Fyne's file dialog, opened in the
// documents folder, filtered on PDFs).
func (a *App) choosePDF(then func(path string)) {
	path := widget.NewEntry()
	path.SetPlaceHolder(a.t("ui.choose.path_ph"))
	msg := para("")
	var d dialog.Dialog
	accept := func() {
		p := strings.TrimSpace(path.Text)
		if strings.HasPrefix(p, "file://") {
			if u, err := storage.ParseURI(p); err == nil {
				p = u.Path()
			}
		}
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			setStatus(msg, a.t("ui.choose.not_found"), widget.DangerImportance)
			return
		}
		if !strings.EqualFold(filepath.Ext(p), ".pdf") {
			setStatus(msg, a.t("ui.sign.not_pdf"), widget.DangerImportance)
			return
		}
		d.Hide()
		then(p)
	}
	path.OnSubmitted = func(string) { accept() }
	browse := widget.NewButtonWithIcon(a.t("ui.choose.browse"), theme.FolderOpenIcon(), func() {
		fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			path.SetText(r.URI().Path())
			r.Close()
		}, a.win)
		fd.SetFilter(storage.NewExtensionFileFilter([]string{".pdf", ".PDF"}))
		if l, err := storage.ListerForURI(storage.NewFileURI(a.documentsDir())); err == nil {
			fd.SetLocation(l)
		}
		fd.SetConfirmText(a.t("ui.choose.open"))
		fd.SetDismissText(a.t("ui.cancel"))
		fd.Resize(fyne.NewSize(700, 500))
		fd.Show()
	})
	open := widget.NewButtonWithIcon(a.t("ui.choose.open"), theme.ConfirmIcon(), accept)
	open.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon(a.t("ui.cancel"), theme.CancelIcon(), func() { d.Hide() })
	body := container.NewVBox(para(a.t("ui.choose.text")), container.NewBorder(nil, nil, nil, browse, path), msg,
		container.NewHBox(layout.NewSpacer(), cancel, open))
	// its own buttons: a path that does not exist keeps the dialog open
	d = dialog.NewCustomWithoutButtons(a.t("ui.choose.title"), body, a.win)
	d.Resize(fyne.NewSize(620, 0))
	d.Show()
	a.win.Canvas().Focus(path)
	a.chooser = path
}

// ChooserField is the path field of the open-PDF dialog last shown (tests).
func (a *App) ChooserField() *widget.Entry { return a.chooser }

// UseSample writes the sample document to the documents folder and selects it.
func (v *SignView) useSample() { v.UseSample() }

// UseSample generates the sample PDF and selects it.
func (v *SignView) UseSample() {
	a := v.a
	dir := a.documentsDir()
	lang := a.lang
	name := a.t("ui.sign.sample_name") + ".pdf"
	a.background(func() {
		p := uniquePath(filepath.Join(dir, name))
		err := writeSample(a.opt.Signer, p, lang)
		a.do(func() {
			if err != nil {
				v.Status.SetText(Message(err, a.lang))
				return
			}
			a.ops.Add("sample_written", p)
			v.sample = p
			v.setInput(p)
		})
	})
}

func writeSample(s Signer, p, lang string) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if err := s.SamplePDF(f, lang); err != nil {
		f.Close()
		os.Remove(p)
		return err
	}
	return f.Close()
}

// uniquePath returns p, or p with " (2)", " (3)"… before the extension,
// whichever does not exist yet.
func uniquePath(p string) string {
	if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
		return p
	}
	ext := filepath.Ext(p)
	base := strings.TrimSuffix(p, ext)
	for i := 2; ; i++ {
		q := fmt.Sprintf("%s (%d)%s", base, i, ext)
		if _, err := os.Lstat(q); errors.Is(err, os.ErrNotExist) {
			return q
		}
	}
}

// outputFor is where the signed copy of in goes: beside it, or in the
// documents folder when that folder is not writable; an error when neither
// is. The name has one suffix, numbered when taken: x.pdf → x-signé.pdf,
// then x-signé-2.pdf; re-signing x-signé.pdf gives x-signé-2.pdf too.
func (a *App) outputFor(in string) (string, error) {
	return outputIn(in, a.documentsDir(), a.t("ui.sign.suffix"))
}

// outputIn is outputFor with what it needs from the app given (it runs off
// the UI goroutine).
func outputIn(in, docs, suffix string) (string, error) {
	dir := filepath.Dir(in)
	if !writableDir(dir) {
		if writableDir(docs) {
			dir = docs
		} else {
			return "", &textError{key: "ui.sign.out_not_writable", data: map[string]any{"Dir": filepath.Dir(in), "Docs": docs}}
		}
	}
	return signedName(dir, filepath.Base(in), suffix), nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func writableDir(dir string) bool {
	f, err := os.CreateTemp(dir, ".certigna-write-test-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// signedSuffix matches a suffix this app adds, in either language, with
// its number: "-signé", "-signed-3".
var signedSuffix = regexp.MustCompile(`-(signé|signed)(-[0-9]+)?$`)

func signedName(dir, base, suffix string) string {
	ext := filepath.Ext(base)
	stem := signedSuffix.ReplaceAllString(strings.TrimSuffix(base, ext), "")
	for i := 1; ; i++ {
		n := stem + suffix
		if i > 1 {
			n += fmt.Sprintf("-%d", i)
		}
		p := filepath.Join(dir, n+".pdf")
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			return p
		}
	}
}

// SignNow is the sign button's action: at most one PIN try per click.
func (v *SignView) SignNow() {
	a := v.a
	if v.busy {
		return
	}
	if len(v.Batch) > 1 {
		v.signBatch() // several documents, one PIN (screen_sign_batch.go)
		return
	}
	fail := func(msg string) {
		setStatus(v.Status, msg, widget.DangerImportance)
	}
	t := a.Current()
	switch {
	case t == nil:
		fail(a.t("ui.token.plug"))
		return
	case t.PIN == PINLocked:
		fail(a.t("ui.advice.locked"))
		return
	case a.signingCert() == nil:
		fail(a.t("ui.sign.no_cert"))
		return
	case v.Input == "":
		fail(a.t("ui.sign.no_input"))
		return
	case !v.Checked:
		fail(a.t("ui.sign.checking"))
		return
	case v.CheckErr != nil:
		// said beside the document already; the PIN is not asked for
		fail(a.t("ui.sign.see_document"))
		return
	case !fileExists(v.Input):
		// gone since the check (moved, a USB stick removed): check again
		v.checkedKey = ""
		v.recheck()
		fail(a.t("ui.sign.see_document"))
		return
	case v.PIN.Text == "":
		fail(a.t("ui.sign.no_pin"))
		a.win.Canvas().Focus(v.PIN)
		return
	}
	cert := *a.signingCert()
	if t.PIN == PINFinalTry {
		a.confirmFinalTry(a.t("ui.final_try.text"), func(ok bool) {
			if ok {
				v.run(*t, cert, true)
			}
		})
		return
	}
	v.run(*t, cert, false)
}

func (v *SignView) run(t TokenInfo, cert CertInfo, finalTry bool) {
	a := v.a
	v.busy = true
	in, pin := v.Input, v.PIN.Text
	out, oerr := a.outputFor(in)
	if oerr != nil {
		v.busy = false
		v.Checked, v.CheckErr = true, oerr
		v.showCheck()
		return
	}
	v.PIN.SetText("")
	v.PIN.Disable()
	v.Submit.Disable()
	setStatus(v.Status, a.t("ui.sign.working"), widget.MediumImportance)
	v.progress.Objects = []fyne.CanvasObject{widget.NewProgressBarInfinite()}
	v.progress.Refresh()
	v.result.Objects = nil
	v.result.Refresh()
	svc, signer := a.opt.Tokens, a.opt.Signer
	opts := v.signOptions(cert)
	v.lastCert = cert.ID
	a.ops.Add("sign_start", filepath.Base(in))
	secrets := a.opt.Secrets
	a.background(func() {
		typed := opts.TSAPassword != ""
		opts = tsaLogin(secrets, opts)
		ver, res, err := signAndVerify(svc, signer, t, cert, in, out, pin, finalTry, opts)
		if err == nil && typed && res.Level != "B-B" {
			rememberTSA(secrets, opts) // the server took it: keep it for next time
		}
		removed := false
		if err != nil {
			if toks, terr := svc.Tokens(); terr != nil || pickSerial(toks, t.Serial) == nil {
				removed = true
			}
		}
		a.do(func() { v.done(t, out, ver, res, err, removed) })
	})
}

// tsaLogin completes the TSA login: none typed now, the keychain's is used.
// A keychain that is not there (no Secret Service) or does not answer in
// time only means nothing is remembered.
func tsaLogin(sec Secrets, o SignOptions) SignOptions {
	if o.TSAURL == "" || o.TSAUser == "" || o.TSAPassword != "" {
		return o
	}
	if p, ok := keychainGet(sec, tsaService, tsaAccount(o.TSAUser, o.TSAURL)); ok {
		o.TSAPassword = p
	}
	return o
}

// rememberTSA keeps a typed password that the server accepted.
func rememberTSA(sec Secrets, o SignOptions) {
	if o.TSAURL == "" || o.TSAUser == "" || o.TSAPassword == "" {
		return
	}
	done := make(chan struct{})
	go func() {
		_ = sec.Set(tsaService, tsaAccount(o.TSAUser, o.TSAURL), o.TSAPassword)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(keychainWait):
	}
}

// keychainWait bounds a keychain call: a D-Bus session without a Secret
// Service may take its own timeout (25 s) to say so.
const keychainWait = 3 * time.Second

func keychainGet(sec Secrets, service, account string) (string, bool) {
	type answer struct {
		p   string
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		p, err := sec.Get(service, account)
		ch <- answer{p, err}
	}()
	select {
	case a := <-ch:
		return a.p, a.err == nil
	case <-time.After(keychainWait):
		return "", false
	}
}

func pickSerial(toks []TokenInfo, serial string) *TokenInfo {
	for i := range toks {
		if toks[i].Serial == serial {
			return &toks[i]
		}
	}
	return nil
}

// signAndVerify sends the PIN once: the options are checked first, and a
// failed timestamp is never retried here (AllowLower decides beforehand).
func signAndVerify(svc TokenService, signer Signer, t TokenInfo, cert CertInfo, in, out, pin string, finalTry bool, opts SignOptions) (*Verification, SignResult, error) {
	if err := signer.Check(in, out, opts); err != nil {
		return nil, SignResult{}, err
	}
	key, err := svc.OpenKey(t.Slot, cert.ID, pin, finalTry)
	if err != nil {
		return nil, SignResult{}, err
	}
	defer key.Close()
	res, err := signer.Sign(context.Background(), in, out, key, opts)
	if err != nil {
		return nil, SignResult{}, err
	}
	ver, err := signer.Verify(out, opts.Lang)
	if err != nil {
		return nil, res, err
	}
	return &ver, res, nil
}

func (v *SignView) done(t TokenInfo, out string, ver *Verification, res SignResult, err error, removed bool) {
	a := v.a
	v.busy = false
	v.PIN.Enable()
	v.setButton()
	v.progress.Objects = nil
	v.progress.Refresh()
	if err != nil {
		msg := Message(err, a.lang)
		if removed {
			msg = a.t("ui.sign.removed") + "\n" + msg
		}
		a.ops.Add("sign", "failed: "+Message(err, "en"))
		setStatus(v.Status, msg, widget.DangerImportance)
		a.Refresh()
		return
	}
	v.Output, v.Result, v.Warning = out, ver, res.Warning
	v.Status.SetText("")
	a.ops.Add("sign", "ok: "+filepath.Base(out))
	a.rememberCert(t.Serial, v.lastCert)
	if ver.Valid {
		_ = a.opt.Store.SetDone(t.Serial, StepTestSignature, true)
	}
	// the outcome beside the button; the details right under it, compact
	// enough that the result fits at 1024×740 without scrolling
	setStatus(v.Status, a.t("ui.sign.success"), widget.SuccessImportance)
	verdict := badge(a.t("ui.sign.valid"), theme.ColorNameSuccess)
	if !ver.Valid {
		setStatus(v.Status, a.t("ui.sign.invalid_text", map[string]any{"Detail": ver.Detail}), widget.DangerImportance)
		verdict = badge(a.t("ui.sign.invalid"), theme.ColorNameError)
	}
	rows := [][]fyne.CanvasObject{
		kv(a.t("ui.sign.output"), out),
		kv(a.t("ui.cert.holder"), ver.Holder),
		kv(a.t("ui.sign.time"), fmtTime(a.lang, ver.Time)),
	}
	trust := a.t("ui.sign.trust_unknown")
	switch ver.Trust {
	case TrustTrusted:
		trust = a.t("ui.sign.trust_yes")
	case TrustUntrusted:
		trust = a.t("ui.sign.trust_no")
	}
	if ver.Level != "" {
		rows = append(rows, kv(a.t("ui.sign.level"), a.t("ui.sign.level_"+strings.ReplaceAll(ver.Level, "-", "_"))))
	}
	if !ver.Timestamp.IsZero() {
		rows = append(rows, kv(a.t("ui.sign.timestamp"), fmtTime(a.lang, ver.Timestamp)))
	}
	var top []fyne.CanvasObject
	if res.Warning != nil {
		a.ops.Add("sign_lower", res.Level)
		top = append(top, bannerBox(a.t("ui.sign.lower", map[string]any{"Level": a.t("ui.sign.level_" + strings.ReplaceAll(res.Level, "-", "_")), "Err": Message(res.Warning, a.lang)}), theme.ColorNameWarning))
	}
	v.intro.Hide() // read already; room for the result
	v.result.Objects = append(top,
		widget.NewCard("", "", container.NewVBox(
			container.NewBorder(nil, nil, container.NewVBox(verdict), nil, para(trust)),
			form(rows...),
			container.NewHBox(
				widget.NewButtonWithIcon(a.t("ui.sign.open_file"), theme.FileIcon(), func() { a.openPath(out) }),
				widget.NewButtonWithIcon(a.t("ui.sign.open_folder"), theme.FolderOpenIcon(), func() { a.openPath(filepath.Dir(out)) }),
				widget.NewButton(a.t("ui.sign.back_guide"), func() { a.Show(ScreenGuide) }),
			),
		)),
	)
	v.result.Refresh()
	a.relayout()
	a.Refresh()
}
