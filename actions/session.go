package actions

import (
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/token"
)

// The token as the window holds it for a whole session: the module in use
// (switched to another file or to the demo token on request), its tokens and
// certificates, the PIN operations and the signing key. The data types are
// token's own, re-exported here so that a front end needs only this layer.
type (
	TokenInfo  = token.TokenInfo
	PINState   = token.PINState
	Candidate  = token.Candidate
	TokenEvent = token.Event
	EventKind  = token.EventKind
)

// PIN states and token events (token's).
const (
	PINOK             = token.PINOK
	PINToBeChanged    = token.PINToBeChanged
	PINCountLow       = token.PINCountLow
	PINFinalTry       = token.PINFinalTry
	PINLocked         = token.PINLocked
	PINNotInitialized = token.PINNotInitialized

	TokenInserted = token.EventInserted
	TokenRemoved  = token.EventRemoved
	TokenChanged  = token.EventChanged
)

// CertInfo is one certificate on the token, with what a person is shown of
// it (the holder, the issuer's name, the validity).
type CertInfo struct {
	token.Certificate
	Holder, Issuer      string
	NotBefore, NotAfter time.Time
}

// ExpiresSoon: within 30 days and not yet expired.
func (c CertInfo) ExpiresSoon(now time.Time) bool {
	return !c.Expired && c.NotAfter.Sub(now) < 30*24*time.Hour
}

// ModuleStatus is the driver in use, or why there is none.
type ModuleStatus struct {
	Loaded       bool
	Path         string
	Manufacturer string
	Description  string
	Version      string
	Cryptoki     string // PKCS#11 version the library implements
	Demo         bool
	Candidates   []Candidate
	Err          error // why no module is loaded
}

// Key is a logged-in signing key (*token.Signer); Close logs out.
type Key interface {
	crypto.Signer
	Certificate() *x509.Certificate
	Chain() []*x509.Certificate
	Close() error
}

// DemoCodes are the codes of the demo token, shown on screen (they protect
// nothing: the demo token is a throwaway SoftHSM2 token).
type DemoCodes struct {
	UnlockCode, AdminCode string
}

// Tokens is the token side of a window's session. The module in use can be
// switched (another file, the demo); calls go to the current one.
type Tokens struct {
	mu       sync.Mutex
	mod      *token.Module
	status   ModuleStatus
	opts     token.DiscoverOptions
	initOnce sync.Once
}

// NewTokens prepares discovery (Path: --module, Demo: --demo, SavedPath:
// the saved choice, CacheDir: the demo token's place); Init runs it. The
// demo token is used with Demo, when the person asks for it on screen, or
// when no token middleware at all loads on this computer (DiscoverForWindow).
func NewTokens(o token.DiscoverOptions) *Tokens { return &Tokens{opts: o} }

// Init runs the first discovery once (it may take seconds: loading vendor
// libraries, creating the demo token) and returns its status.
func (t *Tokens) Init() ModuleStatus {
	t.initOnce.Do(func() { t.set(DiscoverForWindow(t.opts)) })
	return t.Module()
}

// TokensOf wraps an already-open module (tests open fixture tokens).
func TokensOf(m *token.Module) *Tokens {
	t := &Tokens{}
	t.initOnce.Do(func() {})
	t.set(m, []token.Candidate{{Path: m.Path(), Source: "flag", Status: token.CandidateFound, Chosen: true}}, nil)
	return t
}

func (t *Tokens) set(m *token.Module, cands []token.Candidate, err error) ModuleStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	shown := make([]Candidate, 0, len(cands))
	for _, c := range cands {
		if c.Status != token.CandidateSkipped {
			shown = append(shown, c)
		}
	}
	if m != nil && t.mod != nil && t.mod != m {
		_ = t.mod.Close()
	}
	if m != nil {
		t.mod = m
	} else if t.mod != nil && err != nil {
		// keep the working module; the failure is reported on the candidates
		t.status.Candidates, t.status.Err = shown, err
		return t.status
	}
	st := ModuleStatus{Candidates: shown, Err: err}
	if t.mod != nil {
		info := t.mod.Info()
		st.Loaded, st.Path, st.Manufacturer, st.Description, st.Version, st.Demo = true, info.Path, info.Manufacturer, info.Description, info.LibraryVersion, info.Demo
		st.Cryptoki = info.CryptokiVersion
		st.Err = nil
	}
	t.status = st
	return st
}

func (t *Tokens) module() (*token.Module, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mod == nil {
		return nil, &token.Error{Kind: token.KindModuleNotFound, Reason: "no module"}
	}
	return t.mod, nil
}

// Module is the current driver status.
func (t *Tokens) Module() ModuleStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.status
}

// UseModule switches to the module at path ("" = discover again).
func (t *Tokens) UseModule(path string) ModuleStatus {
	return t.set(token.Discover(token.DiscoverOptions{Path: path, CacheDir: t.opts.CacheDir, NoDemo: true}))
}

// UseDemo creates (or reuses) the demo token and switches to it.
func (t *Tokens) UseDemo() (ModuleStatus, error) {
	m, cands, err := token.Discover(token.DiscoverOptions{Demo: true, CacheDir: t.opts.CacheDir})
	if err != nil {
		return t.Module(), err
	}
	return t.set(m, cands, nil), nil
}

