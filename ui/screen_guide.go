package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// guideScreen: the steps of the CA's welcome e-mail, each with its state.
func (a *App) guideScreen() fyne.CanvasObject {
	states := stepStates(a.opt.Store, a.facts())
	done := 0
	for _, s := range states {
		if s == stateDone {
			done++
		}
	}
	bar := widget.NewProgressBar()
	bar.Max = float64(len(steps))
	bar.SetValue(float64(done))
	bar.TextFormatter = func() string {
		return a.n("ui.guide.progress", done, map[string]any{"Total": len(steps)})
	}
	items := []fyne.CanvasObject{
		title(a.t("ui.guide.title")),
		para(a.t("ui.guide.intro")),
		bar,
	}
	if a.searching {
		items = append(items, widget.NewProgressBarInfinite())
	}
	for i, st := range steps {
		items = append(items, a.stepCard(i+1, st, states[st]))
		if st == stepTestSignature {
			items = append(items, a.browsersStepCard()) // optional: not counted in the progress
		}
	}
	items = append(items, para(a.t("ui.guide.personal")))
	return container.NewVBox(items...)
}

func (a *App) stepCard(n int, st stepID, state stepState) fyne.CanvasObject {
	var icon fyne.Resource
	var stateText fyne.CanvasObject
	switch state {
	case stateDone:
		icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
		stateText = badge(a.t("ui.step_state.done"), theme.ColorNameSuccess)
	case stateCurrent:
		icon = theme.NewPrimaryThemedResource(theme.NavigateNextIcon())
		stateText = badge(a.t("ui.step_state.current"), theme.ColorNamePrimary)
	case stateBlocked:
		icon = theme.NewErrorThemedResource(theme.ErrorIcon())
		stateText = badge(a.t("ui.step_state.blocked"), theme.ColorNameError)
	default:
		icon = theme.NewDisabledResource(theme.RadioButtonIcon())
		stateText = badge(a.t("ui.step_state.todo"), theme.ColorNamePlaceHolder)
	}
	head := container.NewBorder(nil, nil, widget.NewIcon(icon), container.NewVBox(stateText),
		bold(fmt.Sprintf("%d. %s", n, a.t("ui.step."+string(st)+".title"))))
	body := []fyne.CanvasObject{head}
	cur := a.current()
	serial := ""
	if cur != nil {
		serial = cur.Serial
	}
	tick := func(label string) *check {
		c := newCheck(label, nil)
		c.SetChecked(state == stateDone)
		if a.refocusStep == st {
			// ticked with the keyboard: the rebuilt guide keeps the focus here
			a.refocusStep, a.refocus = "", c
		}
		c.OnChanged = func(v bool) {
			a.refocusStep = st
			if err := a.opt.Store.SetDone(serial, st, v); err != nil {
				a.showError(err)
			}
			if !v && serial != "" {
				_ = a.opt.Store.SetDone("", st, false)
			}
			a.ops.Add("guide_tick", a.t("support.step."+string(st)))
			a.show(screenGuide)
			if st == stepPINSet {
				a.refresh() // the PIN badge: "À changer" until this is done
			}
		}
		return c
	}
	// Only the current step and steps with something to do show their text in
	// full; done steps stay short so the list reads as progress.
	detail := state != stateDone
	switch st {
	case stepAccepted:
		if detail {
			body = append(body, para(a.t("ui.step.accepted.text")))
		}
		body = append(body, container.NewHBox(
			newIconButton(a.t("ui.open_certigna"), theme.ComputerIcon(), func() { a.openURL(certignaSite) }),
			tick(a.t("ui.step.accepted.tick"))))
	case stepDriver:
		body = append(body, para(a.driverStepText(cur != nil)))
		body = append(body, container.NewHBox(newButton(a.t("ui.step.driver.button"), func() { a.show(screenDriver) })))
	case stepInserted:
		if cur != nil {
			body = append(body, para(a.t("ui.step.inserted.found", map[string]any{"Label": cur.Label, "Serial": cur.Serial})))
		} else {
			body = append(body, para(a.t("ui.step.inserted.text")))
		}
		body = append(body, container.NewHBox(newButton(a.t("ui.step.inserted.button"), func() { a.show(screenToken) })))
	case stepUnlockCode:
		if detail {
			body = append(body, para(a.t("ui.step.unlock_code.text")))
		}
		body = append(body, container.NewHBox(
			newIconButton(a.t("ui.open_certigna"), theme.ComputerIcon(), func() { a.openURL(certignaSite) }),
			tick(a.t("ui.step.unlock_code.tick"))))
	case stepPINSet:
		if detail {
			body = append(body, para(a.t("ui.step.pin_set.text")))
		}
		btn := newButton(a.t("ui.step.pin_set.button"), func() { a.show(screenPIN) })
		if state == stateCurrent {
			btn.Importance = widget.HighImportance
		}
		row := container.NewHBox(btn)
		if cur != nil {
			// done (in the app or ticked): "Déjà fait avec le pilote" would
			// be untrue after the PIN was set here
			label := a.t("ui.step.pin_set.tick")
			if state == stateDone {
				label = a.t("ui.step.pin_set.tick_done")
			}
			row.Add(tick(label))
		}
		body = append(body, row)
	case stepTestSignature:
		if detail {
			body = append(body, para(a.t("ui.step.test_signature.text")))
		}
		btn := newButton(a.t("ui.step.test_signature.button"), func() { a.show(screenSign) })
		if state == stateCurrent {
			btn.Importance = widget.HighImportance
		}
		body = append(body, container.NewHBox(btn))
	case stepOriginals:
		body = append(body, para(a.t("ui.step.originals.text")))
		const postal = "Certigna\n20, allée de la Râperie\nF-59650 Villeneuve d’Ascq"
		addr := widget.NewLabel(postal)
		addr.TextStyle.Bold = true
		// a button copies it: with the keyboard, easier than selecting text
		cp := newIconButton(a.t("ui.step.originals.copy"), theme.ContentCopyIcon(), func() {
			a.fyne.Clipboard().SetContent(postal)
		})
		body = append(body, addr, container.NewHBox(cp), tick(a.t("ui.step.originals.tick")))
	}
	return widget.NewCard("", "", container.NewVBox(body...))
}

// driverStepText says in words what was found and what to do.
func (a *App) driverStepText(token bool) string {
	m := a.module
	switch {
	case a.searching:
		return a.t("ui.driver.searching")
	case m.Loaded && m.Demo:
		return a.t("ui.step.driver.demo")
	case m.Loaded && token:
		return a.t("ui.step.driver.sees_token", map[string]any{"Path": m.Path})
	case m.Loaded && genericModule(m) != "":
		return a.t("ui.step.driver.generic", map[string]any{"Name": genericModule(m)})
	case m.Loaded:
		return a.t("ui.step.driver.found", map[string]any{"Path": m.Path})
	}
	return a.t("ui.step.driver.text")
}
