package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

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
	return actions.Discover(token.DiscoverOptions{Path: e.ModulePath, Demo: e.Demo, SavedPath: savedModulePath()})
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
	o := token.DiscoverOptions{Path: e.ModulePath, Demo: e.Demo, SavedPath: savedModulePath()}
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

// statusJSON is the output of `status --json`, the CLI contract.
type statusJSON struct {
	Module moduleJSON  `json:"module"`
	Tokens []tokenJSON `json:"tokens"`
}

type moduleJSON struct {
	Path           string `json:"path"`
	Manufacturer   string `json:"manufacturer"`
	Description    string `json:"description"`
	LibraryVersion string `json:"library_version"`
	Cryptoki       string `json:"cryptoki_version"`
	Demo           bool   `json:"demo"`
}

type tokenJSON struct {
	Slot            uint       `json:"slot"`
	Label           string     `json:"label"`
	Manufacturer    string     `json:"manufacturer"`
	Model           string     `json:"model"`
	Serial          string     `json:"serial"`
	HardwareVersion string     `json:"hardware_version"`
	FirmwareVersion string     `json:"firmware_version"`
	Reader          string     `json:"reader"`
	Flags           uint       `json:"flags"`
	Demo            bool       `json:"demo"`
	PIN             pinJSON    `json:"pin"`
	Certificates    []certJSON `json:"certificates"`
	Error           string     `json:"error,omitempty"`
}

type pinJSON struct {
	State   token.PINState `json:"state"`
	SOState token.PINState `json:"so_state"`
	MinLen  int            `json:"min_len"`
	MaxLen  int            `json:"max_len"`
	PINPad  bool           `json:"pin_pad"`
}

type certJSON struct {
	// Name is the certificate's name as the window shows it (by purpose);
	// --cert takes it, or ID
	Name          string   `json:"name"`
	ID            string   `json:"id"`
	Label         string   `json:"label"`
	Subject       string   `json:"subject"`
	SubjectCN     string   `json:"subject_cn"`
	Issuer        string   `json:"issuer"`
	Serial        string   `json:"serial"`
	NotBefore     string   `json:"not_before"`
	NotAfter      string   `json:"not_after"`
	KeyUsage      []string `json:"key_usage"`
	SHA256        string   `json:"sha256"`
	HasPrivateKey bool     `json:"has_private_key"`
	Expired       bool     `json:"expired"`
	NotYetValid   bool     `json:"not_yet_valid"`
	issuerWords   string   // the issuer in words for the text output (Issuer is the DN)
}

func runStatus(env *Env, args []string) int {
	fs := newFlagSet("status")
	asJSON := fs.Bool("json", false, "")
	slot := fs.Int("slot", -1, "")
	report := fs.Bool("report", false, "")
	serials := fs.Bool("cert-serials", false, "")
	if _, code, ok := parseFlags(env, fs, args); !ok {
		return code
	}
	if *report {
		return runReport(env, *serials)
	}
	m, code, ok := env.openModule()
	if !ok {
		return code
	}
	defer m.Close()
	info := m.Info()
	st := statusJSON{Module: moduleJSON{Path: info.Path, Manufacturer: info.Manufacturer, Description: info.Description,
		LibraryVersion: info.LibraryVersion, Cryptoki: info.CryptokiVersion, Demo: info.Demo}, Tokens: []tokenJSON{}}
	var tokens []token.TokenInfo
	if *slot >= 0 {
		t, err := m.Token(uint(*slot))
		if err != nil {
			return env.Fail(err)
		}
		tokens = []token.TokenInfo{t}
	} else {
		var err error
		if tokens, err = m.Tokens(); err != nil {
			return env.Fail(err)
		}
	}
	for _, t := range tokens {
		tj := tokenJSON{Slot: t.Slot, Label: t.Label, Manufacturer: t.Manufacturer, Model: t.Model, Serial: t.Serial,
			HardwareVersion: t.HardwareVersion, FirmwareVersion: t.FirmwareVersion, Reader: t.Reader, Flags: t.Flags, Demo: t.Demo,
			PIN:          pinJSON{State: t.PIN, SOState: t.SOPIN, MinLen: t.MinPIN, MaxLen: t.MaxPIN, PINPad: t.PINPad},
			Certificates: []certJSON{}}
		certs, err := m.Certificates(t.Slot)
		if err != nil {
			tj.Error = assets.Message(err, env.Lang)
		}
		names, infos := certNames(env, certs), actions.CertInfosOf(certs)
		for i, c := range certs {
			tj.Certificates = append(tj.Certificates, certJSON{Name: names[i], issuerWords: infos[i].Issuer,
				ID: hex.EncodeToString(c.ID), Label: c.Label, Subject: c.Cert.Subject.String(), SubjectCN: c.SubjectCN,
				Issuer: c.Cert.Issuer.String(), Serial: hex.EncodeToString(c.Cert.SerialNumber.Bytes()),
				NotBefore: c.Cert.NotBefore.UTC().Format(time.RFC3339), NotAfter: c.Cert.NotAfter.UTC().Format(time.RFC3339),
				KeyUsage: c.KeyUsage, SHA256: hex.EncodeToString(c.SHA256[:]), HasPrivateKey: c.HasPrivateKey,
				Expired: c.Expired, NotYetValid: c.NotYetValid,
			})
		}
		st.Tokens = append(st.Tokens, tj)
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(st); err != nil {
			return env.fail(exitFailure, err.Error())
		}
	} else {
		printStatus(env, st)
	}
	if len(st.Tokens) == 0 {
		if !*asJSON {
			return env.Fail(&token.Error{Kind: token.KindNoToken})
		}
		return exitNoToken
	}
	return exitOK
}

