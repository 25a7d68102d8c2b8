package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Dialogs and small widget helpers the screens share: the app's dialog
// frame and icon, the final-try confirmation, the status line.

func newDialog(title, dismiss string, content fyne.CanvasObject, w fyne.Window) dialog.Dialog {
	d := dialog.NewCustom(title, dismiss, content, w)
	d.Resize(fyne.NewSize(460, 0))
	return d
}

// appIcon is the app's icon when bundled, else a theme icon.
func appIcon() fyne.CanvasObject {
	var res fyne.Resource = theme.ComputerIcon()
	if r := iconResource(); r != nil {
		res = r
	}
	ic := widget.NewIcon(res)
	return container.NewGridWrap(fyne.NewSquareSize(40), ic)
}

// iconResource is the app's icon as set by the caller (SetIcon), if any.
var iconResource = func() fyne.Resource {
	if app := fyne.CurrentApp(); app != nil {
		return app.Icon()
	}
	return nil
}

// withConsent runs then(finalTry) once the window may send a code in state:
// at the last try only after the person said yes (the window's side of the
// rule in actions/gate.go; the token checks again), else onNo
// (when given). One place for every form that sends a PIN or admin code.
func (a *App) withConsent(state PINState, text string, then func(finalTry bool), onNo func()) {
	if state != PINFinalTry {
		then(false)
		return
	}
	a.confirmFinalTry(text, func(ok bool) {
		switch {
		case ok:
			then(true)
		case onNo != nil:
			onNo()
		}
	})
}

// confirmFinalTry asks before a code is sent at the token's last try; the
// default button is the safe one.
func (a *App) confirmFinalTry(text string, cb func(bool)) {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(a.t("ui.final_try.title"), a.t("ui.final_try.confirm"), a.t("ui.cancel"), l, cb, a.win)
	d.Resize(fyne.NewSize(460, 0))
	d.Show()
}

// setStatus shows text in a form's status line with the given importance
// (danger for refusals and failures, medium while working).
func setStatus(l *widget.Label, text string, imp widget.Importance) {
	l.SetText(text)
	l.Importance = imp
	l.Refresh()
}

// showCopy says what could not be opened and offers it to copy.
func (a *App) showCopy(text, value string) {
	e := newInput()
	e.SetText(value)
	copyBtn := widget.NewButtonWithIcon(a.t("ui.copy"), theme.ContentCopyIcon(), func() {
		a.fyne.Clipboard().SetContent(value)
	})
	d := newDialog(a.t("ui.open_failed.title"), a.t("ui.ok"), container.NewVBox(para(text), container.NewBorder(nil, nil, nil, copyBtn, e)), a.win)
	d.Show()
}

func (a *App) showError(err error) {
	a.showInfo(a.t("ui.error_title"), Message(err, a.lang))
}

func (a *App) showInfo(title, text string) {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	d := newDialog(title, a.t("ui.ok"), l, a.win)
	d.Show()
}
