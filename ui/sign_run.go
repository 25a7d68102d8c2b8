package ui

import (
	"bytes"
	"context"
	"crypto/x509"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/actions"
)

// Signing: one PIN verification per click, the TSA login from the
// keychain, sign then verify, and the result shown.

// signRun is the state of a signature: in flight, then its result.
type signRun struct {
	busy     bool
	lastCert []byte // ID of the certificate of the signature in flight
	progress *fyne.Container
	// cancelButton, shown while a signature runs, ends its context: the
	// network calls (timestamp, revocation) stop and no file is written.
	cancelButton *button
	cancelRun    context.CancelFunc
	// after success: the signed copy, its check, the signer's reason for a
	// lower level, the result's box
	output       string
	verification *actions.Verification
	warning      error
	result       *fyne.Container
	// retryButton ("Réessayer") is shown when a server failed after the
	// token signed: it adds what is missing to the kept file, without the
	// PIN (sign_retry.go); retryOpts are the options it was signed with.
	retryButton *widget.Button
	retryOpts   actions.SignOptions
}

// tokenRefusal is why no PIN may be asked for a signature now, as far as the
// token and its certificate tell ("" when one may): the same for one
// document and for several.
func (v *signView) tokenRefusal() string {
	a := v.a
	switch t := a.current(); {
	case t == nil:
		return a.t("ui.token.plug")
	case t.PIN == actions.PINLocked:
		return a.t("ui.advice.locked")
	case a.signingCert() == nil:
		return a.t("ui.sign.no_cert")
	}
	return ""
}

// signNow is the sign button's action: at most one PIN try per click.
func (v *signView) signNow() {
	a := v.a
	if v.busy {
		return
	}
	if len(v.batch) > 1 {
		v.signBatch() // several documents, one PIN (screen_sign_batch.go)
		return
	}
	fail := func(msg string) {
		setStatus(v.status, msg, widget.DangerImportance)
	}
	t := a.current()
	if msg := v.tokenRefusal(); msg != "" {
		fail(msg)
		return
	}
	switch {
	case v.inputPath == "":
		fail(a.t("ui.sign.no_input"))
		return
	case !v.checked:
		fail(a.t("ui.sign.checking"))
		return
	case v.checkErr != nil:
		// said beside the document already; the PIN is not asked for
		fail(a.t("ui.sign.see_document"))
		return
	case !fileExists(v.inputPath):
		// gone since the check (moved, a USB stick removed): check again
		v.checkedKey = ""
		v.recheck()
		fail(a.t("ui.sign.see_document"))
		return
	case v.pin.Text == "":
		fail(a.t("ui.sign.no_pin"))
		a.focus(v.pin)
		return
	}
	cert := *a.signingCert()
	a.withConsent(t.PIN, a.t("ui.final_try.text"), func(finalTry bool) { v.run(*t, cert, finalTry) }, nil)
}

func (v *signView) run(t actions.TokenInfo, cert actions.CertInfo, finalTry bool) {
	a := v.a
	v.busy = true
	in, pin := v.inputPath, v.pin.Text
	out, oerr := a.outputFor(in)
	if oerr != nil {
		v.busy = false
		v.checked, v.checkErr = true, oerr
		v.showCheck()
		return
	}
	v.pin.SetText("")
	v.pin.Disable()
	v.submit.Disable()
	setStatus(v.status, a.t("ui.sign.working"), widget.MediumImportance)
	ctx, cancel := context.WithCancel(context.Background())
	v.cancelRun = cancel
	v.cancelButton = newIconButton(a.t("ui.cancel"), theme.CancelIcon(), func() {
		cancel()
		if v.cancelButton != nil {
			v.cancelButton.Disable()
		}
	})
	v.progress.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, v.cancelButton, widget.NewProgressBarInfinite())}
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
func tsaLogin(sec Secrets, o actions.SignOptions) actions.SignOptions {
	if o.TSAURL == "" || o.TSAUser == "" || o.TSAPassword != "" {
		return o
	}
	if p, ok := keychainGet(sec, tsaService, tsaAccount(o.TSAUser, o.TSAURL)); ok {
		o.TSAPassword = p
	}
	return o
}

// rememberTSA keeps a typed password that the server accepted.
func rememberTSA(sec Secrets, o actions.SignOptions) {
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

func pickSerial(toks []actions.TokenInfo, serial string) *actions.TokenInfo {
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
func signAndVerify(ctx context.Context, svc TokenService, signer *actions.Documents, t actions.TokenInfo, cert actions.CertInfo, in, out, pin string, finalTry bool, opts actions.SignOptions) (*actions.Verification, actions.SignResult, error) {
	if err := signer.Check(in, out, opts); err != nil {
		return nil, actions.SignResult{}, err
	}
	p, err := prepare(ctx, svc, signer, t.Slot, cert, opts)
	if err != nil {
		return nil, actions.SignResult{}, err
	}
	key, err := svc.OpenKey(t.Slot, cert.ID, pin, finalTry)
	if err != nil {
		return nil, actions.SignResult{}, err
	}
	defer key.Close()
	res, err := signer.Sign(ctx, in, out, key, p.Chain, opts)
	if err != nil {
		return nil, actions.SignResult{}, err
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
func prepare(ctx context.Context, svc TokenService, signer *actions.Documents, slot uint, cert actions.CertInfo, opts actions.SignOptions) (actions.Prepared, error) {
	certs, err := svc.Certificates(slot)
	if err != nil {
		return actions.Prepared{}, err
	}
	var others []*x509.Certificate
	for _, c := range certs {
		if c.Cert != nil && !bytes.Equal(c.ID, cert.ID) {
			others = append(others, c.Cert)
		}
	}
	return signer.Prepare(ctx, cert.Cert, others, opts)
}
