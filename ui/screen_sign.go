package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// SignView is the test signature: a PDF (dropped, chosen or the sample), the
// PIN, the signature off the UI goroutine, and the check of what was written.
type SignView struct {
	a      *App
	Input  string // the PDF to sign; never written to
	Output string // the signed copy, after success
	Result *Verification

	PIN    *widget.Entry
	Submit *widget.Button
	// Options: the certificate (a Select shown only with 2+ signing
	// certificates), the visible stamp, the timestamp server.
	Cert       *widget.Select
	Stamp      *widget.Select // invisible / first page / last page
	Corner     *widget.Select // StampCorners, in the UI language
	TSA        *widget.Entry
	LTV        *widget.Check
	AllowLower *widget.Check
	certBox    *fyne.Container
	certIDs    [][]byte
	Warning    error // the signer's reason for a lower level, after success
	Status     *widget.Label
	inputLbl   *widget.Label
	tokenLine  *fyne.Container
	progress   *fyne.Container
	result     *fyne.Container
	busy       bool
}

func newSignView(a *App) *SignView {
	v := &SignView{a: a}
	v.PIN = widget.NewPasswordEntry()
	v.PIN.SetPlaceHolder(a.t("ui.sign.pin_ph"))
	v.PIN.OnSubmitted = func(string) { v.SignNow() }
	v.Submit = widget.NewButtonWithIcon(a.t("ui.sign.submit"), theme.DocumentCreateIcon(), v.SignNow)
	v.Submit.Importance = widget.HighImportance
	v.Status = para("")
	v.inputLbl = bold(a.t("ui.sign.no_input"))
	v.tokenLine = container.NewHBox()
	v.progress = container.NewVBox()
	v.result = container.NewVBox()
	v.certBox = container.NewVBox()
	v.Cert = widget.NewSelect(nil, func(string) {
		if i := v.Cert.SelectedIndex(); i >= 0 && i < len(v.certIDs) && a.Current() != nil {
			a.certPick, a.pickFor = v.certIDs[i], a.Current().Serial
			v.tokenChanged()
		}
	})
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
	v.Stamp.OnChanged("")

	st := a.opt.Store.Settings()
	save := func() {
		s := a.opt.Store.Settings()
		s.TSAURL, s.LTV, s.AllowLower = strings.TrimSpace(v.TSA.Text), v.LTV.Checked, v.AllowLower.Checked
		_ = a.opt.Store.SetSettings(s)
	}
	v.TSA = widget.NewEntry()
	v.TSA.SetPlaceHolder(a.t("ui.sign.tsa_ph"))
	v.TSA.SetText(st.TSAURL)
	v.LTV = widget.NewCheck(a.t("ui.sign.ltv"), nil)
	v.LTV.SetChecked(st.LTV)
	v.AllowLower = widget.NewCheck(a.t("ui.sign.allow_lower"), nil)
	v.AllowLower.SetChecked(st.AllowLower)
	v.TSA.OnChanged = func(string) { save() }
	v.LTV.OnChanged = func(bool) { save() }
	v.AllowLower.OnChanged = func(bool) { save() }
	return v
}

// options is the options card: certificate, stamp, timestamp server.
func (v *SignView) options() fyne.CanvasObject {
	a := v.a
	cred := a.t("ui.sign.tsa_cred")
	if os.Getenv("CERTIGNA_TSA_USER") != "" {
		cred = a.t("ui.sign.tsa_cred_set")
	}
	return widget.NewCard(a.t("ui.sign.options"), "", container.NewVBox(
		v.certBox,
		widget.NewForm(
			widget.NewFormItem(a.t("ui.sign.stamp"), container.NewGridWithColumns(2, v.Stamp, v.Corner)),
			widget.NewFormItem(a.t("ui.sign.tsa"), v.TSA),
		),
		para(cred),
		v.LTV,
		v.AllowLower,
	))
}

// signOptions are the screen's choices for the signer.
func (v *SignView) signOptions(cert CertInfo) SignOptions {
	a := v.a
	return SignOptions{
		Name: cert.Holder, Reason: a.t("ui.sign.reason"), Lang: a.lang,
		TSAURL: strings.TrimSpace(v.TSA.Text), LTV: v.LTV.Checked, AllowLower: v.AllowLower.Checked,
		StampPage: a.stampPage, StampCorner: a.stampCorn,
	}
}

func (v *SignView) build() fyne.CanvasObject {
	a := v.a
	v.tokenChanged()
	if v.Input != "" {
		v.inputLbl.SetText(v.Input)
	}
	drop := widget.NewCard("", "", container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(theme.DownloadIcon()), nil, bold(a.t("ui.sign.drop"))),
		container.NewHBox(
			widget.NewButtonWithIcon(a.t("ui.sign.choose"), theme.FolderOpenIcon(), v.choose),
			widget.NewButtonWithIcon(a.t("ui.sign.sample"), theme.FileIcon(), v.useSample)),
		container.NewBorder(nil, nil, widget.NewLabel(a.t("ui.sign.input")), nil, v.inputLbl),
	))
	pinItems := []fyne.CanvasObject{widget.NewForm(widget.NewFormItem(a.t("ui.sign.pin"), v.PIN))}
	if a.module.Demo {
		l := para(a.t("ui.sign.demo_pin", map[string]any{"PIN": a.opt.Tokens.DemoCodes().UnlockCode}))
		l.Importance = widget.WarningImportance
		pinItems = append(pinItems, l)
	}
	pinItems = append(pinItems, v.progress, container.NewHBox(v.Submit), v.Status)
	return container.NewVBox(
		title(a.t("ui.sign.title")),
		para(a.t("ui.sign.intro")),
		v.tokenLine,
		v.result, // on top: the result is what the person waits for
		drop,
		v.options(),
		widget.NewCard("", "", container.NewVBox(pinItems...)),
	)
}

