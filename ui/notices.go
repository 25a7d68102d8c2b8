package ui

import (
	"net/url"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/internal/reminder"
	"github.com/certigna-desktop/app/internal/settings"
)

// UpdateInfo is a newer release to announce; the check itself (signed
// manifest, at most daily) is internal/update's, run by the entry point.
type UpdateInfo struct {
	Version string
	Date    string
	Notes   string // what changed, in the window's language
	URL     string // where to get it (https)
}

// noticeState is what the header's notices show (App.notices).
type noticeState struct {
	update *UpdateInfo
	// due: the reminders of this run, from the expiry dates kept by the
	// previous runs (taken once, at start: a token read now is kept for the
	// next start, its own screen already flags a certificate near its end).
	due    []reminder.Due
	loaded bool
	now    func() time.Time // tests
}

func (a *App) noticeNow() time.Time {
	if a.notice.now != nil {
		return a.notice.now()
	}
	return time.Now()
}

// SetUpdate announces a newer release under the header (nil: none).
func (a *App) SetUpdate(u *UpdateInfo) {
	a.notice.update = u
	a.updateHeader()
}

// notices are the header's banners: certificates to renew, a new version.
func (a *App) notices() []fyne.CanvasObject {
	var out []fyne.CanvasObject
	if !a.notice.loaded {
		a.notice.due, a.notice.loaded = reminder.List(a.opt.Store.Settings().Certs, a.noticeNow()), true
	}
	for _, d := range a.notice.due {
		out = append(out, a.noticeBanner(a.reminderText(d), theme.ColorNameWarning, a.t("ui.open_certigna"), reminder.RenewalSite))
	}
	if u := a.notice.update; u != nil {
		text := a.t("ui.update.available", map[string]any{"Version": u.Version, "Date": u.Date})
		if u.Notes != "" {
			text += "\n" + u.Notes
		}
		out = append(out, a.noticeBanner(text, theme.ColorNamePrimary, a.t("ui.update.get"), u.URL))
	}
	return out
}

func (a *App) reminderText(d reminder.Due) string {
	data := map[string]any{"Holder": d.Holder, "Date": fmtDate(a.lang, d.NotAfter), "Days": d.Days}
	switch {
	case d.Expired:
		return a.t("ui.reminder.expired", data)
	case d.Days == 0:
		return a.t("ui.reminder.today", data)
	}
	return a.n("ui.reminder.soon", d.Days, data)
}

func (a *App) noticeBanner(text string, c fyne.ThemeColorName, button, link string) fyne.CanvasObject {
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "https" {
		return bannerBox(text, c)
	}
	b := widget.NewButtonWithIcon(button, theme.ComputerIcon(), func() { a.openURL(link) })
	return container.NewBorder(nil, nil, nil, container.NewCenter(b), bannerBox(text, c))
}

// rememberCerts keeps the expiry of the certificates of the token with
// serial (the demo token's are not kept: it is not the person's).
func (a *App) rememberCerts(serial string, certs []actions.CertInfo) {
	if a.module.Demo || serial == "" {
		return
	}
	keep := map[string]settings.CertExpiry{}
	for _, c := range certs {
		if c.HasPrivateKey && !c.NotAfter.IsZero() {
			keep[reminder.Key(serial, c.ID)] = settings.CertExpiry{Holder: c.Holder, NotAfter: c.NotAfter}
		}
	}
	s := a.opt.Store.Settings()
	reminder.Remember(&s, serial, keep)
	_ = a.opt.Store.SetSettings(s)
}

// NotifyReminders sends one desktop notification (at most one a day) when a
// certificate is to be renewed; the banner says the rest.
func (a *App) NotifyReminders() {
	s := a.opt.Store.Settings()
	now := a.noticeNow()
	due := a.notice.due
	if !reminder.ShouldNotify(due, s.ReminderNotified, now) {
		return
	}
	a.fyne.SendNotification(fyne.NewNotification(a.t("ui.reminder.notification_title"), a.reminderText(due[0])))
	s.ReminderNotified = now.UTC()
	_ = a.opt.Store.SetSettings(s)
}

// updatesToggle is the About screen's "check for new versions" switch,
// shown when the app has an update check built in.
func (a *App) updatesToggle() fyne.CanvasObject {
	if !a.opt.UpdateCheck {
		none := widget.NewLabel("")
		none.Hide() // takes no room in the screen's VBox
		return none
	}
	c := widget.NewCheck(a.t("ui.update.toggle"), func(on bool) {
		s := a.opt.Store.Settings()
		s.UpdatesOff = !on
		_ = a.opt.Store.SetSettings(s)
	})
	c.SetChecked(!a.opt.Store.Settings().UpdatesOff)
	return c
}
