package token

import (
	"github.com/miekg/pkcs11"
)

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
	lo, hi := t.MinPIN, t.MaxPIN
	if hi == 0 || hi > 255 {
		hi = 255
	}
	if lo < 1 {
		lo = 1
	}
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
	if err := gate(t.PIN, false, confirmFinalTry); err != nil {
		return err
	}
	sh, err := m.openSessionLocked(slot, true)
	if err != nil {
		return err
	}
	defer m.ctx.CloseSession(sh)
	if err := m.ctx.SetPIN(sh, current, newPIN); err != nil {
		return m.wrongPIN(slot, err, false)
	}
	return nil
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
		return m.wrongPIN(slot, err, false)
	}
	return nil
}
