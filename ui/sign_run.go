package ui

import (
	"bytes"
	"context"
	"crypto/x509"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/actions"
)

// Signing: one PIN verification per click, the TSA login from the
// keychain, sign then verify, and the result shown.

// tokenRefusal is why no PIN may be asked for a signature now, as far as the
// token and its certificate tell ("" when one may): the same for one
// document and for several.
func (v *SignView) tokenRefusal() string {
	a := v.a
	switch t := a.Current(); {
	case t == nil:
		return a.t("ui.token.plug")
	case t.PIN == PINLocked:
		return a.t("ui.advice.locked")
	case a.signingCert() == nil:
		return a.t("ui.sign.no_cert")
	}
	return ""
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
	if msg := v.tokenRefusal(); msg != "" {
		fail(msg)
		return
	}
	switch {
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
		a.focus(v.PIN)
		return
	}
	cert := *a.signingCert()
	a.withConsent(t.PIN, a.t("ui.final_try.text"), func(finalTry bool) { v.run(*t, cert, finalTry) }, nil)
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
	ctx, cancel := context.WithCancel(context.Background())
	v.cancelRun = cancel
	v.Cancel = newIconButton(a.t("ui.cancel"), theme.CancelIcon(), func() {
		cancel()
		if v.Cancel != nil {
			v.Cancel.Disable()
		}
	})
	v.progress.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, v.Cancel, widget.NewProgressBarInfinite())}
	v.progress.Refresh()
	v.result.Objects = nil
	v.result.Refresh()
	svc, signer := a.opt.Tokens, a.docs
	opts := v.signOptions(cert)
	v.lastCert = cert.ID
	a.ops.Add("sign_start", filepath.Base(in))
	secrets := a.opt.Secrets
	a.background(func() {
		typed := opts.TSAPassword != ""
		opts = tsaLogin(secrets, opts)
		ver, res, err := signAndVerify(ctx, svc, signer, t, cert, in, out, pin, finalTry, opts)
		if err == nil && typed && res.Level != "B-B" {
			rememberTSA(secrets, opts) // the server took it: keep it for next time
		}
		removed := false
		if err != nil {
			if toks, terr := svc.Tokens(); terr != nil || pickSerial(toks, t.Serial) == nil {
				removed = true
			}
		}
		a.do(func() {
			v.retryOpts = opts // for Réessayer, if a server failed after the signature (sign_retry.go)
			v.done(t, out, ver, res, err, removed)
		})
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

// signAndVerify sends the PIN once: the options, the document and the
// certificate are checked first (the chain completed), and a failed
// timestamp is never retried here (AllowLower decides beforehand).
func signAndVerify(ctx context.Context, svc TokenService, signer *actions.Documents, t TokenInfo, cert CertInfo, in, out, pin string, finalTry bool, opts SignOptions) (*Verification, SignResult, error) {
	if err := signer.Check(in, out, opts); err != nil {
		return nil, SignResult{}, err
	}
	p, err := prepare(ctx, svc, signer, t.Slot, cert, opts)
	if err != nil {
		return nil, SignResult{}, err
	}
	key, err := svc.OpenKey(t.Slot, cert.ID, pin, finalTry)
	if err != nil {
		return nil, SignResult{}, err
	}
	defer key.Close()
	res, err := signer.Sign(ctx, in, out, key, p.Chain, opts)
	if err != nil {
		return nil, SignResult{}, err
	}
	res.ChainWarning = p.ChainWarning
	ver, err := signer.Verify(out, res, opts.Lang)
	if err != nil {
		return nil, res, err
	}
	return &ver, res, nil
}

// prepare is the check before the PIN that needs the certificate and the
// token's other certificates (read without a login): the chain completed,
// B-LT without revocation servers refused (Signer.Prepare).
func prepare(ctx context.Context, svc TokenService, signer *actions.Documents, slot uint, cert CertInfo, opts SignOptions) (Prepared, error) {
	certs, err := svc.Certificates(slot)
	if err != nil {
		return Prepared{}, err
	}
	var others []*x509.Certificate
	for _, c := range certs {
		if c.Cert != nil && !bytes.Equal(c.ID, cert.ID) {
			others = append(others, c.Cert)
		}
	}
	return signer.Prepare(ctx, cert.Cert, others, opts)
}

func (v *SignView) done(t TokenInfo, out string, ver *Verification, res SignResult, err error, removed bool) {
	a := v.a
	v.busy = false
	if v.cancelRun != nil {
		v.cancelRun()
		v.cancelRun, v.Cancel = nil, nil
	}
	v.PIN.Enable()
	v.setButton()
	v.progress.Objects = nil
	v.progress.Refresh()
	if err != nil {
		msg := Message(err, a.lang)
		if removed {
			msg = a.t("ui.sign.removed") + "\n" + msg
		}
		a.ops.Add("sign", a.opFailed(err))
		setStatus(v.Status, msg, widget.DangerImportance)
		a.Refresh()
		return
	}
	v.Output, v.Result, v.Warning = out, ver, res.Warning
	v.Status.SetText("")
	a.ops.Add("sign", a.t("support.result.ok_file", map[string]any{"File": filepath.Base(out)}))
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
	if res.ChainWarning != nil {
		top = append(top, bannerBox(Message(res.ChainWarning, a.lang), theme.ColorNameWarning))
	}
	v.Retry = nil
	if res.Pending != nil {
		top = append(top, v.pendingBanner(t, out, res))
		setStatus(v.Status, a.t("finish.ui.kept_status"), widget.WarningImportance)
	}
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
				newIconButton(a.t("ui.sign.open_file"), theme.FileIcon(), func() { a.openPath(out) }),
				newIconButton(a.t("ui.sign.open_folder"), theme.FolderOpenIcon(), func() { a.openPath(filepath.Dir(out)) }),
				newButton(a.t("ui.sign.back_guide"), func() { a.Show(ScreenGuide) }),
			),
		)),
	)
	v.result.Refresh()
	a.relayout()
	a.Refresh()
}
