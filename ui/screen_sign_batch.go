package ui

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
)

// Several documents dropped at once (issue #14): every file is checked
// before the PIN (the ones that cannot be signed are listed and, if the
// person agrees, skipped), ONE PIN opens the key for the whole batch, a
// progress bar names the file in progress with a Cancel button that stops
// before the next file (each file is written whole or not at all), and a
// summary says what was signed where.

// batchState is the batch's state; batchSigned how many the last batch
// signed.
type batchState struct {
	batch       []string
	batchSigned int
	batchCancel *button
	batchOK     int // documents of the batch that passed the pre-PIN check
	// batchFolder opens the folder of the last batch's signed copies (nil
	// before a batch signed anything).
	batchFolder *button
	// batchDirButton chooses the folder of a batch's signed copies
	// (batchDir; "" beside each document), said in batchWhere
	batchDirButton *button
	batchDir       string
	batchWhere     *widget.Label
	batchOut       *fyne.Container
}

// setInputs takes several documents to sign with one PIN (one document:
// the usual single-file screen).
func (v *signView) setInputs(paths []string) {
	if len(paths) == 1 {
		v.batch = nil
		v.setInput(paths[0])
		return
	}
	v.batch = append([]string(nil), paths...)
	v.inputPath = paths[0] // the single-file checks see a document; SignNow takes the batch
	// one reason for the batch, said so: typed once, it is each document's
	v.reason.SetText("")
	v.reasonScope.Show()
	v.batchDir = "" // beside each document, until a folder is chosen
	v.showBatchOut()
	v.forgetCodeOnChange()
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	v.inputLbl.SetText(v.a.n("ui.batch.documents", len(paths)))
	v.status.SetText("")
	setStatus(v.docStatus, strings.Join(names, ", "), widget.MediumImportance)
	if !v.docStatus.Visible() {
		v.docStatus.Show()
		v.a.relayout()
	}
	v.result.Objects = nil
	v.result.Refresh()
	v.batchFolder = nil
	if v.preview != nil { // each document's page with its stamp, before the one PIN
		v.preview.batchDoc = 0
		v.preview.load(paths[0])
	}
	v.recheck()
}

// checkBatch runs every document's pre-PIN check (actions.PlanBatchEach,
// as the click does) as soon as the batch is set up, and lists beside the
// documents which ones will be refused and why; "Signer" counts the others.
func (v *signView) checkBatch(cert *actions.CertInfo) {
	a := v.a
	v.checkGen++
	gen := v.checkGen
	v.checkedKey = ""
	v.checked, v.checkErr, v.batchOK = false, nil, 0
	if err := certRefusal(cert, time.Now()); err != nil {
		v.checked, v.checkErr = true, err
		v.showCheck()
		return
	}
	ins := append([]string(nil), v.batch...)
	each := v.batchOpts(ins, v.signOptions(*cert))
	docs, suffix, out := a.documentsDir(), a.t("ui.sign.suffix"), v.batchDir
	v.setButton()
	a.background(func() {
		items := actions.PlanBatchEach(ins, outNamer(out, docs, suffix), func(in string) actions.SignOptions { return each[in] })
		ok, why := 0, []string(nil)
		for _, it := range items {
			if it.Refused != nil {
				why = append(why, filepath.Base(it.In)+" : "+message(it.Refused, a.lang))
			} else {
				ok++
			}
		}
		a.do(func() {
			if gen != v.checkGen {
				return
			}
			v.checked, v.batchOK = true, ok
			if ok == 0 {
				v.checkErr = assets.Reason{Key: "ui.batch.none", Data: map[string]any{"Why": strings.Join(why, "\n")}}
				setStatus(v.docStatus, message(v.checkErr, a.lang), widget.DangerImportance)
			} else if len(why) > 0 {
				setStatus(v.docStatus, a.n("ui.batch.will_refuse", len(why), map[string]any{"Why": strings.Join(why, "\n")}), widget.WarningImportance)
			}
			v.setButton()
		})
	})
}

// batchCancelButton is the Cancel button of a batch in progress (nil otherwise).
func (v *signView) batchCancelButton() *button { return v.batchCancel }

