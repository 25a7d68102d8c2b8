package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	certigna "github.com/certigna-desktop/app"
	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/settings"
	"github.com/certigna-desktop/app/internal/support"
	"github.com/certigna-desktop/app/token"
)

// openModule opens the PKCS#11 module the way every verb does: --module,
// then $CERTIGNA_PKCS11_MODULE, the known middleware, and the demo token
// (--demo: the demo token only). On failure it prints why and returns the
// exit code. The caller closes the module.
func (e *Env) openModule() (*token.Module, int, bool) {
	m, _, err := e.discover()
	if err != nil {
		return nil, e.Fail(err), false
	}
	return m, 0, true
}

// discover runs module discovery with the global options and the module
// saved on the window's Driver screen (or takes the one discoverSoon
// started).
func (e *Env) discover() (*token.Module, []token.Candidate, error) {
	if d := e.early; d != nil {
		e.early = nil
		<-d.done
		return d.m, d.cands, d.err
	}
	return actions.Discover(e.discoverOptions())
}

// discoverOptions are the global options and the module saved on the
// window's Driver screen, as discovery takes them.
func (e *Env) discoverOptions() token.DiscoverOptions {
	return token.DiscoverOptions{Path: e.ModulePath, Demo: e.Demo, SavedPath: savedModulePath()}
}

// earlyModule is a discovery running ahead of the verb's need for it.
type earlyModule struct {
	done  chan struct{}
	m     *token.Module
	cands []token.Candidate
	err   error
}

// discoverSoon starts discovery now, beside what the verb does first —
// sign's check of the input, which reads the whole PDF (issue 21: on 5,000
// pages as long as starting the driver's worker and initialising the
// library). Discovery sends nothing a token counts: no session, no code;
// it prints nothing. The next discover() takes its result; dropEarly
// closes it when the verb ends before (the check refused the file).
func (e *Env) discoverSoon() {
	d := &earlyModule{done: make(chan struct{})}
	o := e.discoverOptions()
	go func() {
		defer close(d.done)
		d.m, d.cands, d.err = actions.Discover(o)
	}()
	e.early = d
}

// dropEarly closes the module of a discovery no one took, once it is done,
// without waiting for it (a driver that does not answer takes up to the
// probe's deadline).
func (e *Env) dropEarly() {
	d := e.early
	if d == nil {
		return
	}
	e.early = nil
	go func() {
		<-d.done
		if d.m != nil {
			d.m.Close()
		}
	}()
}

// beforePIN applies the locked / final-try rule before any code is read.
func (e *Env) beforePIN(state token.PINState, so, finalTry bool) (int, bool) {
	warn, err := actions.BeforePIN(state, so, finalTry)
	if err != nil {
		return e.Fail(err), false
	}
	if warn {
		fmt.Fprintln(e.Stderr, e.T("token.cli.final_try_warning"))
	}
	return 0, true
}

// savedModulePath is the module the person chose on the window's Driver
// screen, so that the CLI and the window use the same one.
func savedModulePath() string {
	p, err := settings.DefaultPath()
	if err != nil {
		return ""
	}
	return settings.Open(p).Settings().ModulePath
}

// pickToken returns the token in --slot, or the only token present.
// openToken opens the module and picks the token for a verb that works on
// one token (slot < 0: the only one); on failure it prints why, closes the
// module and returns the exit code. The caller closes the module.
func (e *Env) openToken(slot int) (*token.Module, token.TokenInfo, int, bool) {
	m, code, ok := e.openModule()
	if !ok {
		return nil, token.TokenInfo{}, code, false
	}
	t, code, ok := e.pickToken(m, slot)
	if !ok {
		m.Close()
		return nil, token.TokenInfo{}, code, false
	}
	return m, t, 0, true
}

func (e *Env) pickToken(m *token.Module, slot int) (token.TokenInfo, int, bool) {
	if slot >= 0 {
		t, err := m.Token(uint(slot))
		if err != nil {
			return t, e.Fail(err), false
		}
		return t, 0, true
	}
	ts, err := m.Tokens()
	if err != nil {
		return token.TokenInfo{}, e.Fail(err), false
	}
	switch len(ts) {
	case 0:
		return token.TokenInfo{}, e.Fail(&token.Error{Kind: token.KindNoToken}), false
	case 1:
		return ts[0], 0, true
	}
	var list []string
	for _, t := range ts {
		list = append(list, fmt.Sprintf("%d (%s)", t.Slot, t.Label))
	}
	return token.TokenInfo{}, e.fail(exitUsage, e.T("token.cli.several_tokens", map[string]any{"List": strings.Join(list, ", ")})), false
}

// pinVerb is change-pin and unblock: the same flags, checks and prompts.
func pinVerb(env *Env, args []string, unblock bool) int {
	fs := newFlagSet("change-pin")
	slot := fs.Int("slot", -1, "")
	finalTry := fs.Bool("final-try", false, "")
	if _, code, ok := parseFlags(env, fs, args); !ok {
		return code
	}
	m, t, code, ok := env.openToken(*slot)
	if !ok {
		return code
	}
	defer m.Close()
	// Refuse before asking for any code: a locked PIN, or a final try not
	// confirmed with --final-try. The token methods check again.
	state, so := t.PIN, false
	first := env.T("token.cli.prompt_current")
	if unblock {
		state, so = t.SOPIN, true
		first = env.T("token.cli.prompt_admin")
	}
	if code, ok := env.beforePIN(state, so, *finalTry); !ok {
		return code
	}
	codes, code, ok := env.readSecrets(first, env.T("token.cli.prompt_new"), env.T("token.cli.prompt_confirm"))
	if !ok {
		return code
	}
	var err error
	if unblock {
		err = m.Unblock(t.Slot, codes[0], codes[1], codes[2], *finalTry)
	} else {
		err = m.ChangePIN(t.Slot, codes[0], codes[1], codes[2], *finalTry)
	}
	if err != nil {
		return env.Fail(err)
	}
	if unblock {
		fmt.Fprintln(env.Stdout, env.T("token.cli.unblocked", map[string]any{"Label": t.Label}))
	} else {
		fmt.Fprintln(env.Stdout, env.T("token.cli.changed", map[string]any{"Label": t.Label}))
	}
	return exitOK
}

