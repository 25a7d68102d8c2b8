package main

import (
	"errors"
	"fmt"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// finish: a signature kept at B-B (the TSA failed after the token signed)
// or at B-T (the revocation servers failed) gets its timestamp and/or its
// DSS later, without the token or the PIN (sign.Finish).

func runFinish(env *Env, args []string) int {
	fs := newFlagSet("finish")
	var out string
	fs.StringVar(&out, "o", "", "")
	fs.StringVar(&out, "output", "", "")
	force := fs.Bool("force", false, "")
	var so actions.SignOptions // the options the file was signed with, as for sign
	fs.StringVar(&so.TSAURL, "tsa", "", "")
	fs.BoolVar(&so.LTV, "ltv", false, "")
	fs.BoolVar(&so.HTTPCredentials, "tsa-http-credentials", false, "")
	pos, code, ok := parseFlags(env, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 || (so.TSAURL == "" && !so.LTV) {
		return env.fail(exitUsage, env.T("finish.cli.usage"))
	}
	so.Lang, so.Force = env.Lang, *force
	ctx, stop := interruptContext() // Ctrl-C is ours here (cli_signals.go)
	defer stop()
	res, signed, err := actions.Finish(ctx, pos[0], out, so)
	var last *verify.SignatureReport
	if signed != nil {
		last = signed.Last
	}
	if res != nil && !res.Timestamped && !res.DSS && err == nil {
		fmt.Fprintln(env.Stdout, env.T("finish.cli.nothing", map[string]any{"File": res.Output, "Level": res.Level}))
		return exitOK
	}
	if res != nil {
		fmt.Fprintln(env.Stdout, env.T("finish.cli.done", map[string]any{"File": res.Output, "Level": res.Level}))
		if last != nil {
			fmt.Fprintln(env.Stdout, signatureLine(env, *last))
		}
	}
	if err != nil {
		code := env.Fail(err)
		if pe := (*sign.PendingError)(nil); errors.As(err, &pe) {
			fmt.Fprintln(env.Stderr, finishHint(env, pe, ""))
		}
		return code
	}
	return exitOK
}

// finishHint is the command that completes a kept signature later.
func finishHint(env *Env, pe *sign.PendingError, tsaURL string) string {
	tsa := ""
	if pe.TSA {
		tsa = tsaURL
	}
	return env.T("finish.cli.hint", map[string]any{"File": pe.Output, "TSA": tsa, "LTV": pe.LTV})
}
