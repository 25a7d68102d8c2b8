package token

import (
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/miekg/pkcs11"
)

// Deadlines bound every call into a PKCS#11 library. A vendor library can
// hang (a reader that stops answering, a middleware waiting on a service);
// a C call cannot be cancelled, so the caller stops waiting, gets a
// token_timeout error, and the library is marked stuck: no other call
// starts on it until the stuck one returns (see guarded).
type Deadlines struct {
	Quick time.Duration // slot and token information, sessions, objects
	PIN   time.Duration // C_Login, C_SetPIN, C_InitPIN, C_Sign: the card computes
	Pad   time.Duration // C_Login on a PIN pad reader: the person types on the reader
	Slow  time.Duration // C_Initialize, C_InitToken, key generation (the demo token)
}

// CallDeadlines are the deadlines in force. $CERTIGNA_TOKEN_TIMEOUT (seconds)
// overrides Quick and PIN, for support on an unusually slow machine.
var CallDeadlines = defaultDeadlines()

func defaultDeadlines() Deadlines {
	d := Deadlines{Quick: 15 * time.Second, PIN: 30 * time.Second, Pad: 120 * time.Second, Slow: 60 * time.Second}
	if s, err := strconv.Atoi(os.Getenv("CERTIGNA_TOKEN_TIMEOUT")); err == nil && s > 0 {
		d.Quick, d.PIN = time.Duration(s)*time.Second, time.Duration(s)*time.Second
	}
	return d
}

var deadlinesMu sync.Mutex

// SetDeadlines replaces CallDeadlines and returns a function restoring the
// previous ones (tests).
func SetDeadlines(d Deadlines) (restore func()) {
	deadlinesMu.Lock()
	old := CallDeadlines
	CallDeadlines = d
	deadlinesMu.Unlock()
	return func() {
		deadlinesMu.Lock()
		CallDeadlines = old
		deadlinesMu.Unlock()
	}
}

func deadlines() Deadlines {
	deadlinesMu.Lock()
	defer deadlinesMu.Unlock()
	return CallDeadlines
}

// guarded is a backend whose every call has a deadline and which never
// starts a call while an earlier one has not returned. One per loaded
// library, shared by every *Module of it.
type guarded struct {
	b   backend
	key string // the library's resolved path: its turns between our processes (turns.go); "" for none

	mu     sync.Mutex
	stuck  string // C_ function that has not returned yet, "" when none
	pinPad bool   // logins wait for the reader's keypad: the Pad deadline
	turn   string // lock file of the library as last initialised, "" for none
	// until, when set, ends every call by then whatever its own deadline:
	// discovery trying a named library in its worker (trial.go), within
	// the probe's deadline.
	until time.Time
}

// setUntil bounds every later call by t (zero: each call's own deadline).
func (g *guarded) setUntil(t time.Time) {
	g.mu.Lock()
	g.until = t
	g.mu.Unlock()
}

// guard wraps b; key is the library's resolved path, whose calls take turns
// with our other processes ("" for none).
func guard(b backend, key string) *guarded {
	if g, ok := b.(*guarded); ok {
		return g
	}
	return &guarded{b: b, key: key}
}

// stuckCall is the C_ function still running in the library, if any.
func (g *guarded) stuckCall() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stuck
}

