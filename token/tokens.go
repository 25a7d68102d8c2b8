package token

import (
	"errors"
	"strconv"
	"strings"

	"github.com/miekg/pkcs11"
)

// The tokens of a loaded module: what each says of itself and of its PINs,
// the sessions opened on them, and telling a token pulled out from a
// failing call.

// TokenInfo describes an initialised token in a slot. Strings are trimmed of
// the spaces and NUL bytes PKCS#11 pads them with.
type TokenInfo struct {
	Slot            uint
	Label           string
	Manufacturer    string
	Model           string
	Serial          string
	HardwareVersion string
	FirmwareVersion string
	Reader          string // the slot's description: the card reader, for USB tokens the token itself
	MinPIN, MaxPIN  int
	PINPad          bool // protected authentication path: the PIN is typed on the reader
	Flags           uint // raw CKF_… token flags
	PIN, SOPIN      PINState
	Demo            bool
}

// HasUsableSOPIN says whether the token offers an admin code that can still
// unblock the user PIN.
func (t TokenInfo) HasUsableSOPIN() bool {
	return t.SOPIN != "" && t.SOPIN != PINLocked && t.SOPIN != PINNotInitialized
}

// PINState is what the token says about a PIN.
type PINState string

const (
	PINOK             PINState = "ok"
	PINToBeChanged    PINState = "to_be_changed"
	PINCountLow       PINState = "count_low"
	PINFinalTry       PINState = "final_try"
	PINLocked         PINState = "locked"
	PINNotInitialized PINState = "not_initialized"
)

func userPINState(f uint) PINState {
	switch {
	case f&pkcs11.CKF_USER_PIN_INITIALIZED == 0:
		return PINNotInitialized
	case f&pkcs11.CKF_USER_PIN_LOCKED != 0:
		return PINLocked
	case f&pkcs11.CKF_USER_PIN_FINAL_TRY != 0:
		return PINFinalTry
	case f&pkcs11.CKF_USER_PIN_TO_BE_CHANGED != 0:
		return PINToBeChanged
	case f&pkcs11.CKF_USER_PIN_COUNT_LOW != 0:
		return PINCountLow
	}
	return PINOK
}

func soPINState(f uint) PINState {
	switch {
	case f&pkcs11.CKF_SO_PIN_LOCKED != 0:
		return PINLocked
	case f&pkcs11.CKF_SO_PIN_FINAL_TRY != 0:
		return PINFinalTry
	case f&pkcs11.CKF_SO_PIN_TO_BE_CHANGED != 0:
		return PINToBeChanged
	case f&pkcs11.CKF_SO_PIN_COUNT_LOW != 0:
		return PINCountLow
	}
	return PINOK
}

func clean(s string) string { return strings.Trim(s, " \x00") }

func version(v pkcs11.Version) string {
	return strconv.Itoa(int(v.Major)) + "." + strconv.Itoa(int(v.Minor))
}

// DemoLabel is the label of the demo token.
const DemoLabel = "Démo Certigna"

// usableLocked reports a closed module, and revives one whose
// re-initialisation failed (a library that failed once may work again).
func (m *Module) usableLocked() error {
	if m.closed {
		return &Error{Kind: KindModuleLoad, Path: m.path, Reason: "closed"}
	}
	if r, ok := m.ctx.b.(*remote); ok && !r.alive() {
		// The driver's worker died during an earlier call (that call
		// failed with KindDriverCrashed, and was not retried): this new
		// action starts a new worker. The old logins and sessions died
		// with it.
		argv := workerCommand()
		if len(argv) == 0 {
			return r.crashed(r.dead)
		}
		nr, lerr := startWorker(argv, m.path, deadlines().Slow)
		if lerr != nil {
			return lerr
		}
		m.ctx = guard(nr, m.key)
		m.logins = map[uint]*login{}
		m.dead = true // initialised just below
	}
	if m.dead {
		if err := m.ctx.Initialize(); err != nil && !isCKR(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
			if unanswered(err) {
				return err
			}
			return &Error{Kind: KindModuleLoad, Path: m.path, Reason: "initialisation error", Code: fromCKR(err, false).Code, Err: err}
		}
		m.dead = false
	}
	return nil
}

