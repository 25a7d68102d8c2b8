// Package backend holds the real implementations of ui's interfaces: thin
// adapters over token/ and pdfsign/.
package backend

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/token"
	"github.com/certigna-desktop/app/ui"
)

// Tokens adapts token.Module to ui.TokenService. The module in use can be
// switched (another file, the demo); calls go to the current one.
type Tokens struct {
	mu       sync.Mutex
	mod      *token.Module
	status   ui.ModuleStatus
	cacheDir string
	opts     TokenOptions
	initOnce sync.Once
}

// TokenOptions say how to find the first module.
type TokenOptions struct {
	Path      string // --module
	Demo      bool   // --demo
	SavedPath string // the user's saved choice
	CacheDir  string // demo token location ("" = user cache dir)
}

// NewTokens prepares discovery; Init runs it. The demo token is used with
// Demo, when the person asks for it on screen, or when no token middleware
// at all loads on this computer (the run command's promise: the app shows
// something real to try, marked DEMO everywhere). A middleware that loads
// without a token is kept, so the token shows up when it is plugged in.
func NewTokens(o TokenOptions) *Tokens {
	return &Tokens{cacheDir: o.CacheDir, opts: o}
}

// Init runs the first discovery once.
func (t *Tokens) Init() ui.ModuleStatus {
	t.initOnce.Do(func() {
		o := t.opts
		t.set(actions.DiscoverForWindow(token.DiscoverOptions{Path: o.Path, Demo: o.Demo, SavedPath: o.SavedPath, CacheDir: o.CacheDir}))
	})
	return t.Module()
}

// FromModule wraps an already-open module (tests open fixture tokens).
func FromModule(m *token.Module) *Tokens {
	t := &Tokens{}
	t.initOnce.Do(func() {})
	t.set(m, []token.Candidate{{Path: m.Path(), Source: "flag", Status: token.CandidateFound, Chosen: true}}, nil)
	return t
}

func (t *Tokens) set(m *token.Module, cands []token.Candidate, err error) ui.ModuleStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	if m != nil && t.mod != nil && t.mod != m {
		_ = t.mod.Close()
	}
	if m != nil {
		t.mod = m
	} else if t.mod != nil && err != nil {
		// keep the working module; the failure is reported on the candidates
		st := t.status
		st.Candidates = convCands(cands)
		st.Err = err
		t.status = st
		return st
	}
	st := ui.ModuleStatus{Candidates: convCands(cands), Err: err}
	if t.mod != nil {
		info := t.mod.Info()
		st.Loaded, st.Path, st.Manufacturer, st.Description, st.Version, st.Demo = true, info.Path, info.Manufacturer, info.Description, info.LibraryVersion, info.Demo
		st.Cryptoki = info.CryptokiVersion
		st.Err = nil
	}
	t.status = st
	return st
}

func convCands(cs []token.Candidate) []ui.Candidate {
	out := make([]ui.Candidate, 0, len(cs))
	for _, c := range cs {
		if c.Status == token.CandidateSkipped {
			continue
		}
		out = append(out, ui.Candidate{Path: c.Path, Source: c.Source, Status: string(c.Status), Reason: c.Reason, Tokens: c.Tokens, Chosen: c.Chosen, Name: c.Name})
	}
	return out
}

func (t *Tokens) module() *token.Module {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.mod
}

// Module is the current status.
func (t *Tokens) Module() ui.ModuleStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.status
}

// UseModule opens path (or discovers again when path is "").
func (t *Tokens) UseModule(path string) ui.ModuleStatus {
	m, cands, err := token.Discover(token.DiscoverOptions{Path: path, CacheDir: t.cacheDir, NoDemo: true})
	return t.set(m, cands, err)
}

// UseDemo creates the demo token if needed and switches to it.
func (t *Tokens) UseDemo() (ui.ModuleStatus, error) {
	m, cands, err := token.Discover(token.DiscoverOptions{Demo: true, CacheDir: t.cacheDir})
	if err != nil {
		return t.Module(), err
	}
	return t.set(m, cands, nil), nil
}

// DemoCodes are the demo token's public codes.
func (t *Tokens) DemoCodes() ui.DemoCodes {
	return ui.DemoCodes{UnlockCode: token.DemoPIN, AdminCode: token.DemoAdminCode}
}

var errNoModule = &token.Error{Kind: token.KindModuleNotFound, Reason: "no module"}

// Tokens lists the tokens present.
func (t *Tokens) Tokens() ([]ui.TokenInfo, error) {
	m := t.module()
	if m == nil {
		return nil, errNoModule
	}
	ts, err := m.Tokens()
	if err != nil {
		return nil, err
	}
	out := make([]ui.TokenInfo, len(ts))
	for i, x := range ts {
		out[i] = convToken(x)
	}
	return out, nil
}

