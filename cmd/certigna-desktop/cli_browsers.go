package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/browsers"
	"github.com/certigna-desktop/app/token"
)

// browsersModule is the token's module as browsers must load it: the path
// the customer's driver installed, never the demo token (a SoftHSM2 file
// only this app knows how to open).
func (e *Env) browsersModule() (*token.Module, error) {
	if e.Demo {
		return nil, &browsers.Error{Kind: browsers.KindNoModule}
	}
	m, _, err := actions.Discover(token.DiscoverOptions{Path: e.ModulePath, SavedPath: savedModulePath(), NoDemo: true})
	if err != nil {
		return nil, err
	}
	if m.Info().Demo {
		m.Close()
		return nil, &browsers.Error{Kind: browsers.KindNoModule}
	}
	return m, nil
}

type browsersJSON struct {
	Module       string              `json:"module"`
	Stores       []browsersStoreJSON `json:"stores"`
	Certificates []browserCertJSON   `json:"certificates"`
}

type browsersStoreJSON struct {
	ID string `json:"id"`
	browsers.Store
}

type browserCertJSON struct {
	Subject string                `json:"subject"`
	Login   bool                  `json:"login"` // usable to log in to websites (clientAuth)
	Mail    browsers.MailCheck    `json:"mail"`
	System  *browsers.SystemCheck `json:"system,omitempty"` // Windows/macOS store
}

