package assets

import (
	"regexp"
	"strings"
	"testing"
)

// Every French string the app can show (window, CLI, errors): real plurals,
// no raw certificate name, French quotation marks held to their words, one
// vocabulary for the codes (docs/glossary.md), no English words.
func TestFrenchWording(t *testing.T) {
	cat, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	fr := cat["fr"]
	if len(fr) < 500 {
		t.Fatalf("%d French strings: the catalog did not load", len(fr))
	}
	rules := []struct {
		what string
		bad  *regexp.Regexp
	}{
		{"a fixed plural “(s)”: use N(…) with .one/.other", regexp.MustCompile(`\(e?s\)`)},
		{"a raw certificate name (CN=…): say the holder in words", regexp.MustCompile(`\b(CN|OU|DC|O|C)=[^ ]`)},
		{"« without a no-break space after it", regexp.MustCompile(`«[^\x{00a0}\x{202f}]`)},
		{"» without a no-break space before it", regexp.MustCompile(`[^\x{00a0}\x{202f}]»`)},
		{"another name for a code (glossary: code de déverrouillage, code PIN, code administrateur)",
			regexp.MustCompile(`(?i)code PIN de déverrouillage|code de déblocage|code d’activation|mot de passe du token|\bPIN de déverrouillage`)},
		{"“jeton” (the glossary says token)", regexp.MustCompile(`(?i)\bjetons?\b`)},
		{"English in French", regexp.MustCompile(`\b(the|and|with|please|file|files|not found|failed|Error|Cancel|Open|Choose|Save|Home|Computer|Stopped|signed|skipped|unlock|driver)\b`)},
	}
	// option names are the command line's, in English on purpose
	option := regexp.MustCompile(`--[a-z][a-z-]*`)
	n := 0
	for k, v := range fr {
		v = option.ReplaceAllString(v, "--option")
		for _, r := range rules {
			if r.bad.MatchString(v) {
				t.Errorf("%s: %s: %q", k, r.what, v)
				n++
			}
		}
	}
	// the rules catch what they are for
	for _, s := range []string{"2 document(s)", "CN=Jean,O=X", "« mot »", "code de déblocage", "le jeton", "file not found"} {
		hit := false
		for _, r := range rules {
			hit = hit || r.bad.MatchString(s)
		}
		if !hit {
			t.Errorf("no rule catches %q", s)
		}
	}
	if strings.Contains(T("fr", "ui.batch.summary", map[string]any{"Parts": "x"}), "(s)") {
		t.Error("batch summary with (s)")
	}
}

// Plurals through N: French singular for 0 and 1, English for 1 only.
func TestPluralHelper(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{{"fr", 0, "0 fichier non tenté"}, {"fr", 1, "1 fichier non tenté"}, {"fr", 2, "2 fichiers non tentés"},
		{"en", 0, "0 files not tried"}, {"en", 1, "1 file not tried"}, {"en", 3, "3 files not tried"}} {
		if got := N(c.lang, "actions.batch_token_stopped", c.n); !strings.Contains(got, c.want) {
			t.Errorf("%s %d: %q", c.lang, c.n, got)
		}
	}
}
