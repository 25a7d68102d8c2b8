package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/workflow"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/token"
	"golang.org/x/term"
)

// signingChain is the certificate chain to embed for the key id: the
// token's CA objects, else the AIA caIssuers downloads, else the shipped CA
// certificates (pdfsign.CompleteChain). It runs before the PIN is asked; an
// incomplete chain is a warning on stderr, not a refusal.
func signingChain(env *Env, m *token.Module, slot uint, id []byte) ([]*x509.Certificate, int, bool) {
	certs, err := m.Certificates(slot)
	if err != nil {
		return nil, env.Fail(err), false
	}
	var leaf *x509.Certificate
	var others []*x509.Certificate
	for _, c := range certs {
		if leaf == nil && bytes.Equal(c.ID, id) {
			leaf = c.Cert
		} else {
			others = append(others, c.Cert)
		}
	}
	if leaf == nil {
		return nil, 0, true // the signer reports the missing certificate
	}
	chain, warn := pdfsign.CompleteChain(context.Background(), leaf, others, pdfsign.ChainOptions{})
	if warn != nil {
		fmt.Fprintln(env.Stderr, env.T("sign.cli.warning", map[string]any{"Msg": assets.Message(warn, env.Lang)}))
	}
	return chain, 0, true
}

type batchArgs struct {
	ins         []string
	outDir      string
	skipRefused bool
	opts        pdfsign.Options
	slot        int
	certID      string
	finalTry    bool
}

// runSignBatch signs several files with one PIN (internal/workflow/batch.go):
// every file is checked first (nothing of the PIN is spent on a batch we
// would partly refuse unless the person agrees to skip those files), then
// one login for the whole batch, a progress line per file, Ctrl-C stops
// before the next file (each file is written whole or not at all), and a
// summary.
func runSignBatch(env *Env, a batchArgs) int {
	if a.outDir != "" {
		if st, err := os.Stat(a.outDir); err != nil || !st.IsDir() {
			return env.fail(exitUsage, env.T("sign.cli.bad_out_dir", map[string]any{"Dir": a.outDir}))
		}
	}
	items := workflow.PlanBatch(a.ins, a.outDir, a.opts)
	var refused []*workflow.BatchItem
	for _, it := range items {
		if it.Refused != nil {
			refused = append(refused, it)
		}
	}
	if len(refused) > 0 {
		fmt.Fprintln(env.Stderr, env.T("sign.cli.will_skip", map[string]any{"N": len(refused), "Total": len(items)}))
		hint := false
		for _, it := range refused {
			fmt.Fprintln(env.Stderr, "  - "+assets.Message(it.Refused, env.Lang))
			var pe *pdfsign.Error
			hint = hint || errors.As(it.Refused, &pe) && (pe.Kind == pdfsign.KindFieldChoice || pe.Kind == pdfsign.KindFieldNotFound)
		}
		if hint {
			fmt.Fprintln(env.Stderr, env.T("sign.cli.field_hint"))
		}
		if len(refused) == len(items) {
			return exitCode(refused[0].Refused)
		}
		if !a.skipRefused && !env.confirm(env.T("sign.cli.skip_prompt", map[string]any{"N": len(items) - len(refused)})) {
			fmt.Fprintln(env.Stderr, env.T("sign.cli.nothing_signed"))
			return exitCode(refused[0].Refused)
		}
	}
	var id []byte
	if a.certID != "" {
		var err error
		if id, err = hex.DecodeString(strings.TrimPrefix(strings.ReplaceAll(a.certID, ":", ""), "0x")); err != nil {
			return env.fail(exitUsage, env.T("pdf.cli.bad_cert_id", map[string]any{"ID": a.certID}))
		}
	}
	m, t, code, ok := env.openToken(a.slot)
	if !ok {
		return code
	}
	defer m.Close()
	if id == nil {
		if id, code, ok = pickSigningCert(env, m, t); !ok {
			return code
		}
	}
	chain, code, ok := signingChain(env, m, t.Slot, id)
	if !ok {
		return code
	}
	if code, ok := env.beforePIN(t.PIN, false, a.finalTry); !ok {
		return code
	}
	codes, code, ok := env.readSecrets(env.T("pdf.cli.prompt_pin", map[string]any{"Label": t.Label}))
	if !ok {
		return code
	}
	// One login for the whole batch.
	signer, err := m.Signer(t.Slot, id, codes[0], a.finalTry)
	codes[0] = ""
	if err != nil {
		return env.Fail(err)
	}
	defer signer.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sum := workflow.SignBatch(ctx, items, signer, chain, a.opts, func(i, n int, it *workflow.BatchItem) {
		fmt.Fprintln(env.Stderr, env.T("sign.cli.progress", map[string]any{"I": i, "N": n, "File": it.In}))
	})
	return batchReport(env, items, sum)
}

// batchReport prints each output (stdout), each failure, the summary
// (stderr), and returns the exit code: 0 when every file not skipped was
// signed.
func batchReport(env *Env, items []*workflow.BatchItem, sum workflow.BatchSummary) int {
	var lines []string
	for _, it := range items {
		switch {
		case it.Refused != nil:
		case it.Err != nil:
			fmt.Fprintln(env.Stderr, env.T("cli.error", map[string]any{"Err": it.In + ": " + assets.Message(it.Err, env.Lang)}))
		case it.Result != nil:
			fmt.Fprintln(env.Stdout, it.Result.Output)
			if it.Result.Warning != nil {
				fmt.Fprintln(env.Stderr, env.T("ltv.cli.lower_level", map[string]any{"Level": it.Result.Level, "Err": assets.Message(it.Result.Warning, env.Lang)}))
			}
			lines = append(lines, env.T("sign.cli.signed_line", map[string]any{"In": it.In, "Out": it.Result.Output}))
		}
	}
	fmt.Fprintln(env.Stderr, env.T("sign.cli.summary", map[string]any{"Signed": sum.Signed, "Total": len(items), "Skipped": sum.Skipped,
		"Failed": sum.Failed, "NotDone": sum.NotDone}))
	for _, l := range lines {
		fmt.Fprintln(env.Stderr, "  "+l)
	}
	switch {
	case sum.FirstErr != nil:
		return exitCode(sum.FirstErr)
	case sum.Canceled:
		fmt.Fprintln(env.Stderr, env.T("sign.cli.cancelled"))
		return exitFailure
	}
	return exitOK
}

// confirm asks a yes/no question on a terminal; anywhere else it is "no"
// (scripts say --skip-refused).
func (e *Env) confirm(question string) bool {
	f, ok := e.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false
	}
	fmt.Fprint(e.Stderr, question+" ")
	line, _ := readOneLine(e.Stdin)
	switch strings.ToLower(strings.TrimSpace(string(line))) {
	case "o", "oui", "y", "yes":
		return true
	}
	return false
}

// failCheck is Fail for a refusal of pdfsign.Check, with the CLI's hint
// when the field to sign must be named.
func (e *Env) failCheck(err error) int {
	code := e.Fail(err)
	var pe *pdfsign.Error
	if errors.As(err, &pe) && (pe.Kind == pdfsign.KindFieldChoice || pe.Kind == pdfsign.KindFieldNotFound) {
		fmt.Fprintln(e.Stderr, e.T("sign.cli.field_hint"))
	}
	return code
}
