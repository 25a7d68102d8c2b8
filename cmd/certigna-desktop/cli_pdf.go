package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/trust"
	"github.com/certigna-desktop/app/pdfsign/verify"
	"github.com/certigna-desktop/app/token"
)

func runSign(env *Env, args []string) int {
	fs := newFlagSet("sign")
	var out string
	fs.StringVar(&out, "o", "", "")
	fs.StringVar(&out, "output", "", "")
	slot := fs.Int("slot", -1, "")
	certID := fs.String("cert", "", "")
	var so actions.SignOptions // the choices the window makes too (actions/options.go)
	fs.StringVar(&so.Reason, "reason", "", "")
	fs.StringVar(&so.Location, "location", "", "")
	fs.StringVar(&so.ContactInfo, "contact", "", "")
	fs.IntVar(&so.Page, "page", 0, "")
	fs.BoolVar(&so.Force, "force", false, "")
	finalTry := fs.Bool("final-try", false, "")
	// B-T, B-LT, visible stamp (docs/ltv.md)
	fs.StringVar(&so.TSAURL, "tsa", "", "")
	fs.BoolVar(&so.LTV, "ltv", false, "")
	fs.BoolVar(&so.Visible, "visible", false, "")
	fs.StringVar(&so.Rect, "rect", "", "")
	fs.StringVar(&so.StampCorner, "corner", "", "")
	fs.BoolVar(&so.AllowLower, "allow-bb", false, "")
	// send the TSA password over plain http:// (readable on the network)
	fs.BoolVar(&so.HTTPCredentials, "tsa-http-credentials", false, "")
	fs.StringVar(&so.Field, "field", "", "") // the empty signature field to fill (pdfsign/fields.go)
	outDir := fs.String("out-dir", "", "")   // several files: where the signed copies go (cli_batch.go)
	skipRefused := fs.Bool("skip-refused", false, "")
	pos, code, ok := parseFlags(env, fs, args)
	if !ok {
		return code
	}
	so.Lang = env.Lang
	if so.Page < 0 || len(pos) == 0 {
		return env.fail(exitUsage, env.T("pdf.cli.sign_usage"))
	}
	if len(pos) > 1 || *outDir != "" {
		if out != "" {
			return env.fail(exitUsage, env.T("pdf.cli.sign_usage"))
		}
		if _, err := so.Options(pos[0]); err != nil {
			return env.Fail(err) // a typo in the options: said once, before the files
		}
		return runSignBatch(env, batchArgs{ins: pos, outDir: *outDir, skipRefused: *skipRefused, so: so,
			slot: *slot, certID: *certID, finalTry: *finalTry})
	}
	in := pos[0]
	if out == "" {
		out = sign.DefaultOutput(in)
	}
	opts, err := so.Options(in)
	if err != nil {
		return env.Fail(err)
	}
	// The driver's worker starts while the input is checked (cli_token.go),
	// and so do the copy and hash of the input: most of a big file's time,
	// none of it the token's (sign/ahead.go). Sign takes the copy; a copy
	// no signature takes is removed.
	env.discoverSoon()
	defer env.dropEarly()
	ahead := sign.CopyAhead(context.Background(), in, out, opts)
	defer ahead.Discard()
	opts.Ahead = ahead
	// Refuse a bad input or output before anyone types a PIN.
	if err := sign.Check(in, out, opts); err != nil {
		return env.failCheck(err)
	}
	m, t, id, p, code, ok := env.beforeSignPIN(*slot, *certID, so, *finalTry)
	if !ok {
		return code
	}
	defer m.Close()
	// The copy and hash start now, while the PIN is typed (cli_early.go).
	o, code, done := signWithEarlyCopy(env, m, t, id, *finalTry, in, out, p.Chain, opts)
	if done {
		return code
	}
	if s := o.signed; s != nil && s.Result != nil {
		res := s.Result
		fmt.Fprintln(env.Stdout, res.Output)
		if res.Warning != nil && o.err == nil { // --allow-bb: saved below the level asked for
			fmt.Fprintln(env.Stderr, env.T("ltv.cli.lower_level", map[string]any{"Level": res.Level, "Err": assets.Message(res.Warning, env.Lang)}))
		}
	}
	if pe := (*sign.PendingError)(nil); errors.As(o.err, &pe) {
		// Signed and kept below the level asked for: the exit code says the
		// level was not reached, the message how to finish without the PIN.
		if o.signed != nil && o.signed.Last != nil {
			fmt.Fprintln(env.Stdout, signatureLine(env, *o.signed.Last))
		}
		code := env.Fail(o.err)
		fmt.Fprintln(env.Stderr, finishHint(env, pe, so.TSAURL))
		return code
	}
	if o.err != nil || o.signed == nil || o.signed.Last == nil {
		return env.Fail(o.err)
	}
	fmt.Fprintln(env.Stdout, signatureLine(env, *o.signed.Last))
	if !o.signed.Valid() {
		return env.Fail(&actions.NotValidError{Signed: o.signed})
	}
	return exitOK
}

