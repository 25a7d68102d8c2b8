package ui

import (
	"context"
	"errors"
	"time"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
)

// The screens call the application layer (actions) directly; the data types
// are its own, named here for the screens. TokenService is the token side
// of a session (actions.Tokens), an interface only so that tests can show
// the states no real token here can produce (a locked PIN, a token pulled
// out during a signature).
type (
	TokenInfo    = actions.TokenInfo
	PINState     = actions.PINState
	CertInfo     = actions.CertInfo
	Candidate    = actions.Candidate
	ModuleStatus = actions.ModuleStatus
	TokenEvent   = actions.TokenEvent
	Key          = actions.Key
	DemoCodes    = actions.DemoCodes

	SignOptions  = actions.SignOptions
	Prepared     = actions.Prepared
	SignResult   = actions.SignResult
	Verification = actions.Verification

	LevelError     = actions.LevelError
	WrongCodeError = actions.WrongCodeError
)

// PIN states, stamp choices and trust answers (actions').
const (
	PINOK             = actions.PINOK
	PINToBeChanged    = actions.PINToBeChanged
	PINCountLow       = actions.PINCountLow
	PINFinalTry       = actions.PINFinalTry
	PINLocked         = actions.PINLocked
	PINNotInitialized = actions.PINNotInitialized

	StampNone  = actions.StampNone
	StampFirst = actions.StampFirst
	StampLast  = actions.StampLast
	// StampPlaced: where it was placed on the preview
	// (SignOptions.StampRect on page SignOptions.StampPageNum).
	StampPlaced = actions.StampPlaced

	TrustTrusted   = actions.TrustTrusted
	TrustUntrusted = actions.TrustUntrusted
)

// StampCorners are the corners a stamp can go in.
var StampCorners = actions.StampCorners

// TokenService is the token side of the app (actions.Tokens).
type TokenService interface {
	// Init runs the first discovery (it may take seconds: loading vendor
	// libraries, creating the demo token) and returns its status. The app
	// calls it in the background once the window is up.
	Init() ModuleStatus
	// Module is the current driver status.
	Module() ModuleStatus
	// UseModule switches to the module at path ("" = discover again).
	UseModule(path string) ModuleStatus
	// UseDemo creates (or reuses) the demo token and switches to it.
	UseDemo() (ModuleStatus, error)
	// DemoCodes are the demo token's codes (zero when unknown).
	DemoCodes() DemoCodes
	Tokens() ([]TokenInfo, error)
	Certificates(slot uint) ([]CertInfo, error)
	// CheckNewPIN is pure: it never calls the token.
	CheckNewPIN(t TokenInfo, current, newPIN, confirm string) error
	ChangePIN(slot uint, current, newPIN, confirm string, confirmFinalTry bool) error
	Unblock(slot uint, adminCode, newPIN, confirm string, confirmFinalTry bool) error
	OpenKey(slot uint, certID []byte, pin string, confirmFinalTry bool) (Key, error)
	// Watch reports hot-plug events until ctx ends.
	Watch(ctx context.Context, every time.Duration) <-chan TokenEvent
}

var _ TokenService = (*actions.Tokens)(nil)

// Message is err's text for a person in lang (assets.Message), then the
// window's own advice when one fits (actions.HintOf: where to pick the
// driver's file, the "save anyway" box, the TSA login in the options).
// The shared texts name no command-line option; the CLI adds its own hint.
func Message(err error, lang string) string {
	msg := assets.Message(err, lang)
	var le *LevelError
	if errors.As(err, &le) {
		return msg // its own sentence says what to do in the window
	}
	switch h := actions.HintOf(err); h {
	case actions.HintModule, actions.HintAllowLower, actions.HintTSALogin, actions.HintTSAHTTP:
		msg += " " + assets.T(lang, "ui.hint."+string(h))
	}
	return msg
}

// textError is a refusal of the window itself, in the UI's words.
type textError struct {
	key  string
	data map[string]any
}

func (e *textError) Error() string              { return assets.T("en", e.key, e.data) }
func (e *textError) Message(lang string) string { return assets.T(lang, e.key, e.data) }
