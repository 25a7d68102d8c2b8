package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// Several documents dropped at once (issue #14): every file is checked
// before the PIN (the ones that cannot be signed are listed and, if the
// person agrees, skipped), ONE PIN opens the key for the whole batch, a
// progress bar names the file in progress with a Cancel button that stops
// before the next file (each file is written whole or not at all), and a
// summary says what was signed where.

// SetInputs takes several documents to sign with one PIN (one document:
// the usual single-file screen).
func (v *SignView) SetInputs(paths []string) {
	if len(paths) == 1 {
		v.Batch = nil
		v.setInput(paths[0])
		return
	}
	v.Batch = append([]string(nil), paths...)
	v.Input = paths[0] // the single-file checks see a document; SignNow takes the batch
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	v.inputLbl.SetText(v.a.n("ui.batch.documents", len(paths)))
	v.Status.SetText("")
	setStatus(v.DocStatus, strings.Join(names, ", "), widget.MediumImportance)
	if !v.DocStatus.Visible() {
		v.DocStatus.Show()
		v.a.relayout()
	}
	v.result.Objects = nil
	v.result.Refresh()
	if v.Preview != nil { // each document's page with its stamp, before the one PIN
		v.Preview.batchDoc = 0
		v.Preview.load(paths[0])
	}
	v.recheck()
}

// BatchCancel is the Cancel button of a batch in progress (nil otherwise).
func (v *SignView) BatchCancel() *widget.Button { return v.batchCancel }

// signBatch is SignNow for v.Batch.
func (v *SignView) signBatch() {
	a := v.a
	fail := func(msg string) { setStatus(v.Status, msg, widget.DangerImportance) }
	t := a.Current()
	if msg := v.tokenRefusal(); msg != "" {
		fail(msg)
		return
	}
	switch {
	case v.PIN.Text == "":
		fail(a.t("ui.sign.no_pin"))
		a.focus(v.PIN)
		return
	}
	cert := *a.signingCert()
	tok := *t
	opts := v.signOptions(cert)
	ins := append([]string(nil), v.Batch...)
	each := v.batchOpts(ins, opts) // a place per document, chosen on the preview
	docs, suffix := a.documentsDir(), a.t("ui.sign.suffix")
	signer := a.opt.Signer
	v.busy = true
	v.Submit.Disable()
	setStatus(v.Status, a.t("ui.batch.checking"), widget.MediumImportance)
	// Every file is checked before the PIN is used.
	a.background(func() {
		var ok, refused []string
		var why []string
		for _, in := range ins {
			out, err := outputIn(in, docs, suffix)
			if err == nil {
				err = signer.Check(in, out, each[in])
			}
			if err != nil {
				refused = append(refused, in)
				why = append(why, filepath.Base(in)+" : "+Message(err, a.lang))
				continue
			}
			ok = append(ok, in)
		}
		a.do(func() {
			go1 := func() {
				a.withConsent(tok.PIN, a.t("ui.final_try.text"), func(finalTry bool) {
					v.runBatch(tok, cert, ok, len(refused), finalTry)
				}, func() {
					v.busy = false
					v.Submit.Enable()
				})
			}
			switch {
			case len(ok) == 0:
				v.busy = false
				v.Submit.Enable()
				fail(a.t("ui.batch.none", map[string]any{"Why": strings.Join(why, "\n")}))
			case len(refused) > 0:
				dialog.NewConfirm(a.t("ui.batch.skip_title"),
					a.t("ui.batch.skip_text", map[string]any{"N": len(refused), "M": len(ok), "Why": strings.Join(why, "\n")}),
					func(yes bool) {
						if yes {
							go1()
							return
						}
						v.busy = false
						v.Submit.Enable()
						setStatus(v.Status, a.t("ui.batch.nothing"), widget.MediumImportance)
					}, a.win).Show()
			default:
				go1()
			}
		})
	})
}

// runBatch opens the key once and signs ins in order.
func (v *SignView) runBatch(t TokenInfo, cert CertInfo, ins []string, skipped int, finalTry bool) {
	a := v.a
	pin := v.PIN.Text
	v.PIN.SetText("")
	v.PIN.Disable()
	bar := widget.NewProgressBar()
	bar.Max = float64(len(ins))
	cur := widget.NewLabel("")
	ctx, cancel := context.WithCancel(context.Background())
	v.batchCancel = widget.NewButton(a.t("ui.batch.cancel"), func() {
		cancel()
		v.batchCancel.Disable()
	})
	v.progress.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, v.batchCancel, bar), cur}
	v.progress.Refresh()
	setStatus(v.Status, a.t("ui.sign.working"), widget.MediumImportance)
	svc, signer := a.opt.Tokens, a.opt.Signer
	opts := v.signOptions(cert)
	each := v.batchOpts(ins, opts)
	docs, suffix := a.documentsDir(), a.t("ui.sign.suffix")
	secrets := a.opt.Secrets
	a.background(func() {
		opts = tsaLogin(secrets, opts)
		var lines []string
		signed, failed := 0, 0
		key, err := svc.OpenKey(t.Slot, cert.ID, pin, finalTry) // the one PIN verification of the batch
		if err == nil {
			defer key.Close()
			for i, in := range ins {
				if ctx.Err() != nil {
					break // between files: the file before is whole
				}
				i, in := i, in
				a.do(func() {
					bar.SetValue(float64(i))
					cur.SetText(a.t("ui.batch.progress", map[string]any{"I": i + 1, "N": len(ins), "File": filepath.Base(in)}))
				})
				out, oerr := outputIn(in, docs, suffix)
				var res SignResult
				if oerr == nil {
					o := each[in]
					o.TSAUser, o.TSAPassword = opts.TSAUser, opts.TSAPassword // tsaLogin's
					res, oerr = signer.Sign(context.WithoutCancel(ctx), in, out, key, o)
				}
				if oerr == nil {
					var ver Verification
					if ver, oerr = signer.Verify(out, a.lang); oerr == nil && !ver.Valid {
						oerr = fmt.Errorf("%s", ver.Detail)
					}
				}
				if oerr != nil {
					failed++
					lines = append(lines, a.t("ui.batch.failed_line", map[string]any{"File": filepath.Base(in), "Err": Message(oerr, a.lang)}))
					continue
				}
				_ = res
				signed++
				lines = append(lines, a.t("ui.batch.signed_line", map[string]any{"In": filepath.Base(in), "Out": out}))
			}
		}
		canceled := ctx.Err() != nil
		cancel()
		a.do(func() {
			v.busy = false
			v.PIN.Enable()
			v.Submit.Enable()
			v.batchCancel = nil
			v.progress.Objects = nil
			v.progress.Refresh()
			if err != nil {
				setStatus(v.Status, Message(err, a.lang), widget.DangerImportance)
				return
			}
			v.BatchSigned = signed
			sum := a.t("ui.batch.summary", map[string]any{"Signed": signed, "Total": len(ins) + skipped, "Skipped": skipped,
				"Failed": failed, "NotDone": len(ins) - signed - failed})
			imp := widget.SuccessImportance
			if failed > 0 || canceled || signed < len(ins) {
				imp = widget.WarningImportance
			}
			setStatus(v.Status, sum, imp)
			v.result.Objects = []fyne.CanvasObject{para(strings.Join(lines, "\n"))}
			v.result.Refresh()
		})
	})
}
