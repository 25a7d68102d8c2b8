package ui

import (
	"strings"
	"testing"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/browsers"
)

// Finding 12: a store's card says one consistent thing. Firefox registered
// and open showed "token enregistré" beside "fermez-le pour enregistrer le
// token"; now an open, registered profile is never told to close "to
// register", and only ours is told that closing it lets the registration
// be removed.
func TestBrowserStatesAgree(t *testing.T) {
	say := func(s browsers.Store) string {
		var out []string
		for _, b := range storeStates(s) {
			out = append(out, assets.T("fr", b.key))
		}
		return strings.Join(out, " | ")
	}
	for _, c := range []struct {
		s          browsers.Store
		want, dont string
	}{
		{browsers.Store{Registered: true, Running: true, Ours: true, HasDB: true}, "fermez-le pour pouvoir retirer", "pour enregistrer"},
		{browsers.Store{Registered: true, Running: true, HasDB: true}, "token enregistré", "fermez-le"},
		{browsers.Store{Running: true, HasDB: true}, "fermez-le pour enregistrer le token", "token enregistré"},
		{browsers.Store{Registered: true, Ours: true, HasDB: true}, "token enregistré", "fermez-le"},
	} {
		got := say(c.s)
		if !strings.Contains(got, c.want) || strings.Contains(got, c.dont) {
			t.Errorf("%+v: %q (want %q, not %q)", c.s, got, c.want, c.dont)
		}
	}
}