func convToken(x token.TokenInfo) ui.TokenInfo {
	return ui.TokenInfo{
		Slot: x.Slot, Label: x.Label, Manufacturer: x.Manufacturer, Model: x.Model, Serial: x.Serial,
		HardwareVersion: x.HardwareVersion, FirmwareVersion: x.FirmwareVersion, Reader: x.Reader,
		MinPIN: x.MinPIN, MaxPIN: x.MaxPIN, PINPad: x.PINPad,
		PIN: ui.PINState(x.PIN), SOPIN: ui.PINState(x.SOPIN), Demo: x.Demo,
	}
}

func unconvToken(x ui.TokenInfo) token.TokenInfo {
	return token.TokenInfo{
		Slot: x.Slot, Label: x.Label, Manufacturer: x.Manufacturer, Model: x.Model, Serial: x.Serial,
		MinPIN: x.MinPIN, MaxPIN: x.MaxPIN, PINPad: x.PINPad,
		PIN: token.PINState(x.PIN), SOPIN: token.PINState(x.SOPIN), Demo: x.Demo,
	}
}

// Certificates lists the token's certificates (no login).
func (t *Tokens) Certificates(slot uint) ([]ui.CertInfo, error) {
	m := t.module()
	if m == nil {
		return nil, errNoModule
	}
	cs, err := m.Certificates(slot)
	if err != nil {
		return nil, err
	}
	out := make([]ui.CertInfo, 0, len(cs))
	for _, c := range cs {
		ci := ui.CertInfo{ID: c.ID, Label: c.Label, Holder: c.SubjectCN, KeyUsage: c.KeyUsage,
			HasPrivateKey: c.HasPrivateKey, Expired: c.Expired, NotYet: c.NotYetValid, Cert: c.Cert}
		if c.Cert != nil {
			ci.Issuer = issuerName(c.Cert)
			ci.NotBefore, ci.NotAfter = c.Cert.NotBefore, c.Cert.NotAfter
			if ci.Holder == "" {
				ci.Holder = c.Cert.Subject.String()
			}
		}
		out = append(out, ci)
	}
	return out, nil
}

func issuerName(c *x509.Certificate) string {
	n := c.Issuer.CommonName
	if len(c.Issuer.Organization) > 0 && !strings.Contains(n, c.Issuer.Organization[0]) {
		n += " (" + c.Issuer.Organization[0] + ")"
	}
	if n == "" {
		n = c.Issuer.String()
	}
	return n
}

// CheckNewPIN is token.CheckNewPIN: pure, no token call.
func (t *Tokens) CheckNewPIN(ti ui.TokenInfo, current, newPIN, confirm string) error {
	return token.CheckNewPIN(unconvToken(ti), current, newPIN, confirm)
}

// ChangePIN sets a new PIN from the current code (one try).
func (t *Tokens) ChangePIN(slot uint, current, newPIN, confirm string, confirmFinalTry bool) error {
	m := t.module()
	if m == nil {
		return errNoModule
	}
	return wrongCode(m.ChangePIN(slot, current, newPIN, confirm, confirmFinalTry))
}

// wrongCode gives the screens a refused code with the state the token
// reports now; other errors pass through.
func wrongCode(err error) error {
	var te *token.Error
	if errors.As(err, &te) && te.Kind == token.KindPINIncorrect {
		return &ui.WrongCodeError{State: ui.PINState(te.State), Admin: te.SO, Err: err}
	}
	return err
}

// Unblock sets a new PIN with the admin code (one try).
func (t *Tokens) Unblock(slot uint, adminCode, newPIN, confirm string, confirmFinalTry bool) error {
	m := t.module()
	if m == nil {
		return errNoModule
	}
	return wrongCode(m.Unblock(slot, adminCode, newPIN, confirm, confirmFinalTry))
}

// OpenKey logs in once and returns the signing key.
func (t *Tokens) OpenKey(slot uint, certID []byte, pin string, confirmFinalTry bool) (ui.Key, error) {
	m := t.module()
	if m == nil {
		return nil, errNoModule
	}
	s, err := m.Signer(slot, certID, pin, confirmFinalTry)
	if err != nil {
		return nil, wrongCode(err)
	}
	return s, nil
}

// Watch forwards the module's hot-plug events.
func (t *Tokens) Watch(ctx context.Context, every time.Duration) <-chan ui.TokenEvent {
	m := t.module()
	if m == nil {
		return nil
	}
	in := m.Watch(ctx, every)
	out := make(chan ui.TokenEvent, 16)
	go func() {
		defer close(out)
		for ev := range in {
			select {
			case out <- ui.TokenEvent{Kind: ui.EventKind(ev.Kind), Token: convToken(ev.Token)}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

var _ ui.TokenService = (*Tokens)(nil)
