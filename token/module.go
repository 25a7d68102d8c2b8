// Package token is everything the app knows about the certificate token,
// through PKCS#11 (github.com/miekg/pkcs11): module discovery, slots and
// tokens, hot-plug, PIN state and PIN operations, certificates, a
// crypto.Signer, and the demo token.
//
// Every PKCS#11 call of a module goes through one mutex: the UI, a watcher and
// a signer may share a *Module from several goroutines.
package token

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"
)

// backend is the part of *pkcs11.Ctx this package uses. Tests wrap it to
// produce what no software token can (see fake_test.go).
type backend interface {
	Initialize(opts ...pkcs11.InitializeOption) error
	Finalize() error
	GetInfo() (pkcs11.Info, error)
	GetSlotList(tokenPresent bool) ([]uint, error)
	GetSlotInfo(slotID uint) (pkcs11.SlotInfo, error)
	GetTokenInfo(slotID uint) (pkcs11.TokenInfo, error)
	OpenSession(slotID uint, flags uint) (pkcs11.SessionHandle, error)
	CloseSession(sh pkcs11.SessionHandle) error
	Login(sh pkcs11.SessionHandle, userType uint, pin string) error
	Logout(sh pkcs11.SessionHandle) error
	SetPIN(sh pkcs11.SessionHandle, oldpin string, newpin string) error
	InitPIN(sh pkcs11.SessionHandle, pin string) error
	FindObjectsInit(sh pkcs11.SessionHandle, temp []*pkcs11.Attribute) error
	FindObjects(sh pkcs11.SessionHandle, max int) ([]pkcs11.ObjectHandle, bool, error)
	FindObjectsFinal(sh pkcs11.SessionHandle) error
	GetAttributeValue(sh pkcs11.SessionHandle, o pkcs11.ObjectHandle, a []*pkcs11.Attribute) ([]*pkcs11.Attribute, error)
	SignInit(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, o pkcs11.ObjectHandle) error
	Sign(sh pkcs11.SessionHandle, message []byte) ([]byte, error)
	InitToken(slotID uint, pin string, label string) error
	GenerateKeyPair(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, public, private []*pkcs11.Attribute) (pkcs11.ObjectHandle, pkcs11.ObjectHandle, error)
	CreateObject(sh pkcs11.SessionHandle, temp []*pkcs11.Attribute) (pkcs11.ObjectHandle, error)
}

// ModuleInfo describes the loaded PKCS#11 library.
type ModuleInfo struct {
	Path            string
	Manufacturer    string
	Description     string
	LibraryVersion  string
	CryptokiVersion string
	Demo            bool // the app's demo token (SoftHSM2 under the user cache dir)
}

// Module is one loaded and initialised PKCS#11 library. Open returns the same
// *Module for the same library within a process; Close releases one reference.
type Module struct {
	key  string // resolved path: the registry key
	path string // as given

	mu       sync.Mutex // serialises every call into the library
	ctx      *guarded   // every call has a deadline (guard.go)
	info     ModuleInfo
	refs     int
	borrowed bool // initialised by someone else in this process: never finalize it
	closed   bool // the last Close happened
	dead     bool // a re-initialisation failed: revive tries again before each call

	// PKCS#11 login state is per token for the whole application, not per
	// session: signers of one slot share one login (see Signer).
	logins map[uint]*login

	// Some libraries (SoftHSM2) fix their slot list at C_Initialize; for them
	// Rescan finalizes and re-initialises, which it only does when no
	// session is open (liveSessions == 0) so that no signer loses its login.
	staticSlots  bool
	liveSessions int
	conf         string // SOFTHSM2_CONF at the last initialisation (SoftHSM2)
}

// loaded keeps every library loaded for the life of the process: some
// (opencryptoki) start threads or register handlers that crash the process
// when the library is unloaded and loaded again. Close only finalizes.
var loaded = map[string]*guarded{}

var registry = struct {
	sync.Mutex
	m map[string]*Module
}{m: map[string]*Module{}}