// signBatch is signNow for v.batch.
func (v *signView) signBatch() {
	a := v.a
	fail := func(msg string) { setStatus(v.status, msg, widget.DangerImportance) }
	t := a.current()
	if msg := v.tokenRefusal(); msg != "" {
		fail(msg)
		return
	}
	switch {
	case v.pin.Text == "":
		fail(a.t("ui.sign.no_pin"))
		a.focus(v.pin)
		return
	}
	cert := *a.signingCert()
	tok := *t
	opts := v.signOptions(cert)
	ins := append([]string(nil), v.batch...)
	each := v.batchOpts(ins, opts) // a place per document, chosen on the preview
	docs, suffix, out := a.documentsDir(), a.t("ui.sign.suffix"), v.batchDir
	svc, signer := a.opt.Tokens, a.docs
	v.busy = true
	v.submit.Disable()
	setStatus(v.status, a.t("ui.batch.checking"), widget.MediumImportance)
	// Every file and the certificate are checked before the PIN is used,
	// as the CLI does (actions.PlanBatch, actions.Prepare).
	a.background(func() {
		items := actions.PlanBatchEach(ins, outNamer(out, docs, suffix), func(in string) actions.SignOptions { return each[in] })
		var ok []*actions.BatchItem
		var refused, why []string
		for _, it := range items {
			if it.Refused != nil {
				refused = append(refused, it.In)
				why = append(why, filepath.Base(it.In)+" : "+message(it.Refused, a.lang))
				continue
			}
			ok = append(ok, it)
		}
		p, perr := prepare(context.Background(), svc, signer, tok.Slot, cert, opts)
		if perr != nil {
			a.do(func() {
				a.ops.Add("batch", a.opFailed(perr))
				v.busy = false
				v.submit.Enable()
				fail(message(perr, a.lang))
			})
			return
		}
		a.do(func() {
			for _, it := range items {
				if it.Refused != nil { // a name, never the folder: the report scrubs paths too
					a.ops.Add("batch_refused", filepath.Base(it.In)+" : "+message(it.Refused, a.lang))
				}
			}
			go1 := func() {
				a.withConsent(tok.PIN, a.t("ui.final_try.text"), func(finalTry bool) {
					v.runBatch(tok, cert, items, p, finalTry)
				}, func() {
					v.busy = false
					v.submit.Enable()
				})
			}
			switch {
			case len(ok) == 0:
				v.busy = false
				v.submit.Enable()
				fail(a.t("ui.batch.none", map[string]any{"Why": strings.Join(why, "\n")}))
			case len(refused) > 0:
				// Enter signs the others, Escape or "Annuler" nothing
				a.ask(a.t("ui.batch.skip_title"),
					a.n("ui.batch.skip_text", len(refused), map[string]any{"Why": strings.Join(why, "\n")})+"\n\n"+a.n("ui.batch.skip_ask", len(ok)),
					a.n("ui.batch.skip_confirm", len(ok)), widget.HighImportance, true,
					func(yes bool) {
						if yes {
							go1()
							return
						}
						v.busy = false
						v.submit.Enable()
						setStatus(v.status, a.t("ui.batch.nothing"), widget.MediumImportance)
					})
			default:
				go1()
			}
		})
	})
}

// runBatch opens the key once and signs the items not refused, in order
// (actions.SignBatch: the same rules as the CLI's batch — a token error
// stops it, each output is checked from disk).
func (v *signView) runBatch(t actions.TokenInfo, cert actions.CertInfo, items []*actions.BatchItem, p actions.Prepared, finalTry bool) {
	a := v.a
	pin := v.pin.Text
	v.pin.SetText("")
	v.pin.Disable()
	todo := 0
	for _, it := range items {
		if it.Refused == nil {
			todo++
		}
	}
	bar := widget.NewProgressBar()
	bar.Max = float64(todo)
	cur := widget.NewLabel("")
	ctx, cancel := context.WithCancel(context.Background())
	v.batchCancel = newButton(a.t("ui.batch.cancel"), func() {
		cancel()
		v.batchCancel.Disable()
	})
	v.progress.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, v.batchCancel, bar), cur}
	v.progress.Refresh()
	setStatus(v.status, a.t("ui.sign.working"), widget.MediumImportance)
	svc := a.opt.Tokens
	opts := v.signOptions(cert)
	secrets := a.opt.Secrets
	a.ops.Add("batch_start", a.n("support.result.documents", todo))
	a.background(func() {
		opts = tsaLogin(secrets, opts)
		for _, it := range items {
			it.Options.TSAUser, it.Options.TSAPassword = opts.TSAUser, opts.TSAPassword // tsaLogin's
		}
		var sum actions.BatchSummary
		key, err := svc.OpenKey(t.Slot, cert.ID, pin, finalTry) // the one PIN verification of the batch
		if err == nil {
			defer key.Close()
			sum = actions.SignBatch(ctx, items, key, p.Chain, func(i, n int, it *actions.BatchItem) {
				a.do(func() {
					bar.SetValue(float64(i - 1))
					cur.SetText(a.t("ui.batch.progress", map[string]any{"I": i, "N": n, "File": filepath.Base(it.In)}))
				})
			})
		}
		cancel()
		// a refused PIN spent a try: the report says what the token
		// reports now (read, no login); nothing when the re-read failed
		var after *actions.PINState
		if err != nil {
			if toks, terr := svc.Tokens(); terr == nil {
				if n := pickToken(toks, t.Serial); n != nil && n.Serial == t.Serial {
					st := n.PIN
					after = &st
				}
			}
		}
		a.do(func() {
			v.logBatch(items, sum, err, after)
			v.busy = false
			v.pin.Enable()
			v.submit.Enable()
			v.batchCancel = nil
			v.progress.Objects = nil
			v.progress.Refresh()
			if err != nil {
				setStatus(v.status, message(err, a.lang), widget.DangerImportance)
				return
			}
			var lines []string
			for _, it := range items {
				switch {
				case it.Err != nil:
					lines = append(lines, a.t("ui.batch.failed_line", map[string]any{"File": filepath.Base(it.In), "Err": message(it.Err, a.lang)}))
				case it.Signed != nil:
					lines = append(lines, a.t("ui.batch.signed_line", map[string]any{"In": filepath.Base(it.In), "Out": it.Out}))
				}
			}
			if sum.TokenFailed && sum.NotDone > 0 {
				lines = append(lines, a.n("actions.batch_token_stopped", sum.NotDone))
			}
			v.batchSigned = sum.Signed
			text := a.t("ui.batch.summary", map[string]any{"Parts": sum.Words(a.lang, len(items))})
			imp := widget.SuccessImportance
			if sum.Failed > 0 || sum.Canceled || sum.NotDone > 0 {
				imp = widget.WarningImportance
			}
			setStatus(v.status, text, imp)
			v.result.Objects = []fyne.CanvasObject{para(strings.Join(lines, "\n"))}
			if dir := signedDir(items); dir != "" {
				v.batchFolder = newIconButton(a.t("ui.sign.open_folder"), theme.FolderOpenIcon(), func() { a.openPath(dir) })
				v.result.Objects = append(v.result.Objects, container.NewHBox(v.batchFolder))
			}
			v.result.Refresh()
		})
	})
}