// beforeSignPIN is what both sign verbs do before the PIN: the token
// opened, the certificate named or chosen, the signature prepared (which
// may go online, cli_batch.go), the PIN state checked. When ok the caller
// closes m.
func (env *Env) beforeSignPIN(slot int, certID string, so actions.SignOptions, finalTry bool) (*token.Module, token.TokenInfo, []byte, actions.Prepared, int, bool) {
	fail := func(code int) (*token.Module, token.TokenInfo, []byte, actions.Prepared, int, bool) {
		return nil, token.TokenInfo{}, nil, actions.Prepared{}, code, false
	}
	m, t, code, ok := env.openToken(slot)
	if !ok {
		return fail(code)
	}
	id, code, ok := signingCertArg(env, m, t, certID)
	if !ok {
		m.Close()
		return fail(code)
	}
	p, code, ok := env.prepare(m, t.Slot, id, so)
	if !ok {
		m.Close()
		return fail(code)
	}
	if code, ok := env.beforePIN(t.PIN, false, finalTry); !ok {
		m.Close()
		return fail(code)
	}
	return m, t, id, p, 0, true
}

// certByArg is the ID of the certificate --cert names among certs: its
// name as "status" and the window show it ("Certificat de signature",
// whatever the case or apostrophe), or its ID in hex (colons and 0x
// allowed; an ID the token lacks is refused later, as before); nil for "".
func certByArg(env *Env, certs []token.Certificate, s string) ([]byte, int, bool) {
	if s == "" {
		return nil, 0, true
	}
	fold := func(x string) string { return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(x), "’", "'")) }
	names := certNames(env, certs)
	for i, n := range names {
		if fold(n) == fold(s) {
			return certs[i].ID, 0, true
		}
	}
	id, err := hex.DecodeString(strings.TrimPrefix(strings.ReplaceAll(s, ":", ""), "0x"))
	if err != nil {
		return nil, env.fail(exitUsage, env.T("pdf.cli.bad_cert_id", map[string]any{"ID": s, "List": certList(env, certs, nil)})), false
	}
	return id, 0, true
}

// certNames are the certificates' names, as the window shows them.
func certNames(env *Env, certs []token.Certificate) []string {
	return actions.CertNames(actions.CertInfosOf(certs), env.Lang)
}

// certList lists the certificates of only (all when nil) for a message:
// each name, then its holder and ID.
func certList(env *Env, certs []token.Certificate, only func(token.Certificate) bool) string {
	var list []string
	for i, n := range certNames(env, certs) {
		if c := certs[i]; only == nil || only(c) {
			list = append(list, env.T("token.cli.cert_choice", map[string]any{"Name": n, "CN": c.SubjectCN, "ID": fmt.Sprintf("%x", c.ID)}))
		}
	}
	return strings.Join(list, ", ")
}

// signingCertArg is the certificate a signature uses: the one --cert names,
// else the only one that can sign.
func signingCertArg(env *Env, m *token.Module, t token.TokenInfo, arg string) ([]byte, int, bool) {
	if arg == "" {
		return pickSigningCert(env, m, t)
	}
	certs, err := m.Certificates(t.Slot)
	if err != nil {
		return nil, env.Fail(err), false
	}
	return certByArg(env, certs, arg)
}

// pickSigningCert chooses the certificate when --cert is not given: the only
// valid one that has a private key.
func pickSigningCert(env *Env, m *token.Module, t token.TokenInfo) ([]byte, int, bool) {
	certs, err := m.Certificates(t.Slot)
	if err != nil {
		return nil, env.Fail(err), false
	}
	can := func(c token.Certificate) bool { return c.HasPrivateKey && !c.Expired && !c.NotYetValid }
	var usable []token.Certificate
	for _, c := range certs {
		if can(c) {
			usable = append(usable, c)
		}
	}
	switch len(usable) {
	case 0:
		return nil, env.Fail(&token.Error{Kind: token.KindNoPrivateKey}), false
	case 1:
		return usable[0].ID, 0, true
	}
	return nil, env.fail(exitUsage, env.T("pdf.cli.several_certs", map[string]any{"List": certList(env, certs, can)})), false
}

