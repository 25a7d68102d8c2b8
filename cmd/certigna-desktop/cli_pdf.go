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

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/workflow"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/token"
)

func runSign(env *Env, args []string) int {
	fs := newFlagSet("sign")
	var out string
	fs.StringVar(&out, "o", "", "")
	fs.StringVar(&out, "output", "", "")
	slot := fs.Int("slot", -1, "")
	certID := fs.String("cert", "", "")
	reason := fs.String("reason", "", "")
	location := fs.String("location", "", "")
	contact := fs.String("contact", "", "")
	page := fs.Int("page", 0, "")
	force := fs.Bool("force", false, "")
	finalTry := fs.Bool("final-try", false, "")
	var lf workflow.LTVFlags // B-T, B-LT, visible stamp (docs/ltv.md)
	fs.StringVar(&lf.TSA, "tsa", "", "")
	fs.BoolVar(&lf.LTV, "ltv", false, "")
	fs.BoolVar(&lf.Visible, "visible", false, "")
	fs.StringVar(&lf.Rect, "rect", "", "")
	fs.StringVar(&lf.Corner, "corner", "", "")
	fs.BoolVar(&lf.AllowLower, "allow-bb", false, "")
	field := fs.String("field", "", "")    // the empty signature field to fill (pdfsign/fields.go)
	outDir := fs.String("out-dir", "", "") // several files: where the signed copies go (cli_batch.go)
	skipRefused := fs.Bool("skip-refused", false, "")
	pos, code, ok := parseFlags(env, fs, args)
	if !ok {
		return code
	}
	if len(pos) > 1 || *outDir != "" {
		if out != "" || *page < 0 {
			return env.fail(exitUsage, env.T("pdf.cli.sign_usage"))
		}
		opts := pdfsign.Options{Reason: *reason, Location: *location, ContactInfo: *contact, Page: *page, Lang: env.Lang, Field: *field}
		if err := lf.Apply(&opts); err != nil {
			return env.Fail(err)
		}
		return runSignBatch(env, batchArgs{ins: pos, outDir: *outDir, skipRefused: *skipRefused, opts: opts,
			slot: *slot, certID: *certID, finalTry: *finalTry})
	}
	if len(pos) != 1 {
		return env.fail(exitUsage, env.T("pdf.cli.sign_usage"))
	}
	in := pos[0]
	if out == "" {
		out = pdfsign.DefaultOutput(in)
	}
	if *page < 0 {
		return env.fail(exitUsage, env.T("pdf.cli.sign_usage"))
	}
	opts := pdfsign.Options{Reason: *reason, Location: *location, ContactInfo: *contact, Page: *page, Force: *force, Lang: env.Lang, Field: *field}
	if err := lf.Apply(&opts); err != nil {
		return env.Fail(err)
	}
	// Refuse a bad input or output before anyone types a PIN.
	if err := pdfsign.Check(in, out, opts); err != nil {
		return env.failCheck(err)
	}
	var id []byte
	if *certID != "" {
		var err error
		if id, err = hex.DecodeString(strings.TrimPrefix(strings.ReplaceAll(*certID, ":", ""), "0x")); err != nil {
			return env.fail(exitUsage, env.T("pdf.cli.bad_cert_id", map[string]any{"ID": *certID}))
		}
	}
	m, t, code, ok := env.openToken(*slot)
	if !ok {
		return code
	}
	defer m.Close()
	if id == nil {
		if id, code, ok = pickSigningCert(env, m, t); !ok {
			return code
		}
	}
	if opts.LTV && !opts.AllowLower {
		if err := checkLTVChain(m, t, id); err != nil { // cli_hostile.go
			return env.Fail(err)
		}
	}
	chain, code, ok := signingChain(env, m, t.Slot, id) // before the PIN: may go online (cli_batch.go)
	if !ok {
		return code
	}
	if code, ok := env.beforePIN(t.PIN, false, *finalTry); !ok {
		return code
	}
	// The copy and hash start now, while the PIN is typed (cli_early.go).
	o, code, done := signWithEarlyCopy(env, m, t, id, *finalTry, in, out, chain, opts)
	if done {
		return code
	}
	res, last, err := o.res, o.last, o.err
	if res != nil {
		fmt.Fprintln(env.Stdout, res.Output)
		if res.Warning != nil { // --allow-bb: saved below the level asked for
			fmt.Fprintln(env.Stderr, env.T("ltv.cli.lower_level", map[string]any{"Level": res.Level, "Err": assets.Message(res.Warning, env.Lang)}))
		}
	}
	if err != nil || last == nil {
		return env.Fail(err)
	}
	fmt.Fprintln(env.Stdout, signatureLine(env, *last))
	if !last.Valid {
		return exitFailure
	}
	return exitOK
}

// pickSigningCert chooses the certificate when --cert is not given: the only
// valid one that has a private key.
func pickSigningCert(env *Env, m *token.Module, t token.TokenInfo) ([]byte, int, bool) {
	certs, err := m.Certificates(t.Slot)
	if err != nil {
		return nil, env.Fail(err), false
	}
	var usable []token.Certificate
	for _, c := range certs {
		if c.HasPrivateKey && !c.Expired && !c.NotYetValid {
			usable = append(usable, c)
		}
	}
	switch len(usable) {
	case 0:
		return nil, env.Fail(&token.Error{Kind: token.KindNoPrivateKey}), false
	case 1:
		return usable[0].ID, 0, true
	}
	var list []string
	for _, c := range usable {
		list = append(list, fmt.Sprintf("%x (%s)", c.ID, c.SubjectCN))
	}
	return nil, env.fail(exitUsage, env.T("pdf.cli.several_certs", map[string]any{"List": strings.Join(list, ", ")})), false
}

// signatureLine is the one-line verdict on a signature.
func signatureLine(env *Env, s pdfsign.SignatureReport) string {
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
	case s.LaterChanges == pdfsign.ChangesSignatures:
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
	pos, code, ok := parseFlags(env, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return env.fail(exitUsage, env.T("pdf.cli.verify_usage"))
	}
	opts := pdfsign.VerifyOptions{}
	// Trust is reported against the system's roots; it never decides the
	// exit code.
	// The trust store: OS roots, the user's folder (pdfsign.DefaultTrustDir) and --trust.
	ts, err := pdfsign.NewTrustStore(true, pdfsign.DefaultTrustDir(), *trustDir)
	if err != nil {
		return env.Fail(err)
	}
	lists := pdfsign.CachedTrustedLists(pdfsign.TrustedListOptions{})
	if *refreshTL {
		var err error
		if lists, err = pdfsign.RefreshTrustedLists(context.Background(), pdfsign.TrustedListOptions{}); err != nil {
			fmt.Fprintln(env.Stderr, env.T("verify.tl.refresh_failed", map[string]any{"Err": err.Error()}))
		}
	}
	lists.AddTo(ts)
	opts.Roots = ts.Pool()
	rep, err := pdfsign.Verify(context.Background(), pos[0], opts)
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
		rep.File = pos[0]
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
