package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/certigna-desktop/app/actions"
)

// Dialogs and small widget helpers the screens share: the app's dialog
// frame and icon, the final-try confirmation, the status line.

// keyDialog is a dialog the keyboard can answer: Enter presses its default
// button, Escape its cancel (both close it). Fyne's dialogs take neither.
type keyDialog struct {
	d       dialog.Dialog
	def     *button
	onEsc   func()
	focusOn fyne.Focusable
}

// showDialog shows d with the keyboard on it: the focus on focusOn (the
// default button, or the dialog's field), Enter = def, Escape = onEsc.
func (a *App) showDialog(d dialog.Dialog, content fyne.CanvasObject, def *button, onEsc func(), focusOn fyne.Focusable) {
	k := &keyDialog{d: d, def: def, onEsc: onEsc, focusOn: focusOn}
	a.dialogs = append(a.dialogs, k)
	// Escape typed in one of its buttons or fields reaches it too
	esc := func() bool { return a.dialogKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) }
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *button:
			x.esc = esc
		case *input:
			x.esc = esc
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		}
	}
	walk(content)
	d.SetOnClosed(func() {
		for i, o := range a.dialogs {
			if o == k {
				a.dialogs = append(a.dialogs[:i], a.dialogs[i+1:]...)
				break
			}
		}
	})
	d.Show()
	if focusOn != nil {
		a.focus(focusOn)
	}
}

// dialogKey answers Enter and Escape for the dialog on top; true when it did.
// Called for keys no focused control took (the canvas), and by the window's
// buttons and fields for Escape.
func (a *App) dialogKey(ev *fyne.KeyEvent) bool {
	if len(a.dialogs) == 0 {
		return false
	}
	k := a.dialogs[len(a.dialogs)-1]
	switch ev.Name {
	case fyne.KeyEscape:
		if k.onEsc != nil {
			k.onEsc()
		} else {
			k.d.Hide()
		}
		return true
	case fyne.KeyReturn, fyne.KeyEnter:
		if k.def != nil && !k.def.Disabled() {
			k.def.Tapped(nil)
			return true
		}
	}
	return false
}

// newInfoDialog is an information dialog with one button (dismiss), which
// has the focus: Enter or Escape closes it.
func (a *App) newInfoDialog(title, dismiss string, content fyne.CanvasObject) {
	d := dialog.NewCustomWithoutButtons(title, content, a.win)
	ok := newButton(dismiss, func() { d.Hide() })
	ok.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{ok})
	d.Resize(fyne.NewSize(460, 0))
	a.showDialog(d, container.NewVBox(content, ok), ok, nil, ok)
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
func (a *App) withConsent(state actions.PINState, text string, then func(finalTry bool), onNo func()) {
	if state != actions.PINFinalTry {
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
// default button is the safe one: Enter and Escape both say no, the last
// try is spent only by choosing "yes" on purpose.
func (a *App) confirmFinalTry(text string, cb func(bool)) {
	a.ask(a.t("ui.final_try.title"), text, a.t("ui.final_try.confirm"), widget.DangerImportance, false, cb)
}

// ask puts a question in a dialog the keyboard answers (Fyne's confirm
// dialog takes neither Enter nor Escape, and says Yes/No in the system's
// language): "Annuler" or Escape say no; Enter presses the default button,
// yes only when yesDefault.
func (a *App) ask(title, text, yesLabel string, yesImp widget.Importance, yesDefault bool, cb func(bool)) {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomWithoutButtons(title, l, a.win)
	answered := false
	answer := func(yes bool) {
		if answered {
			return
		}
		answered = true
		d.Hide()
		cb(yes)
	}
	no := newIconButton(a.t("ui.cancel"), theme.CancelIcon(), func() { answer(false) })
	yes := newIconButton(yesLabel, theme.ConfirmIcon(), func() { answer(true) })
	yes.Importance = yesImp
	d.SetButtons([]fyne.CanvasObject{no, yes})
	d.Resize(fyne.NewSize(460, 0))
	def := no
	if yesDefault {
		def = yes
	}
	a.showDialog(d, container.NewHBox(no, yes), def, func() { answer(false) }, def)
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
	copyBtn := newIconButton(a.t("ui.copy"), theme.ContentCopyIcon(), func() {
		a.fyne.Clipboard().SetContent(value)
	})
	a.newInfoDialog(a.t("ui.open_failed.title"), a.t("ui.ok"), container.NewVBox(para(text), container.NewBorder(nil, nil, nil, copyBtn, e)))
}

func (a *App) showError(err error) {
	a.showInfo(a.t("ui.error_title"), message(err, a.lang))
}

func (a *App) showInfo(title, text string) {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	a.newInfoDialog(title, a.t("ui.ok"), l)
}
