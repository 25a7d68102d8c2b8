package actions

import (
	"errors"
	"testing"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/sign"
)

// The flags as typed, and what they give: options, or a typed error before
// any PIN is asked for.
func TestLTVFlags(t *testing.T) {
	t.Setenv(pdfsign.EnvTSAUser, "alice")
	t.Setenv(pdfsign.EnvTSAPassword, "s3cret")
	for _, c := range []struct {
		name string
		f    LTVFlags
		kind pdfsign.LTVKind // "" = accepted
		want func(o sign.Options) bool
	}{
		{"nothing", LTVFlags{}, "", func(o sign.Options) bool { return o.TSA == nil && !o.LTV && o.Visible == nil }},
		{"tsa", LTVFlags{TSA: "https://tsa.example/"}, "", func(o sign.Options) bool {
			return o.TSA != nil && o.TSA.URL == "https://tsa.example/" && o.TSA.Username == "alice" && o.TSA.Password == "s3cret"
		}},
		{"tsa and ltv, allow B-B", LTVFlags{TSA: "https://tsa.example/", LTV: true, AllowLower: true}, "", func(o sign.Options) bool { return o.LTV && o.AllowLower }},
		// Basic authentication over http:// is clear text: refused, unless asked for by name.
		{"credentials over http", LTVFlags{TSA: "http://tsa.example/"}, pdfsign.LTVTSAInsecure, nil},
		{"credentials over http, asked for", LTVFlags{TSA: "http://tsa.example/", HTTPCredentials: true}, "", func(o sign.Options) bool {
			return o.TSA != nil && o.TSA.HTTPCredentials
		}},
		{"password in the URL", LTVFlags{TSA: "https://user:secret@tsa.example/"}, pdfsign.LTVTSAConfig, nil},
		{"not http", LTVFlags{TSA: "ftp://tsa.example/"}, pdfsign.LTVTSAConfig, nil},
		{"visible, default corner", LTVFlags{Visible: true}, "", func(o sign.Options) bool { return o.Visible != nil && o.Visible.Corner == sign.BottomRight }},
		{"corner implies visible", LTVFlags{Corner: "tl"}, "", func(o sign.Options) bool { return o.Visible != nil && o.Visible.Corner == sign.TopLeft }},
		{"rect", LTVFlags{Rect: "10, 20.5,200,60"}, "", func(o sign.Options) bool {
			return o.Visible != nil && o.Visible.OnPage == [4]float64{10, 20.5, 200, 60} && o.Visible.Rect == [4]float64{}
		}},
		{"rect of three numbers", LTVFlags{Rect: "1,2,3"}, pdfsign.LTVBadRect, nil},
		{"rect not a number", LTVFlags{Rect: "1,2,x,4"}, pdfsign.LTVBadRect, nil},
		{"unknown corner", LTVFlags{Corner: "middle"}, pdfsign.LTVBadRect, nil},
	} {
		var o sign.Options
		err := c.f.Apply(&o)
		var le *pdfsign.LTVError
		switch {
		case c.kind != "" && (!errors.As(err, &le) || le.Kind != c.kind):
			t.Errorf("%s: %v, want %s", c.name, err, c.kind)
		case c.kind == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.kind == "" && !c.want(o):
			t.Errorf("%s: options %+v", c.name, o)
		}
	}
}
