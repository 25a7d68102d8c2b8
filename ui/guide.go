package ui

import (
	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/internal/settings"
)

// The welcome guide: the steps of the CA's welcome e-mail and their states,
// from what the app observes and what the settings store remembers.

// The settings store lives in internal/settings (the CLI reads it too).
type Store = settings.Store

// OpenStore and DefaultStorePath are settings.Open and settings.DefaultPath.
var (
	OpenStore        = settings.Open
	DefaultStorePath = settings.DefaultPath
)

// stepID names one step of the CA's welcome e-mail.
type stepID = settings.Step

const (
	stepAccepted      stepID = "accepted"       // certificate accepted on the private space (user ticks)
	stepDriver        stepID = "driver"         // a PKCS#11 module is loaded (discovered)
	stepInserted      stepID = "inserted"       // a token is present (discovered)
	stepUnlockCode    stepID = "unlock_code"    // unlock code retrieved by SMS on the website (user ticks)
	stepPINSet        stepID = "pin_set"        // personal PIN set (done in-app, or ticked)
	stepTestSignature stepID = "test_signature" // a PDF signed and verified in-app
	stepOriginals     stepID = "originals"      // paper originals posted to the CA (user ticks)
)

// steps in the order of the e-mail.
var steps = []stepID{stepAccepted, stepDriver, stepInserted, stepUnlockCode, stepPINSet, stepTestSignature, stepOriginals}

// stepState of one step.
type stepState int

const (
	stateTodo stepState = iota
	stateCurrent
	stateDone
	stateBlocked
)

// guideFacts are what the app observes now, as opposed to what was ticked.
type guideFacts struct {
	DriverLoaded bool
	// DriverVendor: the module loaded is a token maker's middleware, not a
	// generic one (OpenSC, p11-kit, SoftHSM…) that may not know the token.
	DriverVendor bool
	Token        *actions.TokenInfo // nil: no token inserted
}

// stepStates computes each step's state: observed facts first, then what
// is remembered for this token; the first step not done is "current".
func stepStates(s *Store, f guideFacts) map[stepID]stepState {
	serial := ""
	if f.Token != nil {
		serial = f.Token.Serial
	}
	out := map[stepID]stepState{}
	for _, st := range steps {
		done := false
		switch st {
		case stepDriver:
			// "done" only when it is known to work: a maker's middleware,
			// or any module that sees the token
			done = f.DriverLoaded && (f.DriverVendor || f.Token != nil)
		case stepInserted:
			done = f.Token != nil
		case stepAccepted, stepOriginals, stepUnlockCode:
			// ticked by the user, per token when one is known; a tick made
			// before the token was plugged in is kept under "" and counts too
			done = s.IsDone(serial, st) || s.IsDone("", st)
		default:
			done = f.Token != nil && s.IsDone(serial, st)
		}
		// a token whose PIN was set has necessarily had its unlock code
		if st == stepUnlockCode && f.Token != nil && s.IsDone(serial, stepPINSet) {
			done = true
		}
		if done {
			out[st] = stateDone
		} else {
			out[st] = stateTodo
		}
	}
	if f.Token != nil && f.Token.PIN == actions.PINLocked && out[stepPINSet] != stateDone {
		out[stepPINSet] = stateBlocked
	}
	for _, st := range steps {
		if out[st] == stateTodo {
			out[st] = stateCurrent
			break
		}
	}
	return out
}