func runChangePIN(env *Env, args []string) int { return pinVerb(env, args, false) }
func runUnblock(env *Env, args []string) int   { return pinVerb(env, args, true) }

func runModules(env *Env, args []string) int {
	fs := newFlagSet("modules")
	asJSON := fs.Bool("json", false, "")
	if _, code, ok := parseFlags(env, fs, args); !ok {
		return code
	}
	m, cands, err := env.discover()
	if m != nil {
		defer m.Close()
	}
	type candJSON struct {
		Path   string `json:"path"`
		Name   string `json:"name,omitempty"`
		Source string `json:"source"`
		Status string `json:"status"`
		Reason string `json:"reason,omitempty"`
		Tokens int    `json:"tokens"`
		Chosen bool   `json:"chosen"`
	}
	var list []candJSON
	for _, c := range cands {
		cj := candJSON{Path: c.Path, Name: c.Name, Source: c.Source, Status: string(c.Status), Tokens: c.Tokens, Chosen: c.Chosen}
		if c.Reason != nil {
			cj.Reason = assets.Message(c.Reason, env.Lang)
		}
		list = append(list, cj)
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"candidates": list})
	} else {
		for _, c := range list {
			mark := "  "
			if c.Chosen {
				mark = "→ "
			}
			line := fmt.Sprintf("%s%-10s %-8s %s", mark, env.T("token.status."+c.Status), c.Source, c.Path)
			if c.Name != "" {
				line += " (" + c.Name + ")"
			}
			if c.Status == string(token.CandidateFound) {
				line += " — " + env.T("token.cli.n_tokens", map[string]any{"N": c.Tokens})
			}
			fmt.Fprintln(env.Stdout, line)
			if c.Reason != "" && c.Status != string(token.CandidateNotFound) {
				fmt.Fprintln(env.Stdout, "      "+c.Reason)
			}
		}
	}
	if err != nil {
		return env.Fail(err)
	}
	return exitOK
}

// runResetDemo deletes the demo token and makes a fresh one: its PIN may
// have been changed or blocked while trying the app.
func runResetDemo(env *Env, args []string) int {
	fs := newFlagSet("reset-demo")
	if _, code, ok := parseFlags(env, fs, args); !ok {
		return code
	}
	if err := token.ResetDemo(""); err != nil {
		return env.Fail(err)
	}
	if _, err := token.EnsureDemo(""); err != nil {
		return env.Fail(err)
	}
	fmt.Fprintln(env.Stdout, env.T("token.cli.demo_reset", map[string]any{"PIN": token.DemoPIN, "Admin": token.DemoAdminCode}))
	return exitOK
}

// runReport is `status --report`: the support report (internal/support),
// in the chosen language. Certificate serial numbers only with
// --cert-serials.
func runReport(env *Env, serials bool) int {
	r := &support.Report{App: certigna.App().Name + " " + certigna.Version(), Lang: env.Lang, CertSerials: serials}
	m, cands, err := env.discover()
	for _, c := range cands {
		sc := support.Candidate{Path: c.Path, Name: c.Name, Source: c.Source, Status: string(c.Status), Tokens: c.Tokens, Chosen: c.Chosen}
		if c.Reason != nil {
			sc.Reason = assets.Message(c.Reason, env.Lang)
		}
		r.Candidates = append(r.Candidates, sc)
	}
	if m == nil {
		if err != nil {
			r.Module.Error = assets.Message(err, env.Lang)
		}
		fmt.Fprint(env.Stdout, r.Text())
		return exitOK
	}
	defer m.Close()
	info := m.Info()
	r.Module = support.Module{Path: info.Path, Manufacturer: info.Manufacturer, Description: info.Description,
		Version: info.LibraryVersion, Cryptoki: info.CryptokiVersion, Demo: info.Demo}
	tokens, err := m.Tokens()
	if err != nil {
		r.Module.Error = assets.Message(err, env.Lang)
	}
	for _, t := range tokens {
		st := support.Token{Label: t.Label, Manufacturer: t.Manufacturer, Model: t.Model, Serial: t.Serial,
			HardwareVersion: t.HardwareVersion, FirmwareVersion: t.FirmwareVersion, Reader: t.Reader,
			MinPIN: t.MinPIN, MaxPIN: t.MaxPIN, PINPad: t.PINPad, PIN: string(t.PIN), SOPIN: string(t.SOPIN), Demo: t.Demo}
		certs, err := m.Certificates(t.Slot)
		if err != nil {
			st.Error = assets.Message(err, env.Lang)
		}
		for _, c := range certs {
			st.Certs = append(st.Certs, support.Cert{Holder: c.SubjectCN, Issuer: c.Cert.Issuer.CommonName,
				NotBefore: c.Cert.NotBefore, NotAfter: c.Cert.NotAfter, HasKey: c.HasPrivateKey,
				Serial: hex.EncodeToString(c.Cert.SerialNumber.Bytes())})
		}
		r.Tokens = append(r.Tokens, st)
	}
	fmt.Fprint(env.Stdout, r.Text())
	return exitOK
}