func (m *Module) tokenInfoLocked(slot uint) (TokenInfo, error) {
	if err := m.usableLocked(); err != nil {
		return TokenInfo{}, err
	}
	ti, err := m.tokenInfoReread(slot)
	if err != nil {
		e := fromCKR(err, false)
		if unanswered(e) {
			return TokenInfo{}, e
		}
		if e.Kind == KindTokenRemoved || (e.Kind == KindToken && !m.slotListsToken(slot)) {
			e.Kind = KindNoToken
		}
		// A token the slot list still shows that answers with an error is
		// there: "the token reported an error", not "no token".
		return TokenInfo{}, e
	}
	if ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
		return TokenInfo{}, &Error{Kind: KindNoToken}
	}
	t := TokenInfo{
		Slot:            slot,
		Label:           clean(ti.Label),
		Manufacturer:    clean(ti.ManufacturerID),
		Model:           clean(ti.Model),
		Serial:          clean(ti.SerialNumber),
		HardwareVersion: version(ti.HardwareVersion),
		FirmwareVersion: version(ti.FirmwareVersion),
		MinPIN:          pinLen(ti.MinPinLen),
		MaxPIN:          pinLen(ti.MaxPinLen),
		PINPad:          ti.Flags&pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH != 0,
		Flags:           ti.Flags,
		PIN:             userPINState(ti.Flags),
		SOPIN:           soPINState(ti.Flags),
	}
	if si, err := m.ctx.GetSlotInfo(slot); err == nil {
		t.Reader = clean(si.SlotDescription)
	} else if unanswered(err) {
		return TokenInfo{}, err
	}
	if t.PINPad {
		m.ctx.mu.Lock()
		m.ctx.pinPad = true
		m.ctx.mu.Unlock()
	}
	t.Demo = m.info.Demo || (t.Label == DemoLabel && strings.Contains(strings.ToLower(t.Manufacturer), "softhsm"))
	return t, nil
}

// pinLen guards against CK_UNAVAILABLE_INFORMATION and other nonsense.
func pinLen(v uint) int {
	if v > 1024 {
		return 0
	}
	return int(v)
}

func (m *Module) tokensOnce() ([]TokenInfo, error) {
	if err := m.usableLocked(); err != nil {
		return nil, err
	}
	slots, err := m.ctx.GetSlotList(true)
	if err != nil {
		return nil, fromCKR(err, false)
	}
	out := []TokenInfo{}
	var failed error // a token that is there but answered with an error
	for _, s := range slots {
		t, err := m.tokenInfoLocked(s)
		if err != nil {
			if e := (*Error)(nil); errors.As(err, &e) && e.Kind != KindNoToken && failed == nil {
				failed = err
			}
			continue // uninitialised, or gone between the two calls
		}
		out = append(out, t)
	}
	if len(out) == 0 && failed != nil {
		return nil, failed // the truth, not "no token"
	}
	return out, nil
}

// session opens a session on slot; the caller holds m.mu.
func (m *Module) openSessionLocked(slot uint, rw bool) (pkcs11.SessionHandle, error) {
	flags := uint(pkcs11.CKF_SERIAL_SESSION)
	if rw {
		flags |= pkcs11.CKF_RW_SESSION
	}
	sh, err := m.ctx.OpenSession(slot, flags)
	if err != nil {
		e := fromCKR(err, false)
		if e.Kind == KindToken {
			e = m.removedOr(slot, e)
		}
		return 0, e
	}
	return sh, nil
}

// removedOr returns token_removed when slot no longer holds a token, e
// otherwise: libraries report a vanished token in many ways.
func (m *Module) removedOr(slot uint, e *Error) *Error {
	if unanswered(e) {
		return e // asking the library again would only wait again
	}
	slots, err := m.ctx.GetSlotList(true)
	if err != nil {
		return &Error{Kind: KindTokenRemoved, Err: e}
	}
	for _, s := range slots {
		if s == slot {
			_, err := m.tokenInfoReread(slot)
			if err == nil || fromCKR(err, false).Kind != KindTokenRemoved {
				// Still listed, and not saying it is gone: the token is
				// there and the failure is the one it reported.
				return e
			}
		}
	}
	return &Error{Kind: KindTokenRemoved, Code: e.Code, Err: e}
}

// slotListsToken: the slot list (tokens present only) names slot.
func (m *Module) slotListsToken(slot uint) bool {
	slots, err := m.ctx.GetSlotList(true)
	if err != nil {
		return false
	}
	for _, s := range slots {
		if s == slot {
			return true
		}
	}
	return false
}
