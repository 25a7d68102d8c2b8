// Package reminder decides when to remind the person that a certificate is
// about to expire (1 to 3 years after issue), from the expiry dates kept in
// the settings — so the reminder shows at start, token plugged in or not.
package reminder

import (
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"github.com/certigna-desktop/app/internal/settings"
)

// Window: reminders start this long before the expiry.
const Window = 60 * 24 * time.Hour

// forget: a certificate expired this long ago is no longer mentioned (it was
// renewed, or the token is gone).
const forget = 90 * 24 * time.Hour

// RenewalSite is where a Certigna certificate is renewed: the customer's
// "Espace privé" on Certigna's site (the welcome e-mail's address; no deeper
// link is published).
const RenewalSite = "https://www.certigna.com"

// Due is a certificate to remind of.
type Due struct {
	Holder   string
	NotAfter time.Time
	Expired  bool
	Days     int // whole days left (0 on the last day; negative once expired)
}

// Key is a certificate's key in settings.Settings.Certs.
func Key(tokenSerial string, certID []byte) string {
	return tokenSerial + "/" + hex.EncodeToString(certID)
}

// Remember replaces what is kept for the token with serial by its
// certificates now (a renewed certificate replaces the old one).
func Remember(s *settings.Settings, serial string, certs map[string]settings.CertExpiry) {
	for k := range s.Certs {
		if strings.HasPrefix(k, serial+"/") {
			delete(s.Certs, k)
		}
	}
	if len(certs) == 0 {
		return
	}
	if s.Certs == nil {
		s.Certs = map[string]settings.CertExpiry{}
	}
	for k, c := range certs {
		s.Certs[k] = c
	}
}

// List is what to remind of now, soonest first. A holder with a later,
// still valid certificate on file (renewed already) is not reminded.
func List(certs map[string]settings.CertExpiry, now time.Time) []Due {
	latest := map[string]time.Time{}
	for _, c := range certs {
		if c.NotAfter.After(latest[c.Holder]) {
			latest[c.Holder] = c.NotAfter
		}
	}
	seen := map[string]bool{}
	var out []Due
	for _, c := range certs {
		left := c.NotAfter.Sub(now)
		if left > Window || -left > forget || latest[c.Holder].Sub(now) > Window {
			continue
		}
		if key := c.Holder + c.NotAfter.String(); !seen[key] { // the same certificate seen on two slots
			seen[key] = true
			days := int(left.Hours() / 24)
			if left < 0 {
				days = -int((-left).Hours()/24) - 1
			}
			out = append(out, Due{Holder: c.Holder, NotAfter: c.NotAfter, Expired: left <= 0, Days: days})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NotAfter.Before(out[j].NotAfter) })
	return out
}

// ShouldNotify says whether to send a desktop notification now: something
// is due and none was sent in the last day.
func ShouldNotify(due []Due, last, now time.Time) bool {
	return len(due) > 0 && (last.IsZero() || now.Sub(last) >= 24*time.Hour || now.Before(last))
}
