package token

import (
	"os"
	"time"

	"github.com/miekg/pkcs11"
)

// Reads asked again, and why (issue 21, docs/token.md "Several programs on
// one token"). Only read-only calls made before any code is sent: nothing
// here can cost a PIN try, and a failed C_Login, C_SetPIN or C_InitPIN is
// never asked again anywhere.
//
// SoftHSM2 (2.6) rewrites its token.object file in place at every login
// (the PIN counter flags): it truncates the file, writes it through a stdio
// buffer and releases its file lock before the buffer reaches the file. A
// process reading the file in that window finds it empty, and:
//   - at C_Initialize, drops the token for the life of that initialisation:
//     the slot list then shows only the spare, uninitialised slot, however
//     often it is read again (pkcs11-spy: 4 reads 100 ms apart, all alike);
//   - later, fails C_GetTokenInfo (and C_Login, before checking the PIN) with
//     CKR_GENERAL_ERROR once; the next read finds the file whole.
const (
	rereads     = 3
	reinitPause = 100 * time.Millisecond
	rereadPause = 50 * time.Millisecond
)

// Tokens lists the initialised tokens present, in slot order.
func (m *Module) Tokens() ([]TokenInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tokensLocked()
}

// tokensLocked: a library whose slot list is fixed at C_Initialize
// (SoftHSM2) that shows no initialised token is initialised again and
// asked again (up to 3 times, 100 ms apart) before "no token" is said: its
// token may have been unreadable at that one moment. A token truly absent
// costs 0.3 s more to report. Other libraries answer from the reader as it
// is: their answer stands.
func (m *Module) tokensLocked() ([]TokenInfo, error) {
	out, err := m.tokensOnce()
	for i := 0; i < rereads && err == nil && len(out) == 0 && m.canReinitLocked(); i++ {
		time.Sleep(reinitPause)
		if err := m.reinitLocked(); err != nil {
			return nil, err
		}
		out, err = m.tokensOnce()
	}
	return out, err
}

// Token describes the initialised token in slot; the same second look as
// tokensLocked for a library that may have dropped it at initialisation.
func (m *Module) Token(slot uint) (TokenInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.tokenInfoLocked(slot)
	for i := 0; i < rereads && IsKind(err, KindNoToken) && m.canReinitLocked(); i++ {
		time.Sleep(reinitPause)
		if err := m.reinitLocked(); err != nil {
			return TokenInfo{}, err
		}
		t, err = m.tokenInfoLocked(slot)
	}
	return t, err
}

// Rescan makes a library whose slot list is fixed at initialisation
// (SoftHSM2) see tokens added or removed since: it finalizes and
// re-initialises the library. It does nothing for other libraries, whose
// C_GetSlotList already reflects readers and cards as they come and go, and
// nothing while a session is open (a signer is logged in): re-initialising
// would silently log it out. Watch calls it on every poll.
func (m *Module) Rescan() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.canReinitLocked() {
		return nil
	}
	return m.reinitLocked()
}

// reinitLocked finalizes and initialises again, so that the library re-reads
// its configuration and slots; refused while a signer holds a session.
func (m *Module) reinitLocked() error {
	if m.liveSessions > 0 || m.borrowed {
		return nil
	}
	_ = m.ctx.Finalize()
	if err := m.ctx.Initialize(); err != nil {
		m.dead = true
		if unanswered(err) {
			return err
		}
		return &Error{Kind: KindModuleLoad, Path: m.path, Reason: "initialisation error", Err: err}
	}
	m.conf = os.Getenv("SOFTHSM2_CONF")
	return nil
}

// canReinitLocked: the library fixes its slot list at C_Initialize, and
// initialising it again loses nothing (no session, not another user's).
func (m *Module) canReinitLocked() bool {
	return m.staticSlots && m.liveSessions == 0 && !m.borrowed && !m.closed && !m.dead
}

// tokenInfoReread is C_GetTokenInfo, asked again (up to 3 times, 50 ms
// apart) while it fails with CKR_GENERAL_ERROR: SoftHSM2's answer when it
// read its token file while another process was rewriting it (above).
func (m *Module) tokenInfoReread(slot uint) (pkcs11.TokenInfo, error) {
	ti, err := m.ctx.GetTokenInfo(slot)
	for i := 0; i < rereads && err != nil && isCKR(err, pkcs11.CKR_GENERAL_ERROR); i++ {
		time.Sleep(rereadPause)
		ti, err = m.ctx.GetTokenInfo(slot)
	}
	return ti, err
}
