package token

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/miekg/pkcs11"
)

// pinRange is the token's PIN length range with PKCS#11's "unknown"
// values made harmless.
func pinRange(t TokenInfo) (lo, hi int) {
	lo, hi = t.MinPIN, t.MaxPIN
	if hi == 0 || hi > 255 {
		hi = 255
	}
	if lo < 1 {
		lo = 1
	}
	if lo > hi {
		lo = 1
	}
	return lo, hi
}

// printable: no control character and valid UTF-8. A code with a control
// character (a pasted tab or newline, a script's binary input) is not a
// code anyone typed, and no token takes it.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// spaced: white space at either end, or an invisible character anywhere (a
// byte-order mark, a no-break or zero-width space, a soft hyphen: what a
// copy from a web page, an SMS or a text file brings along). Nobody means
// these as part of a code; sent, they make the right code wrong and cost a
// try. A plain space inside a code is the person's choice and stays.
func spaced(s string) bool {
	if strings.TrimFunc(s, unicode.IsSpace) != s {
		return true
	}
	for _, r := range s {
		if unicode.Is(unicode.Cf, r) || (unicode.IsSpace(r) && r != ' ') {
			return true
		}
	}
	return false
}

// CheckCode checks a code typed by the person — the PIN to log in, the
// current PIN or unlock code to change it, the admin code to unblock it —
// against the token's length range and a printable character set, without
// asking the token: a code refused here costs no try, while the token
// would count a wrong-length code as a failed attempt. so says it is the
// admin (SO) code.
func CheckCode(t TokenInfo, code string, so bool) error {
	if code == "" {
		return &Error{Kind: KindPINEmpty, SO: so}
	}
	if !printable(code) {
		return &Error{Kind: KindCodeInvalid, SO: so}
	}
	if spaced(code) {
		return &Error{Kind: KindCodeSpace, SO: so}
	}
	lo, hi := pinRange(t)
	if so && len(code) == 48 && isHex(code) {
		// IDPrime's administrator key is 24 bytes typed as 48 hex digits,
		// longer than the user PIN range the token reports.
		return nil
	}
	if n := len(code); n < lo || n > hi { // PKCS#11 counts bytes
		return &Error{Kind: KindCodeLength, SO: so, Min: lo, Max: hi}
	}
	return nil
}

func isHex(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.ASCII_Hex_Digit, r) {
			return false
		}
	}
	return true
}

// CheckNewPIN checks a new PIN against the confirmation, the token's length
// range and the current code, without asking the token anything: a PIN
// refused here costs no try.
func CheckNewPIN(t TokenInfo, current, newPIN, confirm string) error {
	if current == "" || newPIN == "" {
		return &Error{Kind: KindPINEmpty}
	}
	if newPIN != confirm {
		return &Error{Kind: KindPINMismatch}
	}
	if !printable(newPIN) {
		return &Error{Kind: KindCodeInvalid}
	}
	if spaced(newPIN) {
		return &Error{Kind: KindCodeSpace}
	}
	lo, hi := pinRange(t)
	if n := len(newPIN); n < lo || n > hi { // PKCS#11 counts bytes
		return &Error{Kind: KindPINLength, Min: lo, Max: hi}
	}
	if newPIN == current {
		return &Error{Kind: KindPINSame}
	}
	return nil
}

// gate refuses before any PIN reaches the token: a locked PIN, or a final try
// the caller did not confirm.
func gate(state PINState, so, confirmFinalTry bool) error {
	switch state {
	case PINLocked:
		return &Error{Kind: KindPINLocked, SO: so, State: PINLocked}
	case PINFinalTry:
		if !confirmFinalTry {
			return &Error{Kind: KindFinalTry, SO: so, State: PINFinalTry}
		}
	}
	return nil
}

// wrongPIN completes a PIN error with what the token says now (tries left),
// re-reading its flags: the one verification already happened.
func (m *Module) wrongPIN(slot uint, err error, so bool) error {
	e := fromCKR(err, so)
	switch e.Kind {
	case KindPINIncorrect, KindPINLocked:
		if t, terr := m.tokenInfoLocked(slot); terr == nil {
			st := t.PIN
			if so {
				st = t.SOPIN
			}
			e.State = st
			if st == PINLocked {
				e.Kind = KindPINLocked
			}
		}
		return e
	case KindPINLength:
		if t, terr := m.tokenInfoLocked(slot); terr == nil {
			e.Min, e.Max = t.MinPIN, t.MaxPIN
		}
	case KindPINNotInit:
		// "PIN never set" from a token whose flags say it is set: SoftHSM2
		// says so when its token file was unreadable at C_Initialize (another
		// process rewriting it; reread.go). The token erred; its PIN is there.
		if t, terr := m.tokenInfoLocked(slot); terr == nil && !so && t.PIN != PINNotInitialized {
			e.Kind = KindToken
		}
	case KindToken:
		return m.removedOr(slot, e)
	}
	return e
}