// signatureLine is the one-line verdict on a signature.
func signatureLine(env *Env, s verify.SignatureReport) string {
	data := map[string]any{
		"Field": s.Field, "CN": s.SignerCN, "Level": s.Level, "Hash": s.Hash,
		"Time": s.SigningTime.Local().Format(time.DateTime),
	}
	// A signature without /M has no claimed time, one outside PAdES no
	// level: say so rather than print "0001-01-01" or "(, SHA-256)".
	if s.SigningTime.IsZero() {
		data["Time"] = env.T("hostile.cli.no_date")
	}
	if s.Level == "" {
		data["Level"] = env.T("hostile.cli.no_level")
	}
	if s.Hash == "" {
		data["Hash"] = "?"
	}
	switch {
	case !s.Valid:
		var why []string
		for _, p := range s.Problems {
			if p.Severity == "error" {
				why = append(why, p.Message(env.Lang))
			}
		}
		data["Why"] = strings.Join(why, " ")
		return env.T("pdf.cli.sig_invalid", data)
	case s.CoversWholeDocument:
		return env.T("pdf.cli.sig_valid_whole", data)
	case s.LaterChanges == verify.ChangesSignatures:
		return env.T("pdf.cli.sig_valid_revision", data)
	default:
		return env.T("pdf.cli.sig_valid_modified", data)
	}
}

func runVerify(env *Env, args []string) int {
	fs := newFlagSet("verify")
	asJSON := fs.Bool("json", false, "")
	trustDir := fs.String("trust", "", "")           // extra trusted certificates: a PEM/DER file or a folder
	refreshTL := fs.Bool("trusted-lists", false, "") // download the EU trusted lists first (else the cached copy)
	signedVersion := fs.Int("signed-version", 0, "") // write revision N (what its signer saw) to -o
	out := fs.String("o", "", "")
	force := fs.Bool("force", false, "")
	pos, code, ok := parseFlags(env, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 || (*signedVersion != 0) != (*out != "") {
		return env.fail(exitUsage, env.T("pdf.cli.verify_usage"))
	}
	if *signedVersion != 0 {
		if err := verify.SignedVersion(pos[0], *out, *signedVersion, *force); err != nil {
			return env.Fail(err)
		}
		fmt.Fprintln(env.Stdout, env.T("pdf.cli.signed_version_saved", map[string]any{"N": *signedVersion, "Out": pdfsign.SafeText(*out, pdfsign.MaxTextRunes)}))
		return exitOK
	}
	opts := verify.Options{}
	// Trust is reported against the system's roots; it never decides the
	// exit code.
	// The trust store: OS roots, the user's folder (trust.DefaultDir) and --trust.
	ts, err := trust.NewStore(true, trust.DefaultDir(), *trustDir)
	if err != nil {
		return env.Fail(err)
	}
	lists := trust.CachedTrustedLists(trust.TrustedListOptions{})
	if *refreshTL {
		var err error
		if lists, err = trust.RefreshTrustedLists(context.Background(), trust.TrustedListOptions{}); err != nil {
			fmt.Fprintln(env.Stderr, env.T("verify.tl.refresh_failed", map[string]any{"Err": assets.Message(err, env.Lang)}))
		}
	}
	lists.AddTo(ts)
	opts.Roots = ts.Pool()
	rep, err := verify.Verify(context.Background(), pos[0], opts)
	if rep != nil {
		rep.TrustedLists = lists.Status
	}
	if err != nil {
		var pe *pdfsign.Error
		if *asJSON && errors.As(err, &pe) && pe.Kind == pdfsign.KindNoSignature && rep != nil {
			printJSON(env, rep)
		}
		return env.Fail(err)
	}
	if *asJSON {
		printJSON(env, rep)
	} else {
		rep.File = pdfsign.SafeText(pos[0], pdfsign.MaxTextRunes)
		printVerifyText(env, rep)
	}
	if !rep.OK {
		return exitFailure
	}
	return exitOK
}

func printJSON(env *Env, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.Encode(v)
	env.Stdout.Write(b.Bytes())
}
