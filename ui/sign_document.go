package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/actions"
)

// The document to sign: dropped, chosen in a dialog, or the sample.

// handleDrop is the window's drop handler: the first PDF dropped becomes the
// document to sign (the test signature screen opens if needed).
func (a *App) handleDrop(uris []fyne.URI) {
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
		if a.screen != screenSign {
			a.show(screenSign)
		}
		a.ops.Add("pdf_dropped", fmt.Sprintf("%d", len(pdfs)))
		a.sign.setInputs(pdfs)
		return
	}
	if pdf != nil && a.offerOnDrop(pdf.Path()) {
		return // already signed: "Vérifier" or "Signer aussi" (screen_verify.go)
	}
	if a.screen != screenSign {
		a.show(screenSign)
	}
	if pdf == nil {
		a.sign.status.SetText(a.t("ui.sign.not_pdf"))
		return
	}
	a.ops.Add("pdf_dropped", filepath.Base(pdf.Path()))
	a.sign.setInput(pdf.Path())
}

func (v *signView) setInput(p string) {
	v.batch = nil
	v.inputPath = p
	v.inputLbl.SetText(p)
	v.status.SetText("")
	v.result.Objects = nil
	v.result.Refresh()
	// the stamp's reason is the person's, for this document: empty, except
	// on the sample (a reason typed for one document is not another's)
	if p == v.sample {
		v.reason.SetText(v.a.t("ui.sign.reason"))
	} else {
		v.reason.SetText("")
	}
	v.reasonScope.Hide()
	v.showBatchOut()
	v.forgetCodeOnChange()
	v.checkedKey = "" // chosen again: it may have changed on disk
	if v.preview != nil {
		v.preview.batchDoc = 0
		v.preview.load(p)
	}
	v.loadFields(p)
	v.recheck()
	if !v.pin.Disabled() {
		v.a.focus(v.pin)
	}
}

func (v *signView) choose() { v.a.choosePDF(v.setInput) }

// loadFields offers the choice of a field when p has several empty
// signature fields (a form's "sign here" boxes); with one, it is used; with
// none, a new invisible field is added.
func (v *signView) loadFields(p string) {
	a := v.a
	v.fieldSelect.Hide()
	v.fieldSelect.Options = nil
	v.fieldSelect.ClearSelected()
	v.fillsField = false
	v.syncStamp()
	signer := a.docs
	a.background(func() {
		names, err := signer.EmptySignatureFields(p)
		a.do(func() {
			if err != nil || v.inputPath != p {
				return // an unreadable document is said by the check
			}
			// the signature fills the form's field: its place and look are the
			// form's, the stamp's choice does nothing
			v.fillsField = len(names) > 0
			v.syncStamp()
			if len(names) < 2 {
				return
			}
			v.setFieldChoices(names)
			v.fieldSelect.Show()
			v.checkedKey = ""
			v.recheck()
		})
	})
}

// setFieldChoices offers names (from the PDF: attacker text) as they can be
// shown: control characters, escapes and bidirectional overrides made
// visible, lengths bounded; two names that would look the same are told
// apart by a number.
func (v *signView) setFieldChoices(names []string) {
	v.fieldNames = map[string]string{}
	v.fieldSelect.Options = nil
	for _, n := range names {
		shown := actions.ShownText(n)
		for i := 2; v.fieldNames[shown] != ""; i++ {
			shown = fmt.Sprintf("%s (%d)", actions.ShownText(n), i)
		}
		v.fieldNames[shown] = n
		v.fieldSelect.Options = append(v.fieldSelect.Options, shown)
	}
}

// selectedField is the name of the chosen field, as the PDF has it.
func (v *signView) selectedField() string {
	if n, ok := v.fieldNames[v.fieldSelect.Selected]; ok {
		return n
	}
	return v.fieldSelect.Selected
}

// selectField chooses the field named name in the PDF.
func (v *signView) selectField(name string) {
	for shown, n := range v.fieldNames {
		if n == name {
			v.fieldSelect.SetSelected(shown)
			return
		}
	}
}

// choosePDF asks for a PDF in the system's file dialog (files.go); where
// there is none, in the window's own: a path can be typed or pasted, or
// found with "Parcourir…" (Fyne's dialog, translated, opened in the
// documents folder, filtered on PDFs).
func (a *App) choosePDF(then func(path string)) {
	a.askFile(a.pdfRequest(), func(p string) {
		if k := pdfPathProblem(p); k != "" {
			a.showInfo(a.t("ui.choose.title"), a.t(k))
			return
		}
		then(p)
	}, func() { a.typedPDF(then) })
}

// pdfPathProblem is the key of what is wrong with p as a PDF to open, "" if
// nothing.
func pdfPathProblem(p string) string {
	if st, err := os.Stat(p); err != nil || st.IsDir() {
		return "ui.choose.not_found"
	}
	if !hasExt(p, []string{".pdf"}) {
		return "ui.sign.not_pdf"
	}
	return ""
}

// typedPDF is the window's own PDF chooser, where the system has no dialog.
func (a *App) typedPDF(then func(path string)) {
	path := newInput()
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
		if k := pdfPathProblem(p); k != "" {
			setStatus(msg, a.t(k), widget.DangerImportance)
			return
		}
		d.Hide()
		then(p)
	}
	path.OnSubmitted = func(string) { accept() }
	clearStale(msg, path) // "not found" goes while the path is corrected
	browse := newIconButton(a.t("ui.choose.browse"), theme.FolderOpenIcon(), func() {
		a.fyneFileDialog(a.pdfRequest(), path.SetText)
	})
	open := newIconButton(a.t("ui.choose.open"), theme.ConfirmIcon(), accept)
	open.Importance = widget.HighImportance
	cancel := newIconButton(a.t("ui.cancel"), theme.CancelIcon(), func() { d.Hide() })
	body := container.NewVBox(para(a.t("ui.choose.text")), container.NewBorder(nil, nil, nil, browse, path), msg,
		container.NewHBox(layout.NewSpacer(), cancel, open))
	// its own buttons: a path that does not exist keeps the dialog open
	d = dialog.NewCustomWithoutButtons(a.t("ui.choose.title"), body, a.win)
	d.Resize(fyne.NewSize(620, 0))
	a.showDialog(d, body, open, nil, path)
	a.chooser = path
}

// chooserField is the path field of the open-PDF dialog last shown (tests).
func (a *App) chooserField() *input { return a.chooser }

// UseSample writes the sample document to the documents folder and selects it.
func (v *signView) useSample() { v.sampleNow() }

// sampleNow generates the sample PDF and selects it.
func (v *signView) sampleNow() {
	a := v.a
	dir := a.documentsDir()
	lang := a.lang
	name := a.t("ui.sign.sample_name") + ".pdf"
	prev := a.sampleFile
	a.background(func() {
		// the sample this run already wrote is used again (the app never
		// writes its input): each click left another copy in Documents
		p := prev
		var err error
		if st, serr := os.Stat(p); p == "" || serr != nil || !st.Mode().IsRegular() {
			p = uniquePath(filepath.Join(dir, name))
			err = writeSample(a.docs, p, lang)
		}
		a.do(func() {
			if err != nil {
				v.status.SetText(message(err, a.lang))
				return
			}
			a.ops.Add("sample_written", p)
			v.sample, a.sampleFile = p, p
			v.setInput(p)
		})
	})
}

func writeSample(s *actions.Documents, p, lang string) error {
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