// call runs f, the C function name, within d, in its turn among our
// processes (turns.go): the lock is waited for within d, then held until f
// returns. On timeout f keeps running in its goroutine; the library is
// marked stuck until it returns. Results travel through the channel only,
// so a late answer touches nothing the caller still reads.
func call[T any](g *guarded, name string, d time.Duration, f func() (T, error)) (T, error) {
	var zero T
	g.mu.Lock()
	if g.stuck != "" {
		s := g.stuck
		g.mu.Unlock()
		return zero, &Error{Kind: KindHung, Reason: s}
	}
	path := g.turn
	if !g.until.IsZero() {
		d = min(d, max(time.Until(g.until), time.Millisecond))
	}
	if name == "C_Login" && g.pinPad {
		path = "" // the person types on the reader: no one waits on them
	}
	g.mu.Unlock()
	held, busy := takeTurn(path, turnWait(d))
	if busy {
		return zero, &Error{Kind: KindTurn, Reason: name}
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		held.release() // before the answer: the next call may be another process's
		done <- result{v, err}
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case r := <-done:
		return r.v, r.err
	case <-t.C:
	}
	late := &Error{Kind: KindTimeout, Reason: name, Seconds: int((d + time.Second - 1) / time.Second), PINSent: pinCall(name)}
	if w, ok := g.b.(*remote); ok {
		// The driver runs in a worker process: stop it, rather than leave
		// it blocked (for ever, after the app has quit) and the library
		// unusable. Nothing is sent again; the next action starts a new
		// worker (usableLocked). Its pipe closes at once when it dies.
		w.kill()
		select {
		case <-done:
			late.Stopped = true
			return zero, late
		case <-time.After(stopWait):
		}
	}
	g.mu.Lock()
	g.stuck = name
	g.mu.Unlock()
	go func() {
		<-done
		g.mu.Lock()
		g.stuck = ""
		g.mu.Unlock()
	}()
	return zero, late
}

// stopWait bounds the wait for a killed worker's pipe to close.
const stopWait = 5 * time.Second

// call0 is call for the C functions that return only an error.
func call0(g *guarded, name string, d time.Duration, f func() error) error {
	_, err := call(g, name, d, func() (struct{}, error) { return struct{}{}, f() })
	return err
}

// pinCall: a PIN reached the token in this call, and a try may have been
// counted even though the answer never came.
func pinCall(name string) bool {
	switch name {
	case "C_Login", "C_SetPIN", "C_InitPIN":
		return true
	}
	return false
}

func (g *guarded) Initialize(opts ...pkcs11.InitializeOption) error {
	// SoftHSM2 reads its configuration (which store) here: the lock follows.
	path := turnPath(g.key, os.Getenv("SOFTHSM2_CONF"))
	g.mu.Lock()
	g.turn = path
	g.mu.Unlock()
	return call0(g, "C_Initialize", deadlines().Slow, func() error { return g.b.Initialize(opts...) })
}

func (g *guarded) Finalize() error {
	return call0(g, "C_Finalize", deadlines().Quick, g.b.Finalize)
}

func (g *guarded) GetInfo() (pkcs11.Info, error) {
	return call(g, "C_GetInfo", deadlines().Quick, g.b.GetInfo)
}

func (g *guarded) GetSlotList(present bool) ([]uint, error) {
	return call(g, "C_GetSlotList", deadlines().Quick, func() ([]uint, error) { return g.b.GetSlotList(present) })
}

func (g *guarded) GetSlotInfo(slot uint) (pkcs11.SlotInfo, error) {
	return call(g, "C_GetSlotInfo", deadlines().Quick, func() (pkcs11.SlotInfo, error) { return g.b.GetSlotInfo(slot) })
}

func (g *guarded) GetTokenInfo(slot uint) (pkcs11.TokenInfo, error) {
	return call(g, "C_GetTokenInfo", deadlines().Quick, func() (pkcs11.TokenInfo, error) { return g.b.GetTokenInfo(slot) })
}

func (g *guarded) OpenSession(slot uint, flags uint) (pkcs11.SessionHandle, error) {
	return call(g, "C_OpenSession", deadlines().Quick, func() (pkcs11.SessionHandle, error) { return g.b.OpenSession(slot, flags) })
}

func (g *guarded) CloseSession(sh pkcs11.SessionHandle) error {
	return call0(g, "C_CloseSession", deadlines().Quick, func() error { return g.b.CloseSession(sh) })
}

func (g *guarded) pinDeadline() time.Duration {
	g.mu.Lock()
	pad := g.pinPad
	g.mu.Unlock()
	if pad {
		return deadlines().Pad
	}
	return deadlines().PIN
}

func (g *guarded) Login(sh pkcs11.SessionHandle, userType uint, pin string) error {
	return call0(g, "C_Login", g.pinDeadline(), func() error { return g.b.Login(sh, userType, pin) })
}