// ChangePIN replaces the user PIN (the unlock code Certigna sends, or the
// current personal PIN) with newPIN: one C_SetPIN in a read/write session,
// after CheckNewPIN. A locked PIN is refused without asking the token; a
// final try only with confirmFinalTry.
func (m *Module) ChangePIN(slot uint, current, newPIN, confirm string, confirmFinalTry bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.tokenInfoLocked(slot)
	if err != nil {
		return err
	}
	if err := CheckNewPIN(t, current, newPIN, confirm); err != nil {
		return err
	}
	if err := CheckCode(t, current, false); err != nil {
		return err
	}
	if err := gate(t.PIN, false, confirmFinalTry); err != nil {
		return err
	}
	sh, err := m.openSessionLocked(slot, true)
	if err != nil {
		return err
	}
	defer m.ctx.CloseSession(sh)
	err = m.ctx.SetPIN(sh, current, newPIN)
	if isCKR(err, pkcs11.CKR_USER_NOT_LOGGED_IN) {
		// Some modules want a user login before C_SetPIN. The module has
		// not checked the current PIN yet: one C_Login with it — the one
		// verification of this action — then C_SetPIN again, once.
		if err := m.ctx.Login(sh, pkcs11.CKU_USER, current); err != nil {
			return m.wrongPIN(slot, err, false)
		}
		defer m.ctx.Logout(sh)
		err = m.ctx.SetPIN(sh, current, newPIN)
	}
	if err != nil {
		if isCKR(err, pkcs11.CKR_PIN_INVALID) || isCKR(err, pkcs11.CKR_PIN_LEN_RANGE) {
			return m.policyRefusal(slot, t, err)
		}
		return m.wrongPIN(slot, err, false)
	}
	return nil
}

// policyRefusal: our checks passed and the middleware still refused the new
// PIN — its own policy (SafeNet's complexity and history rules, say). When
// the token's PIN state is unchanged and shows no failed attempt, it
// confirms no try was used.
func (m *Module) policyRefusal(slot uint, before TokenInfo, err error) error {
	e := &Error{Kind: KindPINPolicy, Code: fromCKR(err, false).Code, Err: err, Min: before.MinPIN, Max: before.MaxPIN}
	if after, terr := m.tokenInfoLocked(slot); terr == nil {
		e.State = after.PIN
		e.NoTryUsed = after.PIN == before.PIN && (after.PIN == PINOK || after.PIN == PINToBeChanged)
	}
	return e
}

// Unblock sets a new user PIN with the admin (SO) code: C_Login(SO) then
// C_InitPIN. The same checks as ChangePIN apply, on the SO PIN's state.
func (m *Module) Unblock(slot uint, adminCode, newPIN, confirm string, confirmFinalTry bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.tokenInfoLocked(slot)
	if err != nil {
		return err
	}
	if err := CheckNewPIN(t, adminCode, newPIN, confirm); err != nil {
		return err
	}
	if err := CheckCode(t, adminCode, true); err != nil {
		return err
	}
	if err := gate(t.SOPIN, true, confirmFinalTry); err != nil {
		return err
	}
	sh, err := m.openSessionLocked(slot, true)
	if err != nil {
		return err
	}
	defer m.ctx.CloseSession(sh)
	if err := m.ctx.Login(sh, pkcs11.CKU_SO, adminCode); err != nil {
		return m.wrongPIN(slot, err, true)
	}
	defer m.ctx.Logout(sh)
	if err := m.ctx.InitPIN(sh, newPIN); err != nil {
		if isCKR(err, pkcs11.CKR_PIN_INVALID) || isCKR(err, pkcs11.CKR_PIN_LEN_RANGE) {
			// the admin code was right (the login passed): only the new PIN was refused
			e := &Error{Kind: KindPINPolicy, Code: fromCKR(err, false).Code, Err: err}
			return e
		}
		return m.wrongPIN(slot, err, false)
	}
	return nil
}
