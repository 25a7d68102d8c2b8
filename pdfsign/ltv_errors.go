package pdfsign

import (
	"github.com/certigna-desktop/app/assets"
)

// LTVKind classifies what can go wrong when a signature is time-stamped
// (B-T), made long-term verifiable (B-LT) or given a visible stamp.
type LTVKind string

// LTV error kinds, grouped by the step they come from (LTVError.Step).
const (
	LTVTSAUnreachable LTVKind = "tsa_unreachable" // no answer: network down, refused connection, timeout
	LTVTSAAuth        LTVKind = "tsa_auth"        // the TSA wants (other) credentials
	LTVTSARefused     LTVKind = "tsa_refused"     // HTTP error or PKIStatus rejection/waiting
	LTVTSAGarbage     LTVKind = "tsa_garbage"     // the answer is not a time-stamp response
	LTVTSAMismatch    LTVKind = "tsa_mismatch"    // token for another imprint or nonce
	LTVTSAInvalid     LTVKind = "tsa_invalid"     // token's signature or TSA certificate not acceptable
	LTVTSAConfig      LTVKind = "tsa_config"      // bad TSA URL
	LTVRevOffline     LTVKind = "rev_offline"     // no OCSP responder nor CRL server answered
	LTVRevInvalid     LTVKind = "rev_invalid"     // an OCSP response or CRL did not verify
	LTVRevoked        LTVKind = "revoked"         // a certificate of the chain is revoked
	LTVNoRevInfo      LTVKind = "no_rev_info"     // a certificate names no OCSP responder and no CRL
	LTVBadRect        LTVKind = "bad_rect"        // visible stamp rectangle unusable
	LTVDSS            LTVKind = "dss"             // the DSS revision could not be written
)

// LTVError is the typed error of the timestamp, DSS and visible-stamp steps of Sign.
// errors.As(err, &*pdfsign.LTVError) gives the Kind.
type LTVError struct {
	Kind   LTVKind
	URL    string // server concerned, if any
	Detail string // short technical detail, shown after the sentence
	// DetailKey, when set, is a translation key for the detail (with
	// DetailArgs): a detail a person reads, in their language, where
	// Detail stays the English one of Error().
	DetailKey  string
	DetailArgs map[string]any
	Err        error
}

func (e *LTVError) Error() string {
	s := "pdfsign: " + string(e.Kind)
	if e.URL != "" {
		s += ": " + e.URL
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *LTVError) Unwrap() error { return e.Err }

// Message is the error for a person, in lang ("fr" or "en").
func (e *LTVError) Message(lang string) string {
	detail := e.Detail
	if e.DetailKey != "" {
		detail = assets.T(lang, e.DetailKey, e.DetailArgs)
	} else if c, ok := assets.Cause(e.Err, lang); ok {
		detail = c // a server that does not answer, in the person's words
	} else if detail == "" && e.Err != nil {
		detail = assets.Message(e.Err, lang)
	}
	return assets.T(lang, "ltv.err."+string(e.Kind), map[string]any{"URL": e.URL, "Detail": detail})
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
	case LTVTSAUnreachable, LTVTSAAuth, LTVTSARefused, LTVTSAGarbage, LTVTSAMismatch, LTVTSAInvalid, LTVTSAConfig,
		LTVTSAInsecure, LTVNoRoom:
		return StepTSA
	case LTVRevOffline, LTVRevInvalid, LTVRevoked, LTVNoRevInfo:
		return StepRevocation
	case LTVBadRect:
		return StepStamp
	}
	return StepDSS
}

// More LTV kinds (ltv_errors.go).
const (
	LTVNoRoom      LTVKind = "no_room"      // the timestamp does not fit the signature's reserve
	LTVNotPending  LTVKind = "not_pending"  // the last signature is not one Finish can complete
	LTVTSAInsecure LTVKind = "tsa_insecure" // credentials for a TSA over plain http://
)