func (v *SignView) tokenChanged() {
	a := v.a
	t := a.Current()
	if t == nil {
		v.tokenLine.Objects = []fyne.CanvasObject{badge(a.t("ui.token.plug"), theme.ColorNameWarning)}
	} else {
		holder := ""
		if c := a.signingCert(); c != nil {
			holder = c.Holder
		}
		v.tokenLine.Objects = []fyne.CanvasObject{widget.NewLabel(a.t("ui.sign.with", map[string]any{"Holder": holder, "Label": t.Label})), pinBadge(a, t.PIN)}
	}
	v.tokenLine.Refresh()
	v.certChoices()
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
		// the holder is often the same on every certificate: the label,
		// key type and end date tell them apart
		n := fmt.Sprintf("%d. %s — %s (%s, %s)", i+1, c.Holder, c.Label, keyType(c), a.t("ui.sign.cert_until", map[string]any{"Date": fmtDate(a.lang, c.NotAfter)}))
		names = append(names, n)
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
	for _, u := range uris {
		if u.Scheme() == "file" && strings.EqualFold(filepath.Ext(u.Path()), ".pdf") {
			pdf = u
			break
		}
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
	v.Input = p
	v.inputLbl.SetText(p)
	v.Status.SetText("")
	v.result.Objects = nil
	v.result.Refresh()
	if !v.PIN.Disabled() {
		v.a.win.Canvas().Focus(v.PIN)
	}
}

func (v *SignView) choose() { v.a.chooseFile([]string{".pdf", ".PDF"}, v.setInput) }

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
// documents folder when that folder is not writable.
func (a *App) outputFor(in string) string {
	dir := filepath.Dir(in)
	name := strings.TrimSuffix(filepath.Base(in), filepath.Ext(in)) + a.t("ui.sign.suffix") + ".pdf"
	if f, err := os.CreateTemp(dir, ".certigna-write-test-*"); err == nil {
		f.Close()
		os.Remove(f.Name())
	} else {
		dir = a.documentsDir()
	}
	return uniquePath(filepath.Join(dir, name))
}

// SignNow is the sign button's action: at most one PIN try per click.
func (v *SignView) SignNow() {
	a := v.a
	if v.busy {
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
	out := a.outputFor(in)
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
	a.ops.Add("sign_start", filepath.Base(in))
	a.background(func() {
		ver, res, err := signAndVerify(svc, signer, t, cert, in, out, pin, finalTry, opts)
		removed := false
		if err != nil {
			if toks, terr := svc.Tokens(); terr != nil || pickSerial(toks, t.Serial) == nil {
				removed = true
			}
		}
		a.do(func() { v.done(t, out, ver, res, err, removed) })
	})
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
	if err := signer.Check(in, opts); err != nil {
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
	v.Submit.Enable()
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
	if ver.Valid {
		_ = a.opt.Store.SetDone(t.Serial, StepTestSignature, true)
	}
	head := bannerBox(a.t("ui.sign.success"), theme.ColorNameSuccess)
	verdict := badge(a.t("ui.sign.valid"), theme.ColorNameSuccess)
	if !ver.Valid {
		head = bannerBox(a.t("ui.sign.invalid_text", map[string]any{"Detail": ver.Detail}), theme.ColorNameError)
		verdict = badge(a.t("ui.sign.invalid"), theme.ColorNameError)
	}
	rows := [][]fyne.CanvasObject{
		kv(a.t("ui.sign.output"), out),
		kv(a.t("ui.cert.holder"), ver.Holder),
		kv(a.t("ui.sign.time"), fmtTime(a.lang, ver.Time)),
	}
	if ver.Level != "" {
		rows = append(rows, kv(a.t("ui.sign.level"), a.t("ui.sign.level_"+strings.ReplaceAll(ver.Level, "-", "_"))))
	}
	if !ver.Timestamp.IsZero() {
		rows = append(rows, kv(a.t("ui.sign.timestamp"), fmtTime(a.lang, ver.Timestamp)))
	}
	rows = append(rows, kv(a.t("ui.sign.original"), a.t("ui.sign.untouched")))
	top := []fyne.CanvasObject{head}
	if res.Warning != nil {
		a.ops.Add("sign_lower", res.Level)
		top = append(top, bannerBox(a.t("ui.sign.lower", map[string]any{"Level": res.Level, "Err": Message(res.Warning, a.lang)}), theme.ColorNameWarning))
	}
	v.result.Objects = append(top,
		widget.NewCard(a.t("ui.sign.result"), "", container.NewVBox(
			container.NewHBox(verdict),
			form(rows...),
			container.NewHBox(
				widget.NewButtonWithIcon(a.t("ui.sign.open_file"), theme.FileIcon(), func() { a.openPath(out) }),
				widget.NewButtonWithIcon(a.t("ui.sign.open_folder"), theme.FolderOpenIcon(), func() { a.openPath(filepath.Dir(out)) }),
				widget.NewButton(a.t("ui.sign.back_guide"), func() { a.Show(ScreenGuide) }),
			),
		)),
	)
	v.result.Refresh()
	if a.scroll != nil {
		a.scroll.ScrollToTop()
	}
	a.Refresh()
}
