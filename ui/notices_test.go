package ui

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func showsPart(h *harness, s string) bool {
	for _, x := range texts(h.win) {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// The real token's certificate expiry is kept (holder and date, never the
// PIN); at the next start a certificate within 60 days of its end is shown
// with Certigna's renewal address, before the token is even read. (The test
// token's certificate lasts 30 days: the kept date is moved to 20 days so
// the sentence is known.)
func TestRenewalReminderFromKeptExpiry(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	st := h.store.Settings()
	if len(st.Certs) == 0 {
		t.Fatal("the token's certificate expiry was not kept")
	}
	for k, c := range st.Certs {
		if !strings.Contains(k, "/") || c.Holder != tok.Holder || c.NotAfter.IsZero() {
			t.Fatalf("kept %q: %+v", k, c)
		}
	}
	raw, err := os.ReadFile(h.store.Path())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), tok.PIN) {
		t.Fatal("the PIN is in the settings file")
	}
	if showsPart(h, "expire dans") {
		t.Fatal("a reminder on the first run: the expiry is kept for the next start")
	}

	// A later run: the kept certificate now ends in 20 days (set in the
	// file as a run 20 days before the end would find it).
	end := time.Now().Add(20*24*time.Hour + time.Hour)
	for k, c := range st.Certs {
		c.NotAfter = end
		st.Certs[k] = c
	}
	st.ReminderNotified = time.Time{}
	if err := h.store.SetSettings(st); err != nil {
		t.Fatal(err)
	}
	h2 := startStore(t, tok, OpenStore(h.store.Path()))
	want := fmt.Sprintf("Votre certificat (%s) expire dans 20 jours", tok.Holder)
	if !showsPart(h2, want) || !showsPart(h2, "espace privé sur www.certigna.com") {
		t.Fatalf("no reminder %q; the window shows:\n%s", want, strings.Join(texts(h2.win), "\n"))
	}
	tapText(t, h2, "Ouvrir www.certigna.com")
	if len(h2.opened) == 0 || h2.opened[len(h2.opened)-1] != "https://www.certigna.com" {
		t.Fatalf("opened %q", h2.opened)
	}
	// The desktop notification: once, then not again the same day.
	h2.app.NotifyReminders()
	first := h2.store.Settings().ReminderNotified
	if first.IsZero() {
		t.Fatal("no desktop notification sent")
	}
	h2.app.NotifyReminders()
	if !h2.store.Settings().ReminderNotified.Equal(first) {
		t.Fatal("notified twice in a day")
	}
}

// A newer release (found by the entry point's signed-manifest check) is
// announced under the header with what changed and where to get it; the
// About screen can turn the check off.
func TestUpdateBannerAndToggle(t *testing.T) {
	tok := softhsm(t)
	withOptions = func(o *Options) { o.UpdateCheck = true }
	t.Cleanup(func() { withOptions = nil })
	h := start(t, tok, "fr")
	h.app.SetUpdate(&UpdateInfo{Version: "0.2.0", Date: "2026-12-01", Notes: "Signature des formulaires.", URL: "https://example.invalid/get"})
	if !showsPart(h, "Une nouvelle version est disponible : Certigna Desktop 0.2.0 (2026-12-01).") || !showsPart(h, "Signature des formulaires.") {
		t.Fatalf("no update banner:\n%s", strings.Join(texts(h.win), "\n"))
	}
	tapText(t, h, "Télécharger")
	if h.opened[len(h.opened)-1] != "https://example.invalid/get" {
		t.Fatalf("opened %q", h.opened)
	}
	h.app.show(screenAbout)
	var c *widget.Check
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if x, ok := o.(*widget.Check); ok && strings.HasPrefix(x.Text, "Rechercher une nouvelle version") {
			c = x
		}
	}
	if c == nil || !c.Checked {
		t.Fatalf("no update toggle (on by default):\n%s", strings.Join(texts(h.win), "\n"))
	}
	test.Tap(c)
	if !h.store.Settings().UpdatesOff {
		t.Fatal("unticking did not turn the check off")
	}
}
