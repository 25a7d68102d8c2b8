package actions

import (
	"errors"

	"github.com/certigna-desktop/app/browsers"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/token"
)

// Hint is advice that only a front end can give after an error's message,
// in its own words: the CLI names its options and environment variables,
// the window its buttons and boxes. The shared texts (assets/translations)
// never carry either; the error only says which advice fits (the way age's
// errorWithHint does).
type Hint string

// Hints.
const (
	HintNone       Hint = ""
	HintModule     Hint = "module"      // no driver found: say where to give its file
	HintFinalTry   Hint = "final_try"   // one try left: say how to consent
	HintAllowLower Hint = "allow_lower" // a server did not answer: say how to save at the level reached
	HintTSALogin   Hint = "tsa_login"   // the TSA refused the login: say where it is set
	HintTSAHTTP    Hint = "tsa_http"    // a login for an http:// TSA: say how to send it anyway, or without one
)

// HintOf is the advice that fits err (HintNone for most errors).
func HintOf(err error) Hint {
	var te *token.Error
	if errors.As(err, &te) {
		switch te.Kind {
		case token.KindModuleNotFound:
			return HintModule
		case token.KindFinalTry:
			return HintFinalTry
		}
	}
	var be *browsers.Error
	if errors.As(err, &be) && be.Kind == browsers.KindNoModule {
		return HintModule
	}
	var le *pdfsign.LTVError
	if errors.As(err, &le) {
		switch le.Kind {
		case pdfsign.LTVTSAUnreachable, pdfsign.LTVRevOffline:
			return HintAllowLower
		case pdfsign.LTVTSAAuth:
			return HintTSALogin
		case pdfsign.LTVTSAInsecure:
			return HintTSAHTTP
		}
	}
	return HintNone
}
