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
	"strings"
	"sync"
	"time"

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
func Open(path string) (*Module, error) { return openBy(path, time.Time{}) }

// openBy is Open with every step (the worker's start, C_Initialize,
// C_GetInfo) ending by until when it is set (a trial, trial.go); the
// returned module's calls stay bounded by it until the caller clears it
// (m.ctx.setUntil). On failure nothing stays bounded.
func openBy(path string, until time.Time) (*Module, error) {
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
			wait := deadlines().Slow
			if !until.IsZero() {
				wait = min(wait, max(time.Until(until), time.Millisecond))
			}
			r, lerr := startWorker(argv, path, wait)
			if lerr != nil {
				return nil, lerr
			}
			ctx = guard(r, key)
		} else {
			c, lerr := loadLibrary(path)
			if lerr != nil {
				return nil, lerr
			}
			ctx = guard(c, key)
		}
		loaded[key] = ctx
	}
	m := &Module{key: key, path: path, ctx: ctx, refs: 1, logins: map[uint]*login{}}
	ctx.setUntil(until)
	if err := m.initialize(); err != nil {
		ctx.setUntil(time.Time{})
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
	m := &Module{key: path, path: path, ctx: guard(b, ""), refs: 1, logins: map[uint]*login{}}
	if err := m.initialize(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Module) initialize() error {
	if err := m.ctx.Initialize(); err != nil {
		if unanswered(err) {
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