func printStatus(env *Env, st statusJSON) {
	out := env.Stdout
	demo := ""
	if st.Module.Demo {
		demo = " " + env.T("token.cli.demo_tag")
	}
	fmt.Fprintln(out, env.T("token.cli.module", map[string]any{"Path": st.Module.Path, "Manufacturer": st.Module.Manufacturer,
		"Description": st.Module.Description, "Version": st.Module.LibraryVersion})+demo)
	for _, t := range st.Tokens {
		demo := ""
		if t.Demo {
			demo = " " + env.T("token.cli.demo_tag")
		}
		fmt.Fprintln(out)
		fmt.Fprintln(out, env.T("token.cli.token", map[string]any{"Slot": t.Slot, "Label": t.Label, "Manufacturer": t.Manufacturer,
			"Model": t.Model, "Serial": t.Serial})+demo)
		fmt.Fprintln(out, "  "+env.T("token.cli.details", map[string]any{"HW": t.HardwareVersion, "FW": t.FirmwareVersion, "Reader": t.Reader}))
		fmt.Fprintln(out, "  "+env.T("token.cli.pin", map[string]any{
			"State": env.T("token.state." + string(t.PIN.State)), "SOState": env.T("token.state." + string(t.PIN.SOState)),
			"Min": t.PIN.MinLen, "Max": t.PIN.MaxLen}))
		if t.PIN.PINPad {
			fmt.Fprintln(out, "  "+env.T("token.cli.pin_pad"))
		}
		if t.Demo {
			fmt.Fprintln(out, "  "+env.T("token.cli.demo_codes", map[string]any{"PIN": token.DemoPIN, "Admin": token.DemoAdminCode}))
		}
		if t.Error != "" {
			fmt.Fprintln(out, "  "+t.Error)
		}
		if len(t.Certificates) == 0 && t.Error == "" {
			fmt.Fprintln(out, "  "+env.T("token.cli.no_certificate"))
		}
		for _, c := range t.Certificates {
			var flags []string
			if c.Expired {
				flags = append(flags, env.T("token.cli.expired"))
			}
			if c.NotYetValid {
				flags = append(flags, env.T("token.cli.not_yet_valid"))
			}
			if c.HasPrivateKey {
				flags = append(flags, env.T("token.cli.has_key"))
			}
			extra := ""
			if len(flags) > 0 {
				extra = " [" + strings.Join(flags, ", ") + "]"
			}
			fmt.Fprintln(out, "  "+env.T("token.cli.certificate", map[string]any{"Name": c.Name, "CN": c.SubjectCN, "Issuer": c.issuerWords,
				"From": c.NotBefore[:10], "To": c.NotAfter[:10], "ID": c.ID})+extra)
			fmt.Fprintln(out, "    SHA-256 "+c.SHA256)
		}
	}
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
