package ui

import (
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/certigna-desktop/app/actions"
)

// The sign screen's result: the signed copy checked, its verdict and details
// beside the button, or the failure in words.

func (v *signView) done(t actions.TokenInfo, out string, ver *actions.Verification, res actions.SignResult, err error, removed bool) {
	a := v.a
	v.busy = false
	if v.cancelRun != nil {
		v.cancelRun()
		v.cancelRun, v.cancelButton = nil, nil
	}
	v.pin.Enable()
	v.setButton()
	v.progress.Objects = nil
	v.progress.Refresh()
	if err != nil {
		msg := message(err, a.lang)
		if removed {
			msg = a.t("ui.sign.removed") + "\n" + msg
		}
		a.ops.Add("sign", a.opFailed(err))
		setStatus(v.status, msg, widget.DangerImportance)
		a.refresh()
		return
	}
	v.output, v.verification, v.warning = out, ver, res.Warning
	v.status.SetText("")
	a.ops.Add("sign", a.t("support.result.ok_file", map[string]any{"File": filepath.Base(out)}))
	a.rememberCert(t.Serial, v.lastCert)
	if ver.Valid {
		_ = a.opt.Store.SetDone(t.Serial, stepTestSignature, true)
	}
	// the outcome beside the button; the details right under it, compact
	// enough that the result fits at 1024×740 without scrolling
	setStatus(v.status, a.t("ui.sign.success"), widget.SuccessImportance)
	verdict := badge(a.t("ui.sign.valid"), theme.ColorNameSuccess)
	if !ver.Valid {
		setStatus(v.status, a.t("ui.sign.invalid_text", map[string]any{"Detail": ver.Detail}), widget.DangerImportance)
		verdict = badge(a.t("ui.sign.invalid"), theme.ColorNameError)
	}
	rows := [][]fyne.CanvasObject{
		kv(a.t("ui.sign.output"), out),
		kv(a.t("ui.cert.holder"), ver.Holder),
		kv(a.t("ui.sign.time"), fmtTime(a.lang, ver.Time)),
	}
	trust := a.t("ui.sign.trust_unknown")
	switch ver.Trust {
	case actions.TrustTrusted:
		trust = a.t("ui.sign.trust_yes")
	case actions.TrustUntrusted:
		trust = a.t("ui.sign.trust_no")
	}
	if ver.Level != "" {
		rows = append(rows, kv(a.t("ui.sign.level"), a.t("ui.sign.level_"+strings.ReplaceAll(ver.Level, "-", "_"))))
	}
	if !ver.Timestamp.IsZero() {
		rows = append(rows, kv(a.t("ui.sign.timestamp"), fmtTime(a.lang, ver.Timestamp)))
	}
	var top []fyne.CanvasObject
	if res.ChainWarning != nil {
		top = append(top, bannerBox(message(res.ChainWarning, a.lang), theme.ColorNameWarning))
	}
	v.retryButton = nil
	if res.Pending != nil {
		top = append(top, v.pendingBanner(t, out, res))
		setStatus(v.status, a.t("finish.ui.kept_status"), widget.WarningImportance)
	}
	if res.Warning != nil {
		a.ops.Add("sign_lower", res.Level)
		top = append(top, bannerBox(a.t("ui.sign.lower", map[string]any{"Level": a.t("ui.sign.level_" + strings.ReplaceAll(res.Level, "-", "_")), "Err": message(res.Warning, a.lang)}), theme.ColorNameWarning))
	}
	v.intro.Hide() // read already; room for the result
	v.result.Objects = append(top,
		widget.NewCard("", "", container.NewVBox(
			container.NewBorder(nil, nil, container.NewVBox(verdict), nil, para(trust)),
			form(rows...),
			container.NewHBox(
				newIconButton(a.t("ui.sign.open_file"), theme.FileIcon(), func() { a.openPath(out) }),
				newIconButton(a.t("ui.sign.open_folder"), theme.FolderOpenIcon(), func() { a.openPath(filepath.Dir(out)) }),
				newButton(a.t("ui.sign.back_guide"), func() { a.show(screenGuide) }),
			),
		)),
	)
	v.result.Refresh()
	a.relayout()
	a.refresh()
}