func (g *guarded) Logout(sh pkcs11.SessionHandle) error {
	return call0(g, "C_Logout", deadlines().Quick, func() error { return g.b.Logout(sh) })
}

func (g *guarded) SetPIN(sh pkcs11.SessionHandle, old, new string) error {
	return call0(g, "C_SetPIN", g.pinDeadline(), func() error { return g.b.SetPIN(sh, old, new) })
}

func (g *guarded) InitPIN(sh pkcs11.SessionHandle, pin string) error {
	return call0(g, "C_InitPIN", g.pinDeadline(), func() error { return g.b.InitPIN(sh, pin) })
}

func (g *guarded) FindObjectsInit(sh pkcs11.SessionHandle, temp []*pkcs11.Attribute) error {
	return call0(g, "C_FindObjectsInit", deadlines().Quick, func() error { return g.b.FindObjectsInit(sh, temp) })
}

type found struct {
	objs []pkcs11.ObjectHandle
	more bool
}

func (g *guarded) FindObjects(sh pkcs11.SessionHandle, max int) ([]pkcs11.ObjectHandle, bool, error) {
	r, err := call(g, "C_FindObjects", deadlines().Quick, func() (found, error) {
		o, more, err := g.b.FindObjects(sh, max)
		return found{o, more}, err
	})
	return r.objs, r.more, err
}

func (g *guarded) FindObjectsFinal(sh pkcs11.SessionHandle) error {
	return call0(g, "C_FindObjectsFinal", deadlines().Quick, func() error { return g.b.FindObjectsFinal(sh) })
}

func (g *guarded) GetAttributeValue(sh pkcs11.SessionHandle, o pkcs11.ObjectHandle, a []*pkcs11.Attribute) ([]*pkcs11.Attribute, error) {
	return call(g, "C_GetAttributeValue", deadlines().Quick, func() ([]*pkcs11.Attribute, error) { return g.b.GetAttributeValue(sh, o, a) })
}

func (g *guarded) SignInit(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, o pkcs11.ObjectHandle) error {
	return call0(g, "C_SignInit", deadlines().Quick, func() error { return g.b.SignInit(sh, m, o) })
}

func (g *guarded) Sign(sh pkcs11.SessionHandle, msg []byte) ([]byte, error) {
	return call(g, "C_Sign", deadlines().PIN, func() ([]byte, error) { return g.b.Sign(sh, msg) })
}

func (g *guarded) InitToken(slot uint, pin string, label string) error {
	return call0(g, "C_InitToken", deadlines().Slow, func() error { return g.b.InitToken(slot, pin, label) })
}

type keyPair struct{ pub, priv pkcs11.ObjectHandle }

func (g *guarded) GenerateKeyPair(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, pub, priv []*pkcs11.Attribute) (pkcs11.ObjectHandle, pkcs11.ObjectHandle, error) {
	r, err := call(g, "C_GenerateKeyPair", deadlines().Slow, func() (keyPair, error) {
		a, b, err := g.b.GenerateKeyPair(sh, m, pub, priv)
		return keyPair{a, b}, err
	})
	return r.pub, r.priv, err
}

func (g *guarded) CreateObject(sh pkcs11.SessionHandle, temp []*pkcs11.Attribute) (pkcs11.ObjectHandle, error) {
	return call(g, "C_CreateObject", deadlines().Quick, func() (pkcs11.ObjectHandle, error) { return g.b.CreateObject(sh, temp) })
}

// loadLibrary dlopens path and reads its function list, within the Slow
// deadline: a library's constructors run here. nil when it cannot be loaded.
func loadLibrary(path string) (*pkcs11.Ctx, *Error) {
	done := make(chan *pkcs11.Ctx, 1)
	go func() { done <- pkcs11.New(path) }()
	t := time.NewTimer(deadlines().Slow)
	defer t.Stop()
	select {
	case c := <-done:
		if c == nil {
			return nil, &Error{Kind: KindModuleLoad, Path: path, Reason: diagnoseLoad(path)}
		}
		return c, nil
	case <-t.C:
		return nil, &Error{Kind: KindTimeout, Path: path, Reason: "dlopen", Seconds: int(deadlines().Slow / time.Second)}
	}
}