func runBrowsers(env *Env, args []string) int {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := newFlagSet("browsers")
	asJSON := fs.Bool("json", false, "")
	profile := fs.String("profile", "", "")
	pos, code, ok := parseFlags(env, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 || sub != "" && sub != "register" && sub != "unregister" || sub == "" && *profile != "" {
		return env.fail(exitUsage, env.T("browsers.cli.usage"))
	}
	m, merr := env.browsersModule()
	modPath := ""
	if merr == nil {
		defer m.Close()
		modPath = m.Path()
	}
	stores, err := browsers.Discover(browsers.Options{Module: modPath})
	if err != nil {
		return env.Fail(err)
	}
	switch sub {
	case "register", "unregister":
		if sub == "register" && merr != nil {
			return env.Fail(merr)
		}
		return browsersChange(env, sub, stores, *profile, modPath)
	}
	if *asJSON {
		out := browsersJSON{Module: modPath, Stores: []browsersStoreJSON{}, Certificates: []browserCertJSON{}}
		for _, s := range stores {
			out.Stores = append(out.Stores, browsersStoreJSON{ID: s.ID(), Store: s})
		}
		if m != nil {
			for _, c := range loginCerts(m, false) {
				bc := browserCertJSON{Subject: c.Cert.Subject.String(), Login: browsers.CanLogIn(c.Cert), Mail: browsers.CheckMail(c.Cert)}
				if sc := browsers.SystemStore(c.Cert); sc.Checked {
					bc.System = &sc
				}
				out.Certificates = append(out.Certificates, bc)
			}
		}
		printJSON(env, out)
		return exitOK
	}
	if merr != nil {
		fmt.Fprintln(env.Stderr, env.T("cli.error", map[string]any{"Err": assets.Message(merr, env.Lang)}))
		env.hint(merr)
	}
	if len(stores) == 0 {
		fmt.Fprintln(env.Stdout, env.T("browsers.cli.none"))
	}
	for _, s := range stores {
		fmt.Fprintln(env.Stdout, env.T("browsers.cli.line", map[string]any{"ID": s.ID(), "App": s.AppName(), "Dir": s.Dir,
			"State": storeState(env, s)}))
	}
	if m != nil {
		for _, c := range loginCerts(m, false) {
			fmt.Fprintln(env.Stdout, c.SubjectCN+" — "+env.T("browsers.cli.mail", map[string]any{"Text": mailText(env.Lang, browsers.CheckMail(c.Cert))}))
			if sc := browsers.SystemStore(c.Cert); sc.Checked {
				fmt.Fprintln(env.Stdout, env.T("browsers.system."+runtime.GOOS, map[string]any{"Found": yesNo(env, sc.Found)}))
			}
		}
	}
	return exitOK
}

func yesNo(env *Env, b bool) string {
	if b {
		return env.T("browsers.yes")
	}
	return env.T("browsers.no")
}

// storeState is the one-line state of a store for people.
func storeState(env *Env, s browsers.Store) string {
	var parts []string
	if s.Registered {
		parts = append(parts, env.T("browsers.state.registered"))
		if s.Policy {
			parts = append(parts, env.T("browsers.state.policy"))
		}
	} else {
		parts = append(parts, env.T("browsers.state.not_registered"))
	}
	switch {
	case s.Sandboxed:
		parts = append(parts, env.T("browsers.state.sandboxed"))
	case s.Legacy:
		parts = append(parts, env.T("browsers.state.legacy"))
	case !s.HasDB:
		parts = append(parts, env.T("browsers.state.no_db"))
	}
	if s.Running {
		parts = append(parts, env.T("browsers.state.running"))
	}
	if s.Default {
		parts = append(parts, env.T("browsers.state.default"))
	}
	return strings.Join(parts, ", ")
}

// mailText is the S/MIME verdict for one certificate.
func mailText(lang string, mc browsers.MailCheck) string {
	switch {
	case mc.OK:
		return assets.T(lang, "browsers.mail.ok", map[string]any{"Emails": strings.Join(mc.Emails, ", ")})
	case !mc.EmailProtection:
		return assets.T(lang, "browsers.mail.no_usage")
	}
	return assets.T(lang, "browsers.mail.no_email")
}

// matchStore: --profile takes an ID ("firefox:default-release"), a profile
// name or a folder.
func matchStore(s browsers.Store, p string) bool {
	return p == s.ID() || p == s.Name || filepath.Clean(p) == filepath.Clean(s.Dir)
}

func browsersChange(env *Env, sub string, stores []browsers.Store, profile, modPath string) int {
	var chosen []browsers.Store
	for _, s := range stores {
		if profile == "" || matchStore(s, profile) {
			chosen = append(chosen, s)
		}
	}
	if len(chosen) == 0 {
		if profile != "" {
			return env.Fail(&browsers.Error{Kind: browsers.KindProfileUnknown, Detail: profile})
		}
		fmt.Fprintln(env.Stdout, env.T("browsers.cli.none"))
		return exitOK
	}
	code := exitOK
	for _, s := range chosen {
		if sub == "unregister" {
			if !s.Ours && profile == "" {
				continue
			}
			ch, err := browsers.Unregister(s, modPath)
			if err != nil {
				fmt.Fprintln(env.Stderr, env.T("browsers.cli.skipped", map[string]any{"ID": s.ID(), "Err": assets.Message(err, env.Lang)}))
				code = exitCode(err)
				continue
			}
			if ch.Changed {
				fmt.Fprintln(env.Stdout, env.T("browsers.cli.unregistered", map[string]any{"ID": s.ID()}))
			}
			continue
		}
		if profile == "" && s.CanRegister() != nil && !s.Running {
			// Sandboxed, old or missing databases: said, not an error of this run.
			fmt.Fprintln(env.Stderr, env.T("browsers.cli.skipped", map[string]any{"ID": s.ID(), "Err": assets.Message(s.CanRegister(), env.Lang)}))
			continue
		}
		ch, err := browsers.Register(s, modPath)
		if err != nil {
			fmt.Fprintln(env.Stderr, env.T("browsers.cli.skipped", map[string]any{"ID": s.ID(), "Err": assets.Message(err, env.Lang)}))
			code = exitCode(err)
			continue
		}
		if ch.Changed {
			fmt.Fprintln(env.Stdout, env.T("browsers.cli.registered", map[string]any{"ID": s.ID(), "Backup": ch.Backup}))
		} else {
			fmt.Fprintln(env.Stdout, env.T("browsers.cli.already", map[string]any{"ID": s.ID()}))
		}
	}
	return code
}

// loginCerts are the token's certificates with a private key and valid
// today; with onlyLogin, those allowed to log in to websites.
func loginCerts(m *token.Module, onlyLogin bool) []token.Certificate {
	ts, err := m.Tokens()
	if err != nil {
		return nil
	}
	var out []token.Certificate
	for _, t := range ts {
		certs, err := m.Certificates(t.Slot)
		if err != nil {
			continue
		}
		for _, c := range certs {
			if c.HasPrivateKey && !c.Expired && !c.NotYetValid && (!onlyLogin || browsers.CanLogIn(c.Cert)) {
				out = append(out, c)
			}
		}
	}
	return out
}

type tlsTestJSON struct {
	Probe  *browsers.Probe     `json:"probe"`
	Result *browsers.TLSResult `json:"result"`
	Mail   browsers.MailCheck  `json:"mail"`
}

func runTLSTest(env *Env, args []string) int {
	fs := newFlagSet("tls-test")
	caFile := fs.String("ca", "", "")
	slot := fs.Int("slot", -1, "")
	certID := fs.String("cert", "", "")
	finalTry := fs.Bool("final-try", false, "")
	asJSON := fs.Bool("json", false, "")
	pos, code, ok := parseFlags(env, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return env.fail(exitUsage, env.T("browsers.cli.tls_usage"))
	}
	url := pos[0]
	opts := browsers.TLSOptions{}
	if *caFile != "" {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if err := addPEMCerts(pool, *caFile); err != nil {
			return env.fail(exitUsage, env.T("browsers.cli.bad_ca", map[string]any{"Path": *caFile, "Err": err}))
		}
		opts.Roots = pool
	}
	ctx := context.Background()
	// The server is asked first, without the key: a URL that cannot work
	// never costs a PIN.
	probe, err := browsers.ProbeTLS(ctx, url, opts)
	if err != nil {
		return env.Fail(err)
	}
	m, t, code, ok := env.openToken(*slot)
	if !ok {
		return code
	}
	defer m.Close()
	certs, err := m.Certificates(t.Slot)
	if err != nil {
		return env.Fail(err)
	}
	id, code, ok := certByArg(env, certs, *certID)
	if !ok {
		return code
	}
	leaf, code, ok := pickLoginCert(env, certs, id)
	if !ok {
		return code
	}
	chain := []*x509.Certificate{leaf.Cert}
	for _, c := range certs {
		if c.Cert.IsCA {
			chain = append(chain, c.Cert)
		}
	}
	if err := probe.Check(chain); err != nil {
		return env.Fail(err)
	}
	if code, ok := env.beforePIN(t.PIN, false, *finalTry); !ok {
		return code
	}
	codes, code, ok := env.readSecrets(env.T("browsers.cli.prompt_pin", map[string]any{"Label": t.Label}))
	if !ok {
		return code
	}
	signer, err := m.Signer(t.Slot, leaf.ID, codes[0], *finalTry)
	if err != nil {
		return env.Fail(err)
	}
	defer signer.Close()
	full := append([]*x509.Certificate{signer.Certificate()}, signer.Chain()...)
	res, err := browsers.TestTLS(ctx, url, signer, full, opts)
	if err != nil {
		return env.Fail(err)
	}
	mc := browsers.CheckMail(leaf.Cert)
	if *asJSON {
		printJSON(env, tlsTestJSON{Probe: probe, Result: res, Mail: mc})
		if res.HTTPStatus >= 400 {
			return exitFailure
		}
		return exitOK
	}
	fmt.Fprintln(env.Stdout, env.T("browsers.cli.handshake", map[string]any{"Version": res.Version, "Cipher": res.CipherSuite}))
	fmt.Fprintln(env.Stdout, env.T("browsers.cli.sent", map[string]any{"Subject": res.SentSubject, "Issuer": res.SentIssuer}))
	fmt.Fprintln(env.Stdout, env.T("browsers.cli.server", map[string]any{"Subject": res.ServerSubject}))
	fmt.Fprintln(env.Stdout, env.T("browsers.cli.answer", map[string]any{"Status": res.Status, "Excerpt": res.Excerpt}))
	fmt.Fprintln(env.Stdout, env.T("browsers.cli.mail", map[string]any{"Text": mailText(env.Lang, mc)}))
	if res.HTTPStatus >= 400 {
		// The handshake worked but the site refuses the request: usually an
		// account not linked to this certificate. Said by the status line.
		return exitFailure
	}
	return exitOK
}

// pickLoginCert: the certificate asked for, or the only one that can log in.
func pickLoginCert(env *Env, certs []token.Certificate, id []byte) (token.Certificate, int, bool) {
	var usable []token.Certificate
	best := 1
	for _, c := range certs {
		if id != nil && bytes.Equal(c.ID, id) {
			if !browsers.CanLogIn(c.Cert) {
				return c, env.Fail(&browsers.Error{Kind: browsers.KindNoClientAuth}), false
			}
			return c, 0, true
		}
		if id != nil || !c.HasPrivateKey || c.Expired || c.NotYetValid {
			continue
		}
		// An authentication certificate (clientAuth named) wins over one
		// merely not restricted, such as the signature certificate.
		switch sc := browsers.LoginScore(c.Cert); {
		case sc > best:
			best, usable = sc, []token.Certificate{c}
		case sc == best:
			usable = append(usable, c)
		}
	}
	if id != nil {
		return token.Certificate{}, env.Fail(&token.Error{Kind: token.KindCertNotFound}), false
	}
	switch len(usable) {
	case 0:
		return token.Certificate{}, env.fail(exitFailure, env.T("browsers.cli.no_cert")), false
	case 1:
		return usable[0], 0, true
	}
	in := func(c token.Certificate) bool {
		for _, u := range usable {
			if bytes.Equal(u.ID, c.ID) {
				return true
			}
		}
		return false
	}
	return token.Certificate{}, env.fail(exitUsage, env.T("browsers.cli.several_certs", map[string]any{"List": certList(env, certs, in)})), false
}

func addPEMCerts(pool *x509.CertPool, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	n := 0
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return err
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return errors.New("no PEM certificate")
	}
	return nil
}
