package reminder

import (
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/settings"
)

func TestRemindFrom60DaysBefore(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	certs := map[string]settings.CertExpiry{
		"A/01": {Holder: "Alice", NotAfter: now.Add(61 * 24 * time.Hour)},       // not yet
		"B/01": {Holder: "Bob", NotAfter: now.Add(59*24*time.Hour + time.Hour)}, // 59 days left
		"C/01": {Holder: "Chloé", NotAfter: now.Add(3 * time.Hour)},             // last day
		"D/01": {Holder: "Dan", NotAfter: now.Add(-48 * time.Hour)},             // expired two days ago
		"E/01": {Holder: "Eve", NotAfter: now.Add(-100 * 24 * time.Hour)},       // long gone: forgotten
	}
	got := List(certs, now)
	if len(got) != 3 {
		t.Fatalf("due %+v", got)
	}
	if got[0].Holder != "Dan" || !got[0].Expired || got[0].Days != -3 {
		t.Errorf("first %+v", got[0])
	}
	if got[1].Holder != "Chloé" || got[1].Expired || got[1].Days != 0 {
		t.Errorf("second %+v", got[1])
	}
	if got[2].Holder != "Bob" || got[2].Days != 59 {
		t.Errorf("third %+v", got[2])
	}
}

func TestRenewedCertificateSilencesTheReminder(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var s settings.Settings
	Remember(&s, "TOK1", map[string]settings.CertExpiry{Key("TOK1", []byte{1}): {Holder: "Alice", NotAfter: now.Add(10 * 24 * time.Hour)}})
	if len(List(s.Certs, now)) != 1 {
		t.Fatal("expiring certificate not reminded")
	}
	// Renewed on the same token: the old entry is replaced.
	Remember(&s, "TOK1", map[string]settings.CertExpiry{Key("TOK1", []byte{2}): {Holder: "Alice", NotAfter: now.Add(3 * 365 * 24 * time.Hour)}})
	if len(s.Certs) != 1 || len(List(s.Certs, now)) != 0 {
		t.Fatalf("after renewal: %+v", s.Certs)
	}
	// Renewed on a new token while the old one's entry stays: still silent.
	Remember(&s, "TOK0", map[string]settings.CertExpiry{Key("TOK0", []byte{1}): {Holder: "Alice", NotAfter: now.Add(5 * 24 * time.Hour)}})
	if d := List(s.Certs, now); len(d) != 0 {
		t.Fatalf("reminded although renewed: %+v", d)
	}
	// A token without certificates any more: its entries go.
	Remember(&s, "TOK0", nil)
	if _, ok := s.Certs[Key("TOK0", []byte{1})]; ok {
		t.Fatal("entry kept")
	}
}

func TestAtMostOneNotificationADay(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	due := []Due{{Holder: "Alice"}}
	if !ShouldNotify(due, time.Time{}, now) || ShouldNotify(due, now.Add(-23*time.Hour), now) || !ShouldNotify(due, now.Add(-25*time.Hour), now) {
		t.Fatal("notification rhythm")
	}
	if ShouldNotify(nil, time.Time{}, now) {
		t.Fatal("notified with nothing due")
	}
}
