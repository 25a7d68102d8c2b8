package ui

import (
	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/internal/settings"
)

// The welcome guide: the steps of the CA's welcome e-mail and their states,
// from what the app observes and what the settings store remembers.

// The settings store lives in internal/settings (the CLI reads it too).
type (
	Store    = settings.Store
	Settings = settings.Settings
)

// OpenStore and DefaultStorePath are settings.Open and settings.DefaultPath.
var (
	OpenStore        = settings.Open
	DefaultStorePath = settings.DefaultPath
)

// StepID names one step of the CA's welcome e-mail.
type StepID = settings.Step

const (
	StepAccepted      StepID = "accepted"       // certificate accepted on the private space (user ticks)
	StepDriver        StepID = "driver"         // a PKCS#11 module is loaded (discovered)
	StepInserted      StepID = "inserted"       // a token is present (discovered)
	StepUnlockCode    StepID = "unlock_code"    // unlock code retrieved by SMS on the website (user ticks)
	StepPINSet        StepID = "pin_set"        // personal PIN set (done in-app, or ticked)
	StepTestSignature StepID = "test_signature" // a PDF signed and verified in-app
	StepOriginals     StepID = "originals"      // paper originals posted to the CA (user ticks)
)

// Steps in the order of the e-mail.
var Steps = []StepID{StepAccepted, StepDriver, StepInserted, StepUnlockCode, StepPINSet, StepTestSignature, StepOriginals}

// StepState of one step.
type StepState int

const (
	StateTodo StepState = iota
	StateCurrent
	StateDone
	StateBlocked
)

// GuideFacts are what the app observes now, as opposed to what was ticked.
type GuideFacts struct {
	DriverLoaded bool
	// DriverVendor: the module loaded is a token maker's middleware, not a
	// generic one (OpenSC, p11-kit, SoftHSM…) that may not know the token.
	DriverVendor bool
	Token        *actions.TokenInfo // nil: no token inserted
}

// stepStates computes each step's state: observed facts first, then what
// is remembered for this token; the first step not done is "current".
func stepStates(s *Store, f GuideFacts) map[StepID]StepState {
	serial := ""
	if f.Token != nil {
		serial = f.Token.Serial
	}
	out := map[StepID]StepState{}
	for _, st := range Steps {
		done := false
		switch st {
		case StepDriver:
			// "done" only when it is known to work: a maker's middleware,
			// or any module that sees the token
			done = f.DriverLoaded && (f.DriverVendor || f.Token != nil)
		case StepInserted:
			done = f.Token != nil
		case StepAccepted, StepOriginals, StepUnlockCode:
			// ticked by the user, per token when one is known; a tick made
			// before the token was plugged in is kept under "" and counts too
			done = s.IsDone(serial, st) || s.IsDone("", st)
		default:
			done = f.Token != nil && s.IsDone(serial, st)
		}
		// a token whose PIN was set has necessarily had its unlock code
		if st == StepUnlockCode && f.Token != nil && s.IsDone(serial, StepPINSet) {
			done = true
		}
		if done {
			out[st] = StateDone
		} else {
			out[st] = StateTodo
		}
	}
	if f.Token != nil && f.Token.PIN == actions.PINLocked && out[StepPINSet] != StateDone {
		out[StepPINSet] = StateBlocked
	}
	for _, st := range Steps {
		if out[st] == StateTodo {
			out[st] = StateCurrent
			break
		}
	}
	return out
}
