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
	"github.com/certigna-desktop/app/actions"
)

// The sign screen's check before the PIN: what the PIN typed is for, the
// document, folder, options and certificate checked as soon as they change,
// and the "Signer" button enabled only when they pass.

// signCheck is the state of the check before the PIN.
type signCheck struct {
	// checkErr is the last pre-PIN refusal (nil: the document can be
	// signed with these options); checked says the check is over.
	checkErr   error
	checked    bool
	checkGen   int
	checkedKey string // what the last check was about
}

func (v *signView) tokenChanged() {
	a := v.a
	t := a.current()
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
func (v *signView) codeTarget() string {
	serial, cert := "", ""
	if t := v.a.current(); t != nil {
		serial = t.Serial
	}
	if c := v.a.signingCert(); c != nil {
		cert = fmt.Sprintf("%x", c.ID)
	}
	return strings.Join(append([]string{serial, cert, v.inputPath}, v.batch...), "\x00")
}

// forgetCodeOnChange clears the PIN when the token, the certificate or the
// documents it was typed for changed.
func (v *signView) forgetCodeOnChange() {
	k := v.codeTarget()
	if v.codeFor != "" && k != v.codeFor && v.pin.Text != "" {
		v.pin.SetText("")
	}
	v.codeFor = k
}

// recheck runs every check that needs no PIN for the document, the output
// folder, the options and the certificate, then enables "Signer" or says
// next to the document why not. Stale answers are dropped.
func (v *signView) recheck() {
	a := v.a
	if v.reason == nil || v.tsa == nil {
		return // still being built
	}
	if v.preview != nil {
		v.preview.sync() // the stamp where the options now put it
	}
	cert := a.signingCert()
	if len(v.batch) > 1 && cert != nil && a.current() != nil {
		// several documents: each is checked now, before any click or PIN,
		// and again at the click (screen_sign_batch.go)
		v.checkBatch(cert)
		return
	}
	if v.inputPath == "" || cert == nil || a.current() == nil {
		v.checkGen++
		v.checked, v.checkErr, v.checkedKey = false, nil, ""
		v.showCheck()
		return
	}
	// a token event re-draws the screen: the same facts need no new check
	// (the click checks the file again, and so does the signature itself)
	ko := v.signOptions(*cert)
	ko.TSAPassword = "" // no secret kept in the key
	key := fmt.Sprintf("%s|%x|%s|%+v", v.inputPath, cert.ID, a.current().Serial, ko)
	if key == v.checkedKey {
		v.showCheck()
		return
	}
	v.checkedKey = key
	v.checkGen++
	gen := v.checkGen
	v.checked, v.checkErr = false, nil
	if err := certRefusal(cert, time.Now()); err != nil {
		v.checked, v.checkErr = true, err
		v.showCheck()
		return
	}
	in, opts, c, slot := v.inputPath, v.signOptions(*cert), *cert, a.current().Slot
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
			v.checked, v.checkErr = true, err
			v.showCheck()
		})
	})
}

// showCheck shows the check's answer beside the document and sets the
// button.
func (v *signView) showCheck() {
	a := v.a
	switch {
	case v.checkErr != nil:
		setStatus(v.docStatus, a.t("ui.sign.cannot", map[string]any{"Why": message(v.checkErr, a.lang)}), widget.DangerImportance)
	case v.inputPath != "" && !v.checked && a.signingCert() != nil:
		setStatus(v.docStatus, a.t("ui.sign.checking"), widget.MediumImportance)
	// checked and fine: nothing to say, "Signer" is enabled
	default:
		setStatus(v.docStatus, "", widget.MediumImportance)
	}
	// an empty line would push "Signer" down for nothing
	if shown := v.docStatus.Visible(); shown != (v.docStatus.Text != "") {
		if shown {
			v.docStatus.Hide()
		} else {
			v.docStatus.Show()
		}
		a.relayout()
	}
	v.setButton()
}

// canSign says whether "Signer" is enabled: a token, a signing
// certificate, a document that passed every check, nothing in flight.
func (v *signView) canSign() bool {
	t := v.a.current()
	return !v.busy && t != nil && t.PIN != actions.PINLocked && v.a.signingCert() != nil &&
		v.inputPath != "" && v.checked && v.checkErr == nil
}

func (v *signView) setButton() {
	// a batch's button says how many documents it signs, never "le document"
	if v.submit == nil {
		return // still being built
	}
	text := v.a.t("ui.sign.submit")
	if len(v.batch) > 1 {
		n := v.batchOK
		if !v.checked {
			n = len(v.batch)
		}
		text = v.a.n("ui.batch.submit", n)
		if n == 0 {
			text = v.a.t("ui.batch.submit_none") // French's singular covers 0
		}
	}
	if v.submit.Text != text {
		v.submit.SetText(text)
	}
	if v.canSign() {
		v.submit.Enable()
	} else {
		v.submit.Disable()
	}
}
