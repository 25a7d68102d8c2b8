package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/certigna-desktop/app/actions"
)

// pinForm is "unlock and set my PIN": the unlock code received from the
// CA's site, the new PIN twice. One click, at most one try on the token.
type pinForm struct {
	a                        *App
	current, newPIN, confirm *input
	submit                   *button
	status                   *widget.Label
	rules                    *widget.Label
	// weak warns (never refuses) about a new PIN that is easy to guess.
	weak                    *widget.Label
	state, result, progress *fyne.Container
	fields                  *widget.Form
	title                   *canvas.Text
	intro                   *widget.Label
	busy                    bool
	// succeeded is true after a successful change in this form.
	succeeded bool
	serial    string // the token the codes are typed for
}

func newPINForm(a *App) *pinForm {
	f := &pinForm{a: a}
	f.current = newCodeInput()
	f.newPIN = newCodeInput()
	f.confirm = newCodeInput()
	f.current.SetPlaceHolder(a.t("ui.pin.current_ph"))
	f.newPIN.SetPlaceHolder(a.t("ui.pin.new_ph"))
	f.confirm.SetPlaceHolder(a.t("ui.pin.confirm_ph"))
	entries := []*input{f.current, f.newPIN, f.confirm}
	for _, e := range entries {
		e.OnSubmitted = func(string) { enterSubmits(a, entries, f.submitNow) }
	}
	f.submit = newIconButton(a.t("ui.pin.submit"), theme.ConfirmIcon(), f.submitNow)
	f.submit.Importance = widget.HighImportance
	f.status = para("")
	f.rules = para("")
	f.weak = weakWarning(a, f.newPIN)
	clearStale(f.status, entries...)
	f.state = container.NewStack()
	f.result = container.NewVBox()
	f.progress = container.NewVBox()
	return f
}

// enterSubmits: Enter moves to the first empty field, or submits when all
// are filled (Enter on a complete form always submits).
func enterSubmits(a *App, entries []*input, submit func()) {
	for _, e := range entries {
		if e.Text == "" && !e.Disabled() {
			a.focus(e)
			return
		}
	}
	submit()
}

func (f *pinForm) build() fyne.CanvasObject {
	a := f.a
	f.tokenChanged()
	fields := widget.NewForm(
		widget.NewFormItem("", a.wheel(f.current)),
		widget.NewFormItem(a.t("ui.pin.new"), a.wheel(f.newPIN)),
		widget.NewFormItem(a.t("ui.pin.confirm"), a.wheel(f.confirm)),
	)
	f.fields = fields
	f.title = title("").(*canvas.Text)
	f.intro = para("")
	f.applyMode()
	return container.NewVBox(
		f.title,
		f.intro,
		f.state,
		// the weak-PIN warning comes under the button: shown while typing,
		// it must not move "Valider" from under the pointer
		widget.NewCard("", "", container.NewVBox(fields, f.rules, f.progress,
			container.NewBorder(nil, nil, container.NewVBox(f.submit), nil, f.status), f.weak)),
		f.result,
	)
}

// applyMode words the form for the token's state: once the personal PIN
// is set, the first field asks for it. Asking for the website's unlock code
// again would make the person type a code that no longer works and spend a
// try for nothing.
func (f *pinForm) applyMode() {
	a := f.a
	if f.fields == nil {
		return
	}
	k := "ui.pin."
	if t := a.current(); t != nil && a.opt.Store.IsDone(t.Serial, stepPINSet) {
		k = "ui.pin.change."
	}
	f.title.Text = a.t(k + "title")
	f.title.Refresh()
	f.intro.SetText(a.t(k + "intro"))
	f.current.SetPlaceHolder(a.t(k + "current_ph"))
	f.fields.Items[0].Text = a.t(k + "current")
	f.fields.Items[0].HintText = a.t(k + "current_hint")
	f.fields.Refresh()
}

// tokenChanged updates the state line without touching what is typed.
func (f *pinForm) tokenChanged() {
	a := f.a
	t := a.current()
	// another token (or none): codes typed for the previous one are cleared
	serial := ""
	if t != nil {
		serial = t.Serial
	}
	if serial != f.serial && !f.busy {
		for _, e := range []*input{f.current, f.newPIN, f.confirm} {
			e.SetText("")
		}
	}
	f.serial = serial
	f.state.Objects = nil
	if t == nil {
		f.state.Objects = []fyne.CanvasObject{badge(a.t("ui.token.plug"), theme.ColorNameWarning)}
		f.rules.SetText("")
	} else {
		f.state.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, container.NewVBox(pinBadge(a, t.PIN)), para(t.Label+" — "+t.Serial))}
		f.rules.SetText(a.t("ui.pin.rules_line", map[string]any{"Rules": a.pinRules(*t)}))
	}
	f.state.Refresh()
	f.setEnabled(!f.busy && t != nil)
}

func (f *pinForm) setEnabled(on bool) {
	for _, e := range []*input{f.current, f.newPIN, f.confirm} {
		if on {
			e.Enable()
		} else {
			e.Disable()
		}
	}
	if on {
		f.submit.Enable()
	} else {
		f.submit.Disable()
	}
	if f.fields != nil {
		f.fields.Refresh() // the labels follow their fields' enabled state
	}
}

