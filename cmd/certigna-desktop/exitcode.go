package main

import (
	"errors"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/browsers"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/token"
)

// Exit codes: the CLI contract (docs/pdfsign.md, docs/ltv.md, docs/token.md).
const (
	exitOK           = 0
	exitFailure      = 1
	exitUsage        = 2 // bad usage, or a PIN refused by the checks made before the token is asked
	exitPINIncorrect = 3
	exitPINLocked    = 4
	exitNoToken      = 5
	exitNoModule     = 6
	exitBadPDF       = 7 // not a PDF we can read or sign
	exitNoSignature  = 8
	exitTSA          = 9  // the TSA failed: unreachable, refused, bad answer, bad URL
	exitRevocation   = 10 // revocation data could not be had, or a certificate is revoked
	exitBusy         = 11 // the token is busy (another process or operation of ours): nothing was sent, try again
)

// exitCode is the exit code for err, from its kind. The order matters: a
// timestamp or revocation failure first, then a token error (also when a
// pdfsign error wraps it: the token refused to sign), then pdfsign's kinds.
func exitCode(err error) int {
	if le := (*pdfsign.LTVError)(nil); errors.As(err, &le) {
		switch le.Step() {
		case pdfsign.StepTSA:
			return exitTSA
		case pdfsign.StepRevocation:
			return exitRevocation
		case pdfsign.StepStamp:
			return exitUsage
		}
		return exitFailure
	}
	if te := (*token.Error)(nil); errors.As(err, &te) {
		switch te.Kind {
		case token.KindModuleNotFound, token.KindModuleLoad, token.KindDemo, token.KindTimeout, token.KindHung, token.KindDriverCrashed:
			return exitNoModule
		case token.KindNoToken, token.KindTokenRemoved, token.KindDeviceError:
			return exitNoToken
		case token.KindPINIncorrect:
			return exitPINIncorrect
		case token.KindPINLocked:
			return exitPINLocked
		case token.KindTurn, token.KindBusy:
			return exitBusy // a script may try again: no PIN try was used
		case token.KindPINMismatch, token.KindPINLength, token.KindPINSame, token.KindPINEmpty, token.KindPINInvalid, token.KindFinalTry,
			token.KindCodeLength, token.KindCodeInvalid, token.KindCodeSpace, token.KindPINPolicy:
			return exitUsage
		}
		return exitFailure
	}
	if be := (*browsers.Error)(nil); errors.As(err, &be) {
		switch be.Kind {
		case browsers.KindBadURL, browsers.KindProfileUnknown, browsers.KindNoClientAuth, browsers.KindNotRequested, browsers.KindCANotAccepted:
			return exitUsage // refused before any PIN
		case browsers.KindNoModule:
			return exitNoModule
		}
		return exitFailure
	}
	if pe := (*actions.PreviewError)(nil); errors.As(err, &pe) {
		switch pe.Kind {
		case "unreadable", "too_large", "not_found":
			return exitBadPDF
		case "page":
			return exitUsage
		}
		return exitFailure
	}
	if pe := (*pdfsign.Error)(nil); errors.As(err, &pe) {
		switch pe.Kind {
		case pdfsign.KindNotPDF, pdfsign.KindDamaged, pdfsign.KindEncrypted, pdfsign.KindUnsupported, pdfsign.KindInputNotFound,
			pdfsign.KindLimit, pdfsign.KindNotRegular, pdfsign.KindForbidden:
			return exitBadPDF
		case pdfsign.KindNoSignature:
			return exitNoSignature
		case pdfsign.KindOutputExists, pdfsign.KindSameFile, pdfsign.KindPageRange, pdfsign.KindHash, pdfsign.KindRevisionRange,
			sign.KindOutputDir, sign.KindOutputLink, sign.KindFieldNotFound, sign.KindFieldChoice:
			return exitUsage
		}
	}
	return exitFailure
}
