package token

import (
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"

	"github.com/certigna-desktop/app/assets"
)

// Kind says what went wrong, in terms a caller can act on.
type Kind string

const (
	KindModuleNotFound Kind = "module_not_found" // no usable PKCS#11 module, or the file is missing
	KindModuleLoad     Kind = "module_load"      // the file exists but cannot be loaded or initialised
	KindNoToken        Kind = "no_token"         // no initialised token in that slot
	KindTokenRemoved   Kind = "token_removed"    // the token went away during an operation
	KindPINIncorrect   Kind = "pin_incorrect"    // the token refused the PIN; State says what it reports now
	KindPINLocked      Kind = "pin_locked"       // the PIN is blocked: nothing was sent to the token
	KindFinalTry       Kind = "final_try"        // one try left and the caller did not confirm it
	KindPINMismatch    Kind = "pin_mismatch"     // new PIN ≠ confirmation
	KindPINLength      Kind = "pin_length"       // outside the token's length range (Min, Max)
	KindPINSame        Kind = "pin_same"         // new PIN = current code
	KindPINEmpty       Kind = "pin_empty"        // no code given
	KindPINInvalid     Kind = "pin_invalid"      // characters the token does not accept
	KindPINExpired     Kind = "pin_expired"      // the PIN must be changed before use
	KindPINNotInit     Kind = "pin_not_initialized"
	KindCertNotFound   Kind = "certificate_not_found"
	KindNoPrivateKey   Kind = "no_private_key"
	KindUnsupported    Kind = "unsupported"    // key type or mechanism the token or app cannot use
	KindReadOnly       Kind = "read_only"      // write-protected token
	KindCancelled      Kind = "cancelled"      // cancelled on the token (PIN pad)
	KindDemo           Kind = "demo_failed"    // the demo token could not be prepared
	KindBusy           Kind = "token_busy"     // another operation holds the token's login
	KindTimeout        Kind = "token_timeout"  // the library did not answer within its deadline (Reason: the C_ call)
	KindHung           Kind = "token_hung"     // an earlier call has not returned: nothing else is started on the library
	KindTurn           Kind = "token_turn"     // another process of the app held the token for the whole deadline (Reason: the C_ call): nothing was sent
	KindDriverCrashed  Kind = "driver_crashed" // the driver's worker process died during a call (Reason: the C_ call, Path: the library)
	KindPINPolicy      Kind = "pin_policy"     // the middleware refused the new PIN under its own rules (CKR_PIN_INVALID/LEN_RANGE from C_SetPIN)
	KindDeviceError    Kind = "device_error"   // CKR_DEVICE_ERROR: the token or reader failed during the operation
	KindCodeLength     Kind = "code_length"    // a typed code (PIN, unlock or admin code) outside the token's range: not sent
	KindCodeInvalid    Kind = "code_invalid"   // a typed code with characters no token takes (control characters, invalid UTF-8): not sent
	KindCodeSpace      Kind = "code_space"     // a typed code with white space at an end or an invisible character (BOM, no-break or zero-width space): not sent
	KindToken          Kind = "token_error"    // any other PKCS#11 failure
)

// Error is every failure of this package that a person may see. Message gives
// the text; Kind the category; the other fields the details that go with it.
type Error struct {
	Kind   Kind
	SO     bool     // about the SO/admin code rather than the user PIN
	State  PINState // PIN state the token reports after the failure (KindPINIncorrect, KindFinalTry)
	Min    int      // KindPINLength
	Max    int      // KindPINLength
	Path   string   // module path, for module errors
	Reason string   // module errors: what was found (a few words), English; Message translates known reasons
	Code   uint     // CKR_… code when the token said it, 0 otherwise
	Err    error    // underlying error, for errors.Is/As and support

	Seconds   int  // KindTimeout: the deadline that passed
	PINSent   bool // KindTimeout, KindDriverCrashed: a PIN had reached the token (a try may have been counted)
	Stopped   bool // KindTimeout: the driver's worker process was stopped at the deadline (the next action starts another)
	NoTryUsed bool // KindPINPolicy: the token's PIN state shows no try was used
}

