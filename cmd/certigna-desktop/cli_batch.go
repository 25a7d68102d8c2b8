package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/token"
)

// prepare is every check before the PIN that needs the token's public
// objects (actions.Prepare): the chain to embed, completed (it may go
// online; an incomplete chain is a warning on stderr, not a refusal), and,
// for B-LT, a chain without revocation servers refused.
func (e *Env) prepare(m *token.Module, slot uint, id []byte, so actions.SignOptions) (actions.Prepared, int, bool) {
	leaf, others, err := actions.TokenCertificates(m, slot, id)
	if err != nil {
		return actions.Prepared{}, e.Fail(err), false
	}
	p, err := actions.Prepare(context.Background(), leaf, others, so)
	if err != nil {
		return p, e.Fail(err), false
	}
	if p.ChainWarning != nil {
		fmt.Fprintln(e.Stderr, e.T("sign.cli.warning", map[string]any{"Msg": assets.Message(p.ChainWarning, e.Lang)}))
	}
	return p, 0, true
}

type batchArgs struct {
	ins         []string
	outDir      string
	skipRefused bool
	so          actions.SignOptions
	slot        int
	certID      string
	finalTry    bool
}

// runSignBatch signs several files with one PIN (actions/batch.go):
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
	items := actions.PlanBatch(a.ins, actions.Beside(a.outDir, "-signed"), a.so)
	var refused []*actions.BatchItem
	for _, it := range items {
		if it.Refused != nil {
			refused = append(refused, it)
		}
	}
	if len(refused) > 0 {
		fmt.Fprintln(env.Stderr, assets.N(env.Lang, "sign.cli.will_skip", len(refused), map[string]any{"Total": len(items)}))
		hint := false
		for _, it := range refused {
			fmt.Fprintln(env.Stderr, "  - "+assets.Message(it.Refused, env.Lang))
			var pe *pdfsign.Error
			hint = hint || errors.As(it.Refused, &pe) && (pe.Kind == sign.KindFieldChoice || pe.Kind == sign.KindFieldNotFound)
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
	m, t, id, p, code, ok := env.beforeSignPIN(a.slot, a.certID, a.so, a.finalTry)
	if !ok {
		return code
	}
	defer m.Close()
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
	ctx, stop := interruptContext() // Ctrl-C is ours here (cli_signals.go)
	defer stop()
	sum := actions.SignBatch(ctx, items, signer, p.Chain, func(i, n int, it *actions.BatchItem) {
		fmt.Fprintln(env.Stderr, env.T("sign.cli.progress", map[string]any{"I": i, "N": n, "File": it.In}))
	})
	return batchReport(env, items, sum)
}

// batchReport prints each output (stdout), each failure, the summary
// (stderr), and returns the exit code: 0 when every file not skipped was
// signed.
func batchReport(env *Env, items []*actions.BatchItem, sum actions.BatchSummary) int {
	var lines []string
	for _, it := range items {
		switch {
		case it.Refused != nil:
		case it.Err != nil:
			fmt.Fprintln(env.Stderr, env.T("cli.error", map[string]any{"Err": it.In + ": " + assets.Message(it.Err, env.Lang)}))
			if pe := (*sign.PendingError)(nil); errors.As(it.Err, &pe) { // signed and kept: how to finish it
				fmt.Fprintln(env.Stderr, "  "+finishHint(env, pe, it.Options.TSAURL))
			}
		case it.Signed != nil && it.Signed.Result != nil:
			res := it.Signed.Result
			fmt.Fprintln(env.Stdout, res.Output)
			if res.Warning != nil {
				fmt.Fprintln(env.Stderr, env.T("ltv.cli.lower_level", map[string]any{"Level": res.Level, "Err": assets.Message(res.Warning, env.Lang)}))
			}
			lines = append(lines, env.T("sign.cli.signed_line", map[string]any{"In": it.In, "Out": res.Output}))
		}
	}
	fmt.Fprintln(env.Stderr, env.T("sign.cli.summary", map[string]any{"Parts": sum.Words(env.Lang, len(items))}))
	for _, l := range lines {
		fmt.Fprintln(env.Stderr, "  "+l)
	}
	if sum.TokenFailed && sum.NotDone > 0 {
		fmt.Fprintln(env.Stderr, assets.N(env.Lang, "actions.batch_token_stopped", sum.NotDone))
	}
	switch {
	case sum.FirstErr != nil:
		env.hint(sum.FirstErr)
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

// failCheck is Fail for a refusal of sign.Check, with the CLI's hint
// when the field to sign must be named.
func (e *Env) failCheck(err error) int {
	code := e.Fail(err)
	var pe *pdfsign.Error
	if errors.As(err, &pe) && (pe.Kind == sign.KindFieldChoice || pe.Kind == sign.KindFieldNotFound) {
		fmt.Fprintln(e.Stderr, e.T("sign.cli.field_hint"))
	}
	return code
}
