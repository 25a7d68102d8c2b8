package main

import (
	"context"
	"runtime"
	"time"

	"fyne.io/fyne/v2"
	certigna "github.com/certigna-desktop/app"
	"github.com/certigna-desktop/app/internal/update"
	"github.com/certigna-desktop/app/ui"
)

// updateChecker is the app's built-in release check (nil when no manifest
// address and key are built in: then nothing is ever fetched).
func updateChecker() *update.Checker {
	key := update.ReleaseKey()
	if update.ManifestURL == "" || key == nil {
		return nil
	}
	info := certigna.App()
	return &update.Checker{URL: update.ManifestURL, Key: key, Current: info.Version, OS: runtime.GOOS,
		Agent: "Certigna-Desktop/" + info.Version}
}

// checkForUpdate runs in the background once the window is up: at most one
// request a day, none when turned off in À propos; a newer release is
// announced under the header. Failures are silent (the app works the same).
func checkForUpdate(c *update.Checker, store *ui.Store, u *ui.App, lang string) {
	if c == nil {
		return
	}
	s := store.Settings()
	st := update.State{LastCheck: s.UpdateChecked, Sequence: s.UpdateSequence}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		res, _ := c.Check(ctx, st, !s.UpdatesOff)
		if !res.Checked {
			return
		}
		fyne.Do(func() {
			cur := store.Settings() // saved on the UI goroutine, like every other setting
			cur.UpdateChecked, cur.UpdateSequence = res.State.LastCheck, res.State.Sequence
			_ = store.SetSettings(cur)
			if res.Available {
				u.SetUpdate(&ui.UpdateInfo{Version: res.Manifest.Version, Date: res.Manifest.Date,
					Notes: res.Manifest.NotesFor(lang), URL: res.URL})
			}
		})
	}()
}