// signedDir is the folder of the batch's signed copies (the first one's:
// they are beside their documents or all in the documents folder), "" when
// nothing was signed.
func signedDir(items []*actions.BatchItem) string {
	for _, it := range items {
		if it.Signed != nil && it.Err == nil {
			return filepath.Dir(it.Out)
		}
	}
	return ""
}

// logBatch records a batch's outcome in the event log (the support report):
// each document's result by file name, or the refused key with the PIN
// state after, then the summary. Never a PIN or a folder.
func (v *signView) logBatch(items []*actions.BatchItem, sum actions.BatchSummary, err error, after *actions.PINState) {
	a := v.a
	if err != nil {
		d := a.opFailed(err)
		if after != nil {
			d += " — " + a.t("support.result.pin_after", map[string]any{"State": pinStateText(a, *after)})
		}
		a.ops.Add("batch", d)
		return
	}
	for _, it := range items {
		switch {
		case it.Err != nil:
			a.ops.Add("batch_failed", filepath.Base(it.In)+" : "+message(it.Err, a.lang))
		case it.Signed != nil:
			a.ops.Add("batch_signed", a.t("support.result.in_out", map[string]any{"In": filepath.Base(it.In), "Out": filepath.Base(it.Out)}))
		}
	}
	a.ops.Add("batch", sum.Words(a.lang, len(items)))
}

// batchOutRow says where a batch's signed copies go, with the button that
// chooses a folder (the system's folder dialog: files.go); hidden for one
// document.
func (v *signView) batchOutRow() fyne.CanvasObject {
	if v.batchOut == nil {
		v.batchWhere = para("")
		v.batchDirButton = newIconButton(v.a.t("ui.batch.out_dir"), theme.FolderOpenIcon(), v.chooseBatchDir)
		v.batchOut = container.NewVBox(v.batchWhere, container.NewHBox(v.batchDirButton))
	}
	v.showBatchOut()
	return v.batchOut
}

func (v *signView) showBatchOut() {
	if v.batchOut == nil {
		return
	}
	if v.batch == nil {
		v.batchOut.Hide()
		return
	}
	where := v.a.t("ui.batch.out_beside")
	if v.batchDir != "" {
		where = v.a.t("ui.batch.out_in", map[string]any{"Dir": v.batchDir})
	}
	v.batchWhere.SetText(where)
	v.batchOut.Show()
}

// chooseBatchDir asks for the folder of the batch's signed copies; the
// documents are checked again against it (before any PIN).
func (v *signView) chooseBatchDir() {
	a := v.a
	r := FileRequest{Kind: FileFolder, Title: a.t("ui.batch.out_dir_title"), Accept: a.t("ui.batch.out_dir_accept"), Dir: a.documentsDir()}
	set := func(p string) {
		if v.batch == nil {
			return
		}
		v.batchDir = p
		v.showBatchOut()
		v.checkedKey = ""
		v.recheck()
	}
	a.askFile(r, set, func() { a.fyneFileDialog(r, set) })
}