// Open loads the PKCS#11 library at path and initialises it, or returns the
// module already open for it in this process (one initialised context per
// library per process). Each Open needs a Close.
func Open(path string) (*Module, error) {
	if path == "" {
		return nil, &Error{Kind: KindModuleNotFound, Reason: "empty path"}
	}
	if _, err := os.Stat(path); err != nil {
		return nil, &Error{Kind: KindModuleNotFound, Path: path, Reason: "missing file", Err: err}
	}
	key := path
	if abs, err := filepath.Abs(path); err == nil {
		key = abs
	}
	if r, err := filepath.EvalSymlinks(key); err == nil {
		key = r // two names of one file are one library to the dynamic loader
	}
	registry.Lock()
	defer registry.Unlock()
	if m := registry.m[key]; m != nil {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.refs++
		if m.staticSlots && os.Getenv("SOFTHSM2_CONF") != m.conf {
			// SoftHSM2 reads its configuration at C_Initialize only: a new
			// SOFTHSM2_CONF (the demo, a test token) needs a new initialisation.
			_ = m.reinitLocked()
		}
		return m, nil
	}
	ctx := loaded[key]
	if r, ok := backendOf(ctx).(*remote); ok && !r.alive() {
		ctx = nil // its worker died: a new one, nothing retried on the old
	}
	if ctx == nil {
		if argv := workerCommand(); len(argv) > 0 {
			// The library runs in a worker child (remote.go): its crash is
			// an error of this module, not the end of the app.
			r, lerr := startWorker(argv, path)
			if lerr != nil {
				return nil, lerr
			}
			ctx = guard(r)
		} else {
			c, lerr := loadLibrary(path)
			if lerr != nil {
				return nil, lerr
			}
			ctx = guard(c)
		}
		loaded[key] = ctx
	}
	m := &Module{key: key, path: path, ctx: ctx, refs: 1, logins: map[uint]*login{}}
	if err := m.initialize(); err != nil {
		return nil, err
	}
	registry.m[key] = m
	return m, nil
}

func backendOf(g *guarded) backend {
	if g == nil {
		return nil
	}
	return g.b
}

// newModule wraps an already-made backend (tests).
func newModule(path string, b backend) (*Module, error) {
	m := &Module{key: path, path: path, ctx: guard(b), refs: 1, logins: map[uint]*login{}}
	if err := m.initialize(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Module) initialize() error {
	if err := m.ctx.Initialize(); err != nil {
		if IsKind(err, KindTimeout) || IsKind(err, KindHung) {
			e := fromCKR(err, false)
			e.Path = m.path
			return e
		}
		if !errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
			e := fromCKR(err, false)
			return &Error{Kind: KindModuleLoad, Path: m.path, Reason: "initialisation error", Code: e.Code, Err: err}
		}
		m.borrowed = true
	}
	info, err := m.ctx.GetInfo()
	if err != nil {
		_ = m.ctx.Finalize()
		e := fromCKR(err, false)
		return &Error{Kind: KindModuleLoad, Path: m.path, Reason: "initialisation error", Code: e.Code, Err: err}
	}
	m.info = ModuleInfo{
		Path:            m.path,
		Manufacturer:    clean(info.ManufacturerID),
		Description:     clean(info.LibraryDescription),
		LibraryVersion:  version(info.LibraryVersion),
		CryptokiVersion: version(info.CryptokiVersion),
		Demo:            m.info.Demo,
	}
	m.staticSlots = strings.Contains(strings.ToLower(m.info.Manufacturer), "softhsm")
	m.conf = os.Getenv("SOFTHSM2_CONF")
	return nil
}

// Close releases this reference; the last one finalizes the library.
func (m *Module) Close() error {
	registry.Lock()
	defer registry.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.refs--
	if m.refs > 0 {
		return nil
	}
	m.closed = true
	if registry.m[m.key] == m {
		delete(registry.m, m.key)
	}
	var err error
	if !m.borrowed && m.ctx.stuckCall() == "" {
		err = m.ctx.Finalize()
	}
	return err
}

// Info describes the library.
func (m *Module) Info() ModuleInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.info
}

// Path is the path the module was opened from.
func (m *Module) Path() string { return m.path }

func (m *Module) setDemo() {
	m.mu.Lock()
	m.info.Demo = true
	m.mu.Unlock()
}

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
		nr, lerr := startWorker(argv, m.path)
		if lerr != nil {
			return lerr
		}
		m.ctx = guard(nr)
		m.logins = map[uint]*login{}
		m.dead = true // initialised just below
	}
	if m.dead {
		if err := m.ctx.Initialize(); err != nil && !isCKR(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
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
		if e.Kind == KindTimeout || e.Kind == KindHung {
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
	} else if IsKind(err, KindTimeout) || IsKind(err, KindHung) {
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
	if e.Kind == KindTimeout || e.Kind == KindHung {
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
