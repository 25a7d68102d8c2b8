package pdfsign

import (
	"net/url"
	"strings"
)

// LTVFlags is what the CLI (and the GUI's settings) collect for B-T, B-LT
// and the visible stamp, turned into Options by Apply. Credentials for the
// TSA are never flags: Apply reads them from CERTIGNA_TSA_USER /
// CERTIGNA_TSA_PASSWORD.
type LTVFlags struct {
	TSA        string // --tsa URL
	LTV        bool   // --ltv
	Visible    bool   // --visible
	Rect       string // --rect x,y,w,h (points; implies --visible)
	Corner     string // --corner bottom-right|bottom-left|top-right|top-left (implies --visible)
	AllowLower bool   // --allow-bb: save at the level reached if the TSA or revocation servers fail
}

// Apply checks the flags and fills in opts. It is meant to run before the
// PIN is asked for, so a typo costs no PIN entry.
func (f LTVFlags) Apply(opts *Options) error {
	if f.TSA != "" {
		u, err := url.Parse(f.TSA)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return ltvErr(LTVTSAConfig, f.TSA, "http:// or https:// URL expected", err)
		}
		if u.User != nil {
			// user:password@host would put the password in the process list.
			return ltvErr(LTVTSAConfig, u.Redacted(), "credentials go in "+EnvTSAUser+" / "+EnvTSAPassword+", not in the URL", nil)
		}
		opts.TSA = TSAConfigFromEnv(f.TSA)
	}
	opts.LTV = f.LTV
	opts.AllowLower = f.AllowLower
	if f.Visible || f.Rect != "" || f.Corner != "" {
		v := &Visible{}
		if f.Rect != "" {
			r, err := ParseRect(f.Rect)
			if err != nil {
				return err
			}
			v.Rect = r
		}
		switch strings.ToLower(f.Corner) {
		case "", "bottom-right", "br":
			v.Corner = BottomRight
		case "bottom-left", "bl":
			v.Corner = BottomLeft
		case "top-right", "tr":
			v.Corner = TopRight
		case "top-left", "tl":
			v.Corner = TopLeft
		default:
			return ltvErr(LTVBadRect, "", "corner “"+f.Corner+"”: bottom-right, bottom-left, top-right or top-left", nil)
		}
		opts.Visible = v
	}
	return nil
}

// Steps an LTVError can come from, for callers that say which one failed.
const (
	StepTSA        = "tsa"        // the TSA: unreachable, refused, bad answer, bad URL
	StepRevocation = "revocation" // revocation data could not be had (offline, invalid) or a certificate is revoked
	StepStamp      = "stamp"      // the visible stamp's rectangle or corner
	StepDSS        = "dss"        // the DSS revision could not be written
)

// Step is the step of Sign that failed.
func (e *LTVError) Step() string {
	switch e.Kind {
	case LTVTSAUnreachable, LTVTSAAuth, LTVTSARefused, LTVTSAGarbage, LTVTSAMismatch, LTVTSAInvalid, LTVTSAConfig:
		return StepTSA
	case LTVRevOffline, LTVRevInvalid, LTVRevoked, LTVNoRevInfo:
		return StepRevocation
	case LTVBadRect:
		return StepStamp
	}
	return StepDSS
}
