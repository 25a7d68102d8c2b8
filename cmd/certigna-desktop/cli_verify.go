package main

import (
	"fmt"
	"time"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/pdfsign/trust"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// printVerifyText writes the verify verdict for people: per signature a
// headline (who, when, outcome), then the four answers, the level and the
// timestamps, then what changed after it, revision by revision.
func printVerifyText(env *Env, rep *verify.Report) {
	fmt.Fprintln(env.Stdout, env.T("pdf.cli.verify_header", map[string]any{"File": rep.File,
		"Signatures": assets.N(env.Lang, "pdf.cli.signatures", len(rep.Signatures)),
		"Revisions":  assets.N(env.Lang, "pdf.cli.revisions", rep.Revisions)}))
	if rep.TrustedLists != "" {
		fmt.Fprintln(env.Stdout, "  "+env.T("verify.tl."+rep.TrustedLists))
	}
	for _, s := range rep.Signatures {
		fmt.Fprintln(env.Stdout, "- "+s.Headline(env.Lang))
		var lines []string
		if s.Type == "signature" {
			lines = append(lines, s.Answers(env.Lang)...)
		} else {
			lines = append(lines, s.Answers(env.Lang)[:3]...)
		}
		if s.Level != "" {
			lines = append(lines, env.T("verify.level", map[string]any{"Level": s.Level}))
		}
		if s.DocMDP > 0 {
			lines = append(lines, env.T("verify.certified", map[string]any{"Allowed": env.T(fmt.Sprintf("verify.docmdp.%d", s.DocMDP))}))
		}
		if s.Trust == verify.TrustUntrusted && s.LTV != nil && s.LTV.TrustReason != "" {
			lines = append(lines, trust.Verdict{Reason: s.LTV.TrustReason, Detail: s.TrustError}.Message(env.Lang))
		}
		if s.LTV != nil && s.LTV.TimestampOK {
			lines = append(lines, env.T("ltv.cli.timestamp", map[string]any{"Time": s.LTV.Timestamp.Local().Format(time.DateTime), "TSA": s.LTV.TimestampTSA}))
		}
		for _, a := range s.ArchiveTimestamps {
			lines = append(lines, env.T("verify.archive_timestamp", map[string]any{"Time": a.Time.Local().Format(time.DateTime), "TSA": a.TSA}))
		}
		lines = append(lines, s.RevisionLines(env.Lang)...)
		for _, p := range s.Problems {
			switch p.Code {
			case "untrusted", "later_signatures", "changes_allowed", "modified_after", "changes_docmdp", "changes_fieldmdp":
				continue // said by the answers above
			}
			lines = append(lines, p.Message(env.Lang))
		}
		for _, l := range lines {
			fmt.Fprintln(env.Stdout, "    "+l)
		}
	}
}