// Error is the technical text, for logs and wrapping; Message is for people.
func (e *Error) Error() string {
	s := "token: " + string(e.Kind)
	if e.SO {
		s += " (admin code)"
	}
	if e.State != "" {
		s += ", PIN " + string(e.State)
	}
	if e.Kind == KindPINLength {
		s += fmt.Sprintf(", %d to %d characters", e.Min, e.Max)
	}
	if e.Path != "" {
		s += ": " + e.Path
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Code != 0 {
		s += " (" + ckrName(e.Code) + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, &Error{Kind: K}) match on the kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && (t.SO == e.SO || !t.SO)
}

// Message is the error for a person in lang ("fr" or "en").
func (e *Error) Message(lang string) string {
	data := map[string]any{
		"Min": e.Min, "Max": e.Max, "Path": e.Path, "Seconds": e.Seconds, "Call": e.Reason,
		"Reason": e.reasonText(lang),
	}
	key := "token.err." + string(e.Kind)
	if e.Kind == KindPINLocked && e.Code != 0 {
		// The token said so in answer to a code just sent: the general
		// text ("nothing was sent") would be untrue.
		key = "token.err.pin_locked_by_token"
		if e.Code == pkcs11.CKR_PIN_INCORRECT {
			key = "token.err.pin_locked_by_try"
		}
	}
	if e.SO {
		key += ".so"
	}
	msg := assets.T(lang, key, data)
	if msg == key && e.SO { // no SO-specific text: the general one
		msg = assets.T(lang, "token.err."+string(e.Kind), data)
	}
	if e.Kind == KindPINIncorrect || e.Kind == KindFinalTry {
		if s := e.State.tries(lang); s != "" {
			msg += " " + s
		}
	}
	if e.Kind == KindTimeout && e.Stopped {
		msg += " " + assets.T(lang, "token.err.token_timeout.stopped")
	}
	if (e.Kind == KindTimeout || e.Kind == KindDriverCrashed) && e.PINSent {
		msg += " " + assets.T(lang, "token.err.token_timeout.pin_sent")
	}
	if e.Kind == KindPINPolicy && e.NoTryUsed {
		msg += " " + assets.T(lang, "token.err.pin_policy.no_try")
	}
	if e.Code != 0 && (e.Kind == KindToken || e.Kind == KindModuleLoad || e.Kind == KindUnsupported) {
		// The driver's own code is for support, not for people: the support
		// report carries it (Error()); the message says where to find it.
		msg += " " + assets.T(lang, "token.err.detail_in_report")
	}
	return msg
}

func (e *Error) reasonText(lang string) string {
	if e.Reason == "" {
		return ""
	}
	if t := assets.T(lang, "token.reason."+e.Reason); t != "token.reason."+e.Reason {
		return t
	}
	return e.Reason
}

// tries words what a PIN state means for the next attempt.
func (s PINState) tries(lang string) string {
	switch s {
	case PINCountLow, PINFinalTry, PINLocked:
		return assets.T(lang, "token.tries."+string(s))
	}
	return ""
}

func ckrName(code uint) string {
	s := pkcs11.Error(code).Error() // "pkcs11: 0x000000A0: CKR_PIN_INCORRECT"
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ' ' {
			return s[i+1:]
		}
	}
	return fmt.Sprintf("CKR 0x%X", code)
}

// fromCKR turns a PKCS#11 error into an *Error; so says whether the SO PIN was
// in play.
func fromCKR(err error, so bool) *Error {
	if err == nil {
		return nil
	}
	var te *Error
	if errors.As(err, &te) {
		return te
	}
	var pe pkcs11.Error
	if !errors.As(err, &pe) {
		return &Error{Kind: KindToken, Err: err}
	}
	e := &Error{Code: uint(pe), Err: err, SO: so}
	switch uint(pe) {
	case pkcs11.CKR_PIN_INCORRECT:
		e.Kind = KindPINIncorrect
	case pkcs11.CKR_PIN_LOCKED:
		e.Kind = KindPINLocked
		e.State = PINLocked
	case pkcs11.CKR_PIN_LEN_RANGE:
		e.Kind = KindPINLength
	case pkcs11.CKR_PIN_INVALID:
		e.Kind = KindPINInvalid
	case pkcs11.CKR_PIN_EXPIRED:
		e.Kind = KindPINExpired
	case pkcs11.CKR_USER_PIN_NOT_INITIALIZED:
		e.Kind = KindPINNotInit
	case pkcs11.CKR_DEVICE_REMOVED, pkcs11.CKR_TOKEN_NOT_PRESENT, pkcs11.CKR_SESSION_CLOSED,
		pkcs11.CKR_SESSION_HANDLE_INVALID, pkcs11.CKR_SLOT_ID_INVALID, pkcs11.CKR_CRYPTOKI_NOT_INITIALIZED:
		e.Kind = KindTokenRemoved
	case pkcs11.CKR_DEVICE_ERROR, pkcs11.CKR_DEVICE_MEMORY:
		e.Kind = KindDeviceError
	case pkcs11.CKR_TOKEN_NOT_RECOGNIZED:
		e.Kind = KindNoToken
	case pkcs11.CKR_USER_ALREADY_LOGGED_IN, pkcs11.CKR_USER_ANOTHER_ALREADY_LOGGED_IN:
		e.Kind = KindBusy
	case pkcs11.CKR_FUNCTION_CANCELED:
		e.Kind = KindCancelled
	case pkcs11.CKR_TOKEN_WRITE_PROTECTED:
		e.Kind = KindReadOnly
	case pkcs11.CKR_MECHANISM_INVALID, pkcs11.CKR_MECHANISM_PARAM_INVALID, pkcs11.CKR_KEY_TYPE_INCONSISTENT,
		pkcs11.CKR_KEY_FUNCTION_NOT_PERMITTED, pkcs11.CKR_DATA_LEN_RANGE:
		e.Kind = KindUnsupported
	default:
		e.Kind = KindToken
	}
	return e
}

// unanswered: the library gave no answer to go by (it did not answer in
// time, is still in an earlier call, or another process of ours held it):
// asking again, or reading it as "no token", would be wrong.
func unanswered(err error) bool {
	return IsKind(err, KindTimeout) || IsKind(err, KindHung) || IsKind(err, KindTurn)
}

// IsKind reports whether err is a *token.Error of kind k.
func IsKind(err error, k Kind) bool {
	var te *Error
	return errors.As(err, &te) && te.Kind == k
}
