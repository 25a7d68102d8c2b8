package actions

import "github.com/certigna-desktop/app/token"

// BeforePIN is the rule applied before a PIN (or the admin code, so) is even
// asked for: a locked PIN is refused, and a final try is refused unless the
// person consented to it (confirmed), in which case warn says to tell them
// once more. Nothing here talks to the token; the token's methods check again.
func BeforePIN(state token.PINState, so, confirmed bool) (warn bool, err error) {
	switch state {
	case token.PINLocked:
		return false, &token.Error{Kind: token.KindPINLocked, SO: so, State: state}
	case token.PINFinalTry:
		if !confirmed {
			return false, &token.Error{Kind: token.KindFinalTry, SO: so, State: state}
		}
		return true, nil
	}
	return false, nil
}
