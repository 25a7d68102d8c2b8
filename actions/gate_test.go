package actions

import (
	"testing"

	"github.com/certigna-desktop/app/token"
)

// The rule before a PIN is typed, state by state (no token involved: the
// rule is pure, the token's methods check again).
func TestBeforePIN(t *testing.T) {
	for _, c := range []struct {
		state     token.PINState
		so        bool
		confirmed bool
		warn      bool
		kind      token.Kind // "" = allowed
	}{
		{token.PINOK, false, false, false, ""},
		{token.PINToBeChanged, false, false, false, ""},
		{token.PINCountLow, false, false, false, ""},
		{token.PINFinalTry, false, false, false, token.KindFinalTry},
		{token.PINFinalTry, false, true, true, ""},
		{token.PINFinalTry, true, false, false, token.KindFinalTry},
		{token.PINLocked, false, false, false, token.KindPINLocked},
		{token.PINLocked, false, true, false, token.KindPINLocked}, // consent does not open a locked PIN
		{token.PINLocked, true, true, false, token.KindPINLocked},
	} {
		warn, err := BeforePIN(c.state, c.so, c.confirmed)
		if warn != c.warn {
			t.Errorf("%s so=%v confirmed=%v: warn %v, want %v", c.state, c.so, c.confirmed, warn, c.warn)
		}
		switch {
		case c.kind == "" && err != nil:
			t.Errorf("%s confirmed=%v: %v, want allowed", c.state, c.confirmed, err)
		case c.kind != "":
			var te *token.Error
			if !token.IsKind(err, c.kind) || !asTokenError(err, &te) || te.SO != c.so {
				t.Errorf("%s so=%v confirmed=%v: %v, want %s", c.state, c.so, c.confirmed, err, c.kind)
			}
		}
	}
}

func asTokenError(err error, te **token.Error) bool {
	e, ok := err.(*token.Error)
	*te = e
	return ok
}
