package actions

import (
	"strings"

	"github.com/certigna-desktop/app/assets"
)

// Words is the summary of a batch of total documents in lang, for the
// window and the CLI alike: real plurals ("1 document signé sur 3",
// "2 ignorés"), the counts that are zero left out.
func (s BatchSummary) Words(lang string, total int) string {
	parts := []string{assets.N(lang, "batch.sum.signed", s.Signed, map[string]any{"Total": total})}
	var rest []string
	for _, p := range []struct {
		key string
		n   int
	}{{"batch.sum.skipped", s.Skipped}, {"batch.sum.failed", s.Failed}, {"batch.sum.not_done", s.NotDone}} {
		if p.n > 0 {
			rest = append(rest, assets.N(lang, p.key, p.n))
		}
	}
	if len(rest) > 0 {
		sep := " ; "
		if lang == "en" {
			sep = "; "
		}
		parts = append(parts, strings.Join(rest, ", "))
		return strings.Join(parts, sep)
	}
	return parts[0]
}
