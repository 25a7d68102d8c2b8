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
	a                      *App
	admin, newPIN, confirm *input
	submit                 *button
	status                 *widget.Label
	weak                   *widget.Label
	// reveal shows the admin-code form ("J'ai un code administrateur…").
	reveal    *button
	revealed  bool
	result    *fyne.Container
	fields    *widget.Form
	busy      bool
	succeeded bool
}

func newUnblockForm(a *App) *unblockForm {
	f := &unblockForm{a: a}
	f.admin = newCodeInput()
	f.newPIN = newCodeInput()
	f.confirm = newCodeInput()
	entries := []*input{f.admin, f.newPIN, f.confirm}
	for _, e := range entries {
		e.OnSubmitted = func(string) { enterSubmits(a, entries, f.submitNow) }
	}
	f.submit = newIconButton(a.t("ui.blocked.submit"), theme.ConfirmIcon(), f.submitNow)
	f.submit.Importance = widget.HighImportance
	f.status = para("")
	f.weak = weakWarning(a, f.newPIN)
	clearStale(f.status, entries...)
	f.reveal = newIconButton(a.t("ui.blocked.have_admin"), theme.MoreHorizontalIcon(), f.showAdminForm)
	f.result = container.NewVBox()
	return f
}

// showAdminForm opens the admin-code form.
func (f *unblockForm) showAdminForm() {
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
		items = append(items, container.NewHBox(f.reveal))
	default:
		fields := widget.NewForm(
			widget.NewFormItem(a.t("ui.blocked.admin"), a.wheel(f.admin)),
			widget.NewFormItem(a.t("ui.pin.new"), a.wheel(f.newPIN)),
			widget.NewFormItem(a.t("ui.pin.confirm"), a.wheel(f.confirm)),
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
			container.NewBorder(nil, nil, container.NewVBox(f.submit), nil, f.status), f.weak)))
	}
	items = append(items, f.result)
	return container.NewVBox(items...)
}

func (f *unblockForm) tokenChanged() {
	if f.busy {
		return
	}
	t := f.a.current()
	if t != nil && t.PIN != actions.PINLocked && !f.succeeded {
		// unblocked elsewhere, or another token: back to the PIN screen
		f.a.show(screenPIN)
		return
	}
	if !f.succeeded {
		f.a.show(screenBlocked)
	}
}

// submitNow is the unblock button's action.
func (f *unblockForm) submitNow() {
	a := f.a
	if f.busy {
		return
	}
	t := a.current()
	if t == nil {
		f.status.SetText(a.t("ui.token.plug"))
		return
	}
	admin, nw, conf := f.admin.Text, f.newPIN.Text, f.confirm.Text
	if err := a.opt.Tokens.CheckNewPIN(*t, admin, nw, conf); err != nil {
		setStatus(f.status, message(err, a.lang), widget.DangerImportance)
		return
	}
	run := func(final bool) {
		f.busy = true
		f.submit.Disable()
		f.status.SetText(a.t("ui.pin.working"))
		svc := a.opt.Tokens
		a.background(func() {
			err := svc.Unblock(t.Slot, admin, nw, conf, final)
			a.do(func() {
				f.busy = false
				f.submit.Enable()
				if err != nil {
					a.ops.Add("unblock", a.opFailed(err))
					f.admin.SetText("")
					setStatus(f.status, failureText(a, err, nil), widget.DangerImportance)
					a.refresh()
					return
				}
				a.ops.Add("unblock", a.t("support.result.ok"))
				f.succeeded = true
				_ = a.opt.Store.SetDone(t.Serial, stepPINSet, true)
				f.status.SetText("")
				f.result.Objects = []fyne.CanvasObject{bannerBox(a.t("ui.blocked.success"), theme.ColorNameSuccess),
					container.NewHBox(newButton(a.t("ui.step.test_signature.button"), func() { a.show(screenSign) }))}
				f.result.Refresh()
				a.refresh()
			})
		})
	}
	a.withConsent(t.SOPIN, a.t("ui.final_try.admin_text"), run, nil)
}