// DemoCodes are the demo token's public codes.
func (t *Tokens) DemoCodes() DemoCodes {
	return DemoCodes{UnlockCode: token.DemoPIN, AdminCode: token.DemoAdminCode}
}

// Tokens lists the tokens present.
func (t *Tokens) Tokens() ([]TokenInfo, error) {
	m, err := t.module()
	if err != nil {
		return nil, err
	}
	return m.Tokens()
}

// Certificates lists the token's certificates (no login).
func (t *Tokens) Certificates(slot uint) ([]CertInfo, error) {
	m, err := t.module()
	if err != nil {
		return nil, err
	}
	cs, err := m.Certificates(slot)
	if err != nil {
		return nil, err
	}
	return CertInfosOf(cs), nil
}

// CertInfosOf is the token's certificates as the front ends show them.
func CertInfosOf(cs []token.Certificate) []CertInfo {
	out := make([]CertInfo, 0, len(cs))
	for _, c := range cs {
		ci := CertInfo{Certificate: c, Holder: c.SubjectCN}
		if c.Cert != nil {
			ci.Issuer = issuerName(c.Cert)
			ci.NotBefore, ci.NotAfter = c.Cert.NotBefore, c.Cert.NotAfter
			if ci.Holder == "" {
				ci.Holder = nameInWords(c.Cert.Subject)
			}
		}
		out = append(out, ci)
	}
	return out
}

func issuerName(c *x509.Certificate) string {
	n := c.Issuer.CommonName
	if len(c.Issuer.Organization) > 0 && !strings.Contains(n, c.Issuer.Organization[0]) {
		n += " (" + c.Issuer.Organization[0] + ")"
	}
	if n == "" {
		n = nameInWords(c.Issuer)
	}
	return n
}

// nameInWords is a certificate's name without the DN's syntax (never
// "CN=…,O=…,C=FR" on a screen): its organisation, unit, or the values.
func nameInWords(n pkix.Name) string {
	for _, v := range [][]string{{n.CommonName}, n.Organization, n.OrganizationalUnit} {
		if len(v) > 0 && v[0] != "" {
			return v[0]
		}
	}
	var vals []string
	for _, a := range n.Names {
		if s, ok := a.Value.(string); ok && s != "" {
			vals = append(vals, s)
		}
	}
	return strings.Join(vals, ", ")
}

// CheckNewPIN is token.CheckNewPIN: pure, it never calls the token.
func (t *Tokens) CheckNewPIN(ti TokenInfo, current, newPIN, confirm string) error {
	return token.CheckNewPIN(ti, current, newPIN, confirm)
}

// ChangePIN sets a new PIN from the current code (one try).
func (t *Tokens) ChangePIN(slot uint, current, newPIN, confirm string, confirmFinalTry bool) error {
	m, err := t.module()
	if err != nil {
		return err
	}
	return wrongCode(m.ChangePIN(slot, current, newPIN, confirm, confirmFinalTry))
}

// Unblock sets a new PIN with the admin code (one try).
func (t *Tokens) Unblock(slot uint, adminCode, newPIN, confirm string, confirmFinalTry bool) error {
	m, err := t.module()
	if err != nil {
		return err
	}
	return wrongCode(m.Unblock(slot, adminCode, newPIN, confirm, confirmFinalTry))
}

// OpenKey logs in once and returns the signing key.
func (t *Tokens) OpenKey(slot uint, certID []byte, pin string, confirmFinalTry bool) (Key, error) {
	m, err := t.module()
	if err != nil {
		return nil, err
	}
	s, err := m.Signer(slot, certID, pin, confirmFinalTry)
	if err != nil {
		return nil, wrongCode(err)
	}
	return s, nil
}

// Watch reports the module's hot-plug events until ctx ends (nil without a
// module).
func (t *Tokens) Watch(ctx context.Context, every time.Duration) <-chan TokenEvent {
	m, err := t.module()
	if err != nil {
		return nil
	}
	return m.Watch(ctx, every)
}

// WrongCodeError is a code the token refused (a wrong unlock code, PIN or
// admin code); State is what the token reports now, so that one sentence
// says what that means for the next try.
type WrongCodeError struct {
	State PINState
	Admin bool // the admin code (PUK/SO) was refused
	Err   error
}

func (e *WrongCodeError) Error() string { return e.Err.Error() }
func (e *WrongCodeError) Unwrap() error { return e.Err }

// Message is one sentence: refused, the tries the token reports, and what
// happens at zero.
func (e *WrongCodeError) Message(lang string) string {
	who := "pin"
	if e.Admin {
		who = "admin"
	}
	st := e.State
	switch st {
	case PINCountLow, PINFinalTry, PINLocked:
	default:
		st = "other"
	}
	return assets.T(lang, "ui.wrong."+who+"."+string(st))
}

// wrongCode gives a refused code with the state the token reports now;
// other errors pass through.
func wrongCode(err error) error {
	var te *token.Error
	if errors.As(err, &te) && te.Kind == token.KindPINIncorrect {
		return &WrongCodeError{State: te.State, Admin: te.SO, Err: err}
	}
	return err
}
