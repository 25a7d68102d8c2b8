package ui

import (
	"context"
	"errors"
	"time"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
)

// TokenService is the token side of a session (actions.Tokens): the
// screens call the application layer directly and use its types; this
// interface exists only so that tests can show the states no real token
// here can produce (a locked PIN, a token pulled out during a signature).
type TokenService interface {
	// Init runs the first discovery (it may take seconds: loading vendor
	// libraries, creating the demo token) and returns its status. The app
	// calls it in the background once the window is up.
	Init() actions.ModuleStatus
	// Module is the current driver status.
	Module() actions.ModuleStatus
	// UseModule switches to the module at path ("" = discover again).
	UseModule(path string) actions.ModuleStatus
	// UseDemo creates (or reuses) the demo token and switches to it.
	UseDemo() (actions.ModuleStatus, error)
	// DemoCodes are the demo token's codes (zero when unknown).
	DemoCodes() actions.DemoCodes
	Tokens() ([]actions.TokenInfo, error)
	Certificates(slot uint) ([]actions.CertInfo, error)
	// CheckNewPIN is pure: it never calls the token.
	CheckNewPIN(t actions.TokenInfo, current, newPIN, confirm string) error
	ChangePIN(slot uint, current, newPIN, confirm string, confirmFinalTry bool) error
	Unblock(slot uint, adminCode, newPIN, confirm string, confirmFinalTry bool) error
	OpenKey(slot uint, certID []byte, pin string, confirmFinalTry bool) (actions.Key, error)
	// Watch reports hot-plug events until ctx ends.
	Watch(ctx context.Context, every time.Duration) <-chan actions.TokenEvent
}

var _ TokenService = (*actions.Tokens)(nil)

// message is err's text for a person in lang (assets.message), then the
// window's own advice when one fits (actions.HintOf: where to pick the
// driver's file, the "save anyway" box, the TSA login in the options).
// The shared texts name no command-line option; the CLI adds its own hint.
func message(err error, lang string) string {
	msg := assets.Message(err, lang)
	var le *actions.LevelError
	if errors.As(err, &le) {
		return msg // its own sentence says what to do in the window
	}
	switch h := actions.HintOf(err); h {
	case actions.HintModule, actions.HintAllowLower, actions.HintTSALogin, actions.HintTSAHTTP:
		msg += " " + assets.T(lang, "ui.hint."+string(h))
	}
	return msg
}
