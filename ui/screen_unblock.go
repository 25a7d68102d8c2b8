package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/certigna-desktop/app/actions"
)

// unblockForm is the blocked screen: the CA's unblocking procedure first;
// the admin-code form only behind "I have an admin code (PUK)", because a
// Certigna holder has none and the website's unlock code typed there would
// burn the admin tries.
type unblockForm struct {
	a                   *App
	Admin, New, Confirm *input
	Submit              *button
	Status              *widget.Label
	Weak                *widget.Label
	// Reveal shows the admin-code form ("J'ai un code administrateur…").
	Reveal    *button
	revealed  bool
	result    *fyne.Container
	fields    *widget.Form
	busy      bool
	Succeeded bool
}

func newUnblockForm(a *App) *unblockForm {
	f := &unblockForm{a: a}
	f.Admin = newCodeInput()
	f.New = newCodeInput()
	f.Confirm = newCodeInput()
	entries := []*input{f.Admin, f.New, f.Confirm}
	for _, e := range entries {
		e.OnSubmitted = func(string) { enterSubmits(a, entries, f.SubmitNow) }
	}
	f.Submit = newIconButton(a.t("ui.blocked.submit"), theme.ConfirmIcon(), f.SubmitNow)
	f.Submit.Importance = widget.HighImportance
	f.Status = para("")
	f.Weak = weakWarning(a, f.New)
	clearStale(f.Status, entries...)
	f.Reveal = newIconButton(a.t("ui.blocked.have_admin"), theme.MoreHorizontalIcon(), f.ShowAdminForm)
	f.result = container.NewVBox()
	return f
}

// ShowAdminForm opens the admin-code form.
func (f *unblockForm) ShowAdminForm() {
	f.revealed = true
	f.a.show(screenBlocked)
}

func (f *unblockForm) usable() bool {
	t := f.a.current()
	return t != nil && t.HasUsableSOPIN()
}

func (f *unblockForm) build() fyne.CanvasObject {
	a := f.a
	items := []fyne.CanvasObject{
		title(a.t("ui.blocked.title")),
		bannerBox(a.t("ui.blocked.text"), theme.ColorNameError),
	}
	t := a.current()
	if t != nil {
		items = append(items, container.NewBorder(nil, nil, nil, container.NewVBox(pinBadge(a, t.PIN)), para(t.Label+" — "+t.Serial)))
	}
	// first what a Certigna holder does: the CA's procedure
	items = append(items,
		widget.NewCard(a.t("ui.blocked.support_title"), "", container.NewVBox(
			para(a.t("ui.blocked.support_text")),
			container.NewHBox(newIconButton(a.t("ui.blocked.support_button"), theme.HelpIcon(), func() { a.openURL(certignaSupport) })),
			para(a.t("ui.blocked.revoke_text")),
			container.NewHBox(newIconButton(a.t("ui.open_certigna"), theme.ComputerIcon(), func() { a.openURL(certignaSite) })),
		)))
	switch {
	case !f.usable():
		items = append(items, para(a.t("ui.blocked.no_admin")))
	case !f.revealed:
		items = append(items, container.NewHBox(f.Reveal))
	default:
		fields := widget.NewForm(
			widget.NewFormItem(a.t("ui.blocked.admin"), a.wheel(f.Admin)),
			widget.NewFormItem(a.t("ui.pin.new"), a.wheel(f.New)),
			widget.NewFormItem(a.t("ui.pin.confirm"), a.wheel(f.Confirm)),
		)
		f.fields = fields
		warn := a.t("ui.blocked.admin_warning")
		switch t.SOPIN {
		case actions.PINCountLow:
			warn += " " + a.t("ui.blocked.admin_count_low")
		case actions.PINFinalTry:
			warn += " " + a.t("ui.blocked.admin_final_try")
		}
		rules := para(a.t("ui.pin.rules_line", map[string]any{"Rules": a.pinRules(*t)}))
		items = append(items, widget.NewCard(a.t("ui.blocked.with_admin"), "", container.NewVBox(
			bannerBox(warn, theme.ColorNameWarning), fields, rules,
			container.NewBorder(nil, nil, container.NewVBox(f.Submit), nil, f.Status), f.Weak)))
	}
	items = append(items, f.result)
	return container.NewVBox(items...)
}

func (f *unblockForm) tokenChanged() {
	if f.busy {
		return
	}
	t := f.a.current()
	if t != nil && t.PIN != actions.PINLocked && !f.Succeeded {
		// unblocked elsewhere, or another token: back to the PIN screen
		f.a.show(screenPIN)
		return
	}
	if !f.Succeeded {
		f.a.show(screenBlocked)
	}
}

// SubmitNow is the unblock button's action.
func (f *unblockForm) SubmitNow() {
	a := f.a
	if f.busy {
		return
	}
	t := a.current()
	if t == nil {
		f.Status.SetText(a.t("ui.token.plug"))
		return
	}
	admin, nw, conf := f.Admin.Text, f.New.Text, f.Confirm.Text
	if err := a.opt.Tokens.CheckNewPIN(*t, admin, nw, conf); err != nil {
		setStatus(f.Status, message(err, a.lang), widget.DangerImportance)
		return
	}
	run := func(final bool) {
		f.busy = true
		f.Submit.Disable()
		f.Status.SetText(a.t("ui.pin.working"))
		svc := a.opt.Tokens
		a.background(func() {
			err := svc.Unblock(t.Slot, admin, nw, conf, final)
			a.do(func() {
				f.busy = false
				f.Submit.Enable()
				if err != nil {
					a.ops.Add("unblock", a.opFailed(err))
					f.Admin.SetText("")
					setStatus(f.Status, failureText(a, err, nil), widget.DangerImportance)
					a.refresh()
					return
				}
				a.ops.Add("unblock", a.t("support.result.ok"))
				f.Succeeded = true
				_ = a.opt.Store.SetDone(t.Serial, stepPINSet, true)
				f.Status.SetText("")
				f.result.Objects = []fyne.CanvasObject{bannerBox(a.t("ui.blocked.success"), theme.ColorNameSuccess),
					container.NewHBox(newButton(a.t("ui.step.test_signature.button"), func() { a.show(screenSign) }))}
				f.result.Refresh()
				a.refresh()
			})
		})
	}
	a.withConsent(t.SOPIN, a.t("ui.final_try.admin_text"), run, nil)
}
