package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/certigna-desktop/app/actions"
)

// A server that failed after the token signed (the TSA, the revocation
// servers) does not waste the signature: the file is kept at the level
// reached, the result says so, and "Réessayer" asks the servers again for
// what is missing — without the PIN, the token is not used.

// pendingBanner says what is missing and offers Réessayer.
func (v *signView) pendingBanner(t actions.TokenInfo, out string, res actions.SignResult) fyne.CanvasObject {
	a := v.a
	a.ops.Add("sign_pending", res.Level)
	retry := widget.NewButtonWithIcon(a.t("finish.ui.retry"), theme.ViewRefreshIcon(), nil)
	retry.Importance = widget.HighImportance
	retry.OnTapped = func() { v.retryFinish(t, out, res, retry) }
	v.retryButton = retry
	msg := a.t("finish.ui.kept", map[string]any{
		"Level": a.t("ui.sign.level_" + strings.ReplaceAll(res.Level, "-", "_")),
		"Err":   message(res.Pending, a.lang),
	})
	return container.NewVBox(bannerBox(msg, theme.ColorNameWarning), container.NewHBox(retry))
}

// retryFinish runs Signer.Finish on the kept file, then shows the result
// again; a server failing again leaves the file as it was and the button
// usable.
func (v *signView) retryFinish(t actions.TokenInfo, out string, prev actions.SignResult, retry *widget.Button) {
	a := v.a
	if v.busy {
		return
	}
	v.busy = true
	retry.Disable()
	setStatus(v.status, a.t("finish.ui.retrying"), widget.MediumImportance)
	signer, opts := a.docs, v.retryOpts
	a.background(func() {
		res, err := signer.Finish(context.Background(), out, opts)
		var ver actions.Verification
		if err == nil {
			ver, err = signer.Verify(out, res, opts.Lang)
		}
		a.do(func() {
			v.busy = false
			if err != nil {
				a.ops.Add("sign_retry", a.opFailed(err))
				setStatus(v.status, message(err, a.lang), widget.DangerImportance)
				retry.Enable()
				return
			}
			a.ops.Add("sign_retry", res.Level)
			res.ChainWarning = prev.ChainWarning
			v.done(t, out, &ver, res, nil, false)
			if res.Pending == nil {
				setStatus(v.status, a.t("finish.ui.done", map[string]any{
					"Level": a.t("ui.sign.level_" + strings.ReplaceAll(res.Level, "-", "_"))}), widget.SuccessImportance)
			}
		})
	})
}