// submitNow is the Submit button's action.
func (f *pinForm) submitNow() {
	a := f.a
	if f.busy {
		return // one try per click, never a second one in flight
	}
	t := a.current()
	if t == nil {
		f.status.SetText(a.t("ui.token.plug"))
		return
	}
	cur, nw, conf := f.current.Text, f.newPIN.Text, f.confirm.Text
	// The checks that need no token come first: a mismatch or a bad length
	// never costs a try.
	if err := a.opt.Tokens.CheckNewPIN(*t, cur, nw, conf); err != nil {
		setStatus(f.status, message(err, a.lang), widget.DangerImportance)
		return
	}
	a.withConsent(t.PIN, a.t("ui.final_try.text"), func(finalTry bool) { f.run(*t, cur, nw, conf, finalTry) }, nil)
}

func (f *pinForm) run(t actions.TokenInfo, cur, nw, conf string, finalTry bool) {
	a := f.a
	f.busy = true
	f.setEnabled(false)
	setStatus(f.status, a.t("ui.pin.working"), widget.MediumImportance)
	f.progress.Objects = []fyne.CanvasObject{widget.NewProgressBarInfinite()}
	f.progress.Refresh()
	svc := a.opt.Tokens
	a.background(func() {
		err := svc.ChangePIN(t.Slot, cur, nw, conf, finalTry)
		// what the token says now, to tell the person (read, no login);
		// nil when the re-read failed: the old state would be a lie
		var after *actions.PINState
		if toks, terr := svc.Tokens(); terr == nil {
			if n := pickToken(toks, t.Serial); n != nil && n.Serial == t.Serial {
				st := n.PIN
				after = &st
			}
		}
		a.do(func() {
			f.busy = false
			f.progress.Objects = nil
			f.progress.Refresh()
			if err != nil {
				a.ops.Add("pin_change", a.opFailed(err))
				f.current.SetText("")
				setStatus(f.status, failureText(a, err, after), widget.DangerImportance)
				a.refresh()
				if a.pin == f {
					f.setEnabled(true)
					a.focus(f.current)
				}
				return
			}
			a.ops.Add("pin_change", a.t("support.result.ok"))
			f.succeeded = true
			_ = a.opt.Store.SetDone(t.Serial, stepPINSet, true)
			_ = a.opt.Store.SetDone(t.Serial, stepUnlockCode, true)
			f.applyMode() // a next change asks for the PIN just set
			for _, e := range []*input{f.current, f.newPIN, f.confirm} {
				e.SetText("")
			}
			f.status.SetText("")
			next := newIconButton(a.t("ui.step.test_signature.button"), theme.DocumentCreateIcon(), func() { a.show(screenSign) })
			next.Importance = widget.HighImportance
			f.result.Objects = []fyne.CanvasObject{
				bannerBox(a.t("ui.pin.success"), theme.ColorNameSuccess),
				para(a.t("ui.pin.success_next")),
				container.NewHBox(next),
			}
			f.result.Refresh()
			a.refresh()
			if a.pin == f {
				// the keyboard goes on from the next step, not from an
				// emptied field of a form that is done
				a.focus(next)
			}
		})
	})
}

// failureText is a failed code change in one sentence when the token
// refused the code (what it reports now and what happens at zero), else
// the error and what the token says now. after is nil when the token could
// not be read again (a driver timeout…): then nothing is said of its state,
// since the state read before the try may no longer be true.
func failureText(a *App, err error, after *actions.PINState) string {
	var wc *actions.WrongCodeError
	if errors.As(err, &wc) {
		if wc.State == "" && after != nil {
			wc.State = *after
		}
		return wc.Message(a.lang)
	}
	if after == nil {
		return message(err, a.lang)
	}
	return message(err, a.lang) + "\n" + a.t("ui.pin.token_now", map[string]any{"State": pinStateText(a, *after)})
}

// isWeakPIN: one digit repeated, or a run of consecutive digits up or down
// (0000, 1234, 98765). Only a warning: the choice is the person's.
func isWeakPIN(p string) bool {
	if len(p) < 2 {
		return false
	}
	same, up, down := true, true, true
	for i := 1; i < len(p); i++ {
		d := int(p[i]) - int(p[i-1])
		same = same && d == 0
		isDigit := p[i] >= '0' && p[i] <= '9' && p[i-1] >= '0' && p[i-1] <= '9'
		up = up && isDigit && d == 1
		down = down && isDigit && d == -1
	}
	return same || up || down
}

// weakWarning is a warning line that follows what is typed in e.
func weakWarning(a *App, e *input) *widget.Label {
	l := para(a.t("ui.pin.weak"))
	l.Importance = widget.WarningImportance
	l.Hide() // no empty line in the form
	e.OnChanged = func(s string) {
		if weak := isWeakPIN(s); weak != l.Visible() {
			if weak {
				l.Show()
			} else {
				l.Hide()
			}
			a.relayout()
		}
	}
	return l
}

// clearStale: a red refusal goes away as soon as the person types again in
// one of the fields it was about (a stale error beside corrected fields
// said the opposite of the form).
func clearStale(status *widget.Label, fields ...*input) {
	for _, e := range fields {
		e.Typed = func() {
			if status.Importance == widget.DangerImportance && status.Text != "" {
				setStatus(status, "", widget.MediumImportance)
			}
		}
	}
}
