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
	b backend

	mu     sync.Mutex
	stuck  string // C_ function that has not returned yet, "" when none
	pinPad bool   // logins wait for the reader's keypad: the Pad deadline
}

func guard(b backend) *guarded {
	if g, ok := b.(*guarded); ok {
		return g
	}
	return &guarded{b: b}
}

// stuckCall is the C_ function still running in the library, if any.
func (g *guarded) stuckCall() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stuck
}

// call runs f, the C function name, within d. On timeout f keeps running in
// its goroutine; the library is marked stuck until it returns.
func (g *guarded) call(name string, d time.Duration, f func() error) error {
	g.mu.Lock()
	if g.stuck != "" {
		s := g.stuck
		g.mu.Unlock()
		return &Error{Kind: KindHung, Reason: s}
	}
	g.mu.Unlock()
	done := make(chan error, 1)
	go func() { done <- f() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
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
	return &Error{Kind: KindTimeout, Reason: name, Seconds: int((d + time.Second - 1) / time.Second), PINSent: pinCall(name)}
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
	return g.call("C_Initialize", deadlines().Slow, func() error { return g.b.Initialize(opts...) })
}

func (g *guarded) Finalize() error {
	return g.call("C_Finalize", deadlines().Quick, g.b.Finalize)
}

func (g *guarded) GetInfo() (i pkcs11.Info, err error) {
	err = g.call("C_GetInfo", deadlines().Quick, func() (e error) { i, e = g.b.GetInfo(); return })
	return
}

func (g *guarded) GetSlotList(present bool) (s []uint, err error) {
	err = g.call("C_GetSlotList", deadlines().Quick, func() (e error) { s, e = g.b.GetSlotList(present); return })
	return
}

func (g *guarded) GetSlotInfo(slot uint) (i pkcs11.SlotInfo, err error) {
	err = g.call("C_GetSlotInfo", deadlines().Quick, func() (e error) { i, e = g.b.GetSlotInfo(slot); return })
	return
}

func (g *guarded) GetTokenInfo(slot uint) (i pkcs11.TokenInfo, err error) {
	err = g.call("C_GetTokenInfo", deadlines().Quick, func() (e error) { i, e = g.b.GetTokenInfo(slot); return })
	return
}

func (g *guarded) OpenSession(slot uint, flags uint) (h pkcs11.SessionHandle, err error) {
	err = g.call("C_OpenSession", deadlines().Quick, func() (e error) { h, e = g.b.OpenSession(slot, flags); return })
	return
}

func (g *guarded) CloseSession(sh pkcs11.SessionHandle) error {
	return g.call("C_CloseSession", deadlines().Quick, func() error { return g.b.CloseSession(sh) })
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
	return g.call("C_Login", g.pinDeadline(), func() error { return g.b.Login(sh, userType, pin) })
}

func (g *guarded) Logout(sh pkcs11.SessionHandle) error {
	return g.call("C_Logout", deadlines().Quick, func() error { return g.b.Logout(sh) })
}

func (g *guarded) SetPIN(sh pkcs11.SessionHandle, old, new string) error {
	return g.call("C_SetPIN", g.pinDeadline(), func() error { return g.b.SetPIN(sh, old, new) })
}

func (g *guarded) InitPIN(sh pkcs11.SessionHandle, pin string) error {
	return g.call("C_InitPIN", g.pinDeadline(), func() error { return g.b.InitPIN(sh, pin) })
}

func (g *guarded) FindObjectsInit(sh pkcs11.SessionHandle, temp []*pkcs11.Attribute) error {
	return g.call("C_FindObjectsInit", deadlines().Quick, func() error { return g.b.FindObjectsInit(sh, temp) })
}

func (g *guarded) FindObjects(sh pkcs11.SessionHandle, max int) (o []pkcs11.ObjectHandle, more bool, err error) {
	err = g.call("C_FindObjects", deadlines().Quick, func() (e error) { o, more, e = g.b.FindObjects(sh, max); return })
	return
}

func (g *guarded) FindObjectsFinal(sh pkcs11.SessionHandle) error {
	return g.call("C_FindObjectsFinal", deadlines().Quick, func() error { return g.b.FindObjectsFinal(sh) })
}

func (g *guarded) GetAttributeValue(sh pkcs11.SessionHandle, o pkcs11.ObjectHandle, a []*pkcs11.Attribute) (r []*pkcs11.Attribute, err error) {
	err = g.call("C_GetAttributeValue", deadlines().Quick, func() (e error) { r, e = g.b.GetAttributeValue(sh, o, a); return })
	return
}

func (g *guarded) SignInit(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, o pkcs11.ObjectHandle) error {
	return g.call("C_SignInit", deadlines().Quick, func() error { return g.b.SignInit(sh, m, o) })
}

func (g *guarded) Sign(sh pkcs11.SessionHandle, msg []byte) (s []byte, err error) {
	err = g.call("C_Sign", deadlines().PIN, func() (e error) { s, e = g.b.Sign(sh, msg); return })
	return
}

func (g *guarded) InitToken(slot uint, pin string, label string) error {
	return g.call("C_InitToken", deadlines().Slow, func() error { return g.b.InitToken(slot, pin, label) })
}

func (g *guarded) GenerateKeyPair(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, pub, priv []*pkcs11.Attribute) (a, b pkcs11.ObjectHandle, err error) {
	err = g.call("C_GenerateKeyPair", deadlines().Slow, func() (e error) { a, b, e = g.b.GenerateKeyPair(sh, m, pub, priv); return })
	return
}

func (g *guarded) CreateObject(sh pkcs11.SessionHandle, temp []*pkcs11.Attribute) (o pkcs11.ObjectHandle, err error) {
	err = g.call("C_CreateObject", deadlines().Quick, func() (e error) { o, e = g.b.CreateObject(sh, temp); return })
	return
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
