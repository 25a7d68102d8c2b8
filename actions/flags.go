package actions

import (
	"fmt"
	"math"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/sign"
)

// The signing choices the CLI's flags and the window's settings share (B-T,
// B-LT, visible stamp), checked and turned into sign.Options before the
// PIN is asked for, so that a typo costs no PIN entry.

func flagErr(kind pdfsign.LTVKind, url, detail string, err error) error {
	return &pdfsign.LTVError{Kind: kind, URL: url, Detail: detail, Err: err}
}

// rectFlagErr is --rect's refusal, its detail translated (ltv.rect.key).
func rectFlagErr(key string, args map[string]any, english string) error {
	return &pdfsign.LTVError{Kind: pdfsign.LTVBadRect, Detail: english, DetailKey: "ltv.rect." + key, DetailArgs: args}
}

// ParseRect reads "x,y,w,h" (points) as given to --rect: page coordinates,
// the window's (pdfsign/place.go: on the page as displayed, from its
// displayed bottom-left corner).
func ParseRect(s string) ([4]float64, error) {
	parts := strings.Split(s, ",")
	var r [4]float64
	if len(parts) != 4 {
		return r, rectFlagErr("syntax", nil, "expected x,y,w,h in points, e.g. 350,40,200,60")
	}
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return r, rectFlagErr("number", map[string]any{"Value": pdfsign.SafeText(strings.TrimSpace(p), 40)}, fmt.Sprintf("%q is not a number", p))
		}
		r[i] = v
	}
	return r, nil
}

// LTVFlags is what the CLI (and the GUI's settings) collect for B-T, B-LT
// and the visible stamp, turned into sign.Options by Apply. Credentials for the
// TSA are never flags: Apply reads them from CERTIGNA_TSA_USER /
// CERTIGNA_TSA_PASSWORD.
type LTVFlags struct {
	TSA        string // --tsa URL
	LTV        bool   // --ltv
	Visible    bool   // --visible
	Rect       string // --rect x,y,w,h (points on the page as displayed, from its bottom-left; implies --visible)
	Corner     string // --corner bottom-right|bottom-left|top-right|top-left (implies --visible)
	AllowLower bool   // --allow-bb: save at the level reached if the TSA or revocation servers fail
	// HTTPCredentials (--tsa-http-credentials) sends the TSA credentials
	// over plain http:// when asked to; otherwise that is refused.
	HTTPCredentials bool
}

// EnvNetTimeout, a Go duration ("30s"), bounds each request to the TSA and
// the revocation servers instead of their defaults (20 s / 15 s): for a
// slow network, and for the tests' servers that hang.
const EnvNetTimeout = "CERTIGNA_NET_TIMEOUT"

// NetTimeout is EnvNetTimeout's value, 0 when unset or unusable.
func NetTimeout() time.Duration {
	d, err := time.ParseDuration(os.Getenv(EnvNetTimeout))
	if err != nil || d <= 0 {
		return 0
	}
	return d
}

// Apply checks the flags and fills in opts. It is meant to run before the
// PIN is asked for, so a typo costs no PIN entry.
func (f LTVFlags) Apply(opts *sign.Options) error {
	if f.TSA != "" {
		u, err := url.Parse(f.TSA)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return flagErr(pdfsign.LTVTSAConfig, f.TSA, "http:// or https:// URL expected", err)
		}
		if u.User != nil {
			// user:password@host would put the password in the process list.
			return flagErr(pdfsign.LTVTSAConfig, u.Redacted(), "credentials go in "+pdfsign.EnvTSAUser+" / "+pdfsign.EnvTSAPassword+", not in the URL", nil)
		}
		opts.TSA = pdfsign.TSAConfigFromEnv(f.TSA)
		opts.TSA.HTTPCredentials = f.HTTPCredentials
		if err := sign.CheckTSACredentials(opts.TSA); err != nil {
			return err // clear-text credentials: refused before the PIN
		}
	}
	opts.NetTimeout = NetTimeout()
	opts.LTV = f.LTV
	opts.AllowLower = f.AllowLower
	if f.Visible || f.Rect != "" || f.Corner != "" {
		v := &sign.Visible{}
		if f.Rect != "" {
			r, err := ParseRect(f.Rect)
			if err != nil {
				return err
			}
			v.OnPage = r
		}
		c, ok := ParseCorner(strings.ToLower(f.Corner))
		if !ok {
			return flagErr(pdfsign.LTVBadRect, "", "corner “"+f.Corner+"”: bottom-right, bottom-left, top-right or top-left", nil)
		}
		v.Corner = c
		opts.Visible = v
	}
	return nil
}
