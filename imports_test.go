package certigna

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// The import table of docs/ARCHITECTURE.md, checked on what the packages
// really import (go list, product code only: tests may import test
// helpers). Data flows module → slot → token → signer → PDF; the front
// ends (ui, cmd) call the application layer (actions); nothing imports
// upward.

const mod = "github.com/certigna-desktop/app"

// allowed lists, for each package of the module, the packages of the module
// it may import. A package missing from the table is an error: a new
// package gets its row (and its line in ARCHITECTURE.md).
var allowed = map[string][]string{
	"":                     {},
	"cmd/certigna-desktop": {"*"}, // main: flags and printing over everything
	"ui":                   {"actions", "assets", "browsers", "internal/settings", "internal/support", "internal/reminder"},
	"actions":              {"pdfsign", "pdfsign/sign", "pdfsign/verify", "pdfsign/trust", "token", "browsers", "render", "assets"},
	// pdfsign: the base both jobs share, what only they use (opening a
	// document, paths, errors: pdfsign/internal/doc; the PKI primitives:
	// pdfsign/internal/pki); trust under verify under sign
	"pdfsign":              {"internal/pdf", "assets"},
	"pdfsign/internal/doc": {"pdfsign", "internal/pdf", "assets"},
	"pdfsign/internal/pki": {"pdfsign", "pdfsign/internal/doc", "internal/pdf", "internal/cms", "internal/chain"},
	"pdfsign/trust":        {"pdfsign", "pdfsign/internal/doc", "assets"},
	"pdfsign/verify": {"pdfsign", "pdfsign/internal/doc", "pdfsign/internal/pki", "pdfsign/trust", "internal/pdf", "internal/cms",
		"render", "assets"},
	"pdfsign/sign": {"pdfsign", "pdfsign/internal/doc", "pdfsign/internal/pki", "pdfsign/verify", "pdfsign/trust", "internal/pdf",
		"internal/cms", "internal/chain", "assets", "internal/testhook", "internal/tempfiles"},
	"token":              {"assets", "internal/chain"},
	"browsers":           {"assets"},
	"render":             {},
	"assets":             {},
	"internal/pdf":       {},
	"internal/cms":       {},
	"internal/settings":  {},
	"internal/support":   {"assets"},
	"internal/reminder":  {"internal/settings"},
	"internal/update":    {},
	"internal/instance":  {},
	"internal/localefix": {},
	"internal/testhook":  {},
	"internal/tempfiles": {},
	"internal/chain":     {},
	// test helpers: never imported by product code (checked below)
	"internal/hostile":         {},
	"internal/oddpdf":          {},
	"internal/oddpdf/gen":      {"internal/oddpdf"},
	"internal/testpdf":         {"internal/pdf"},
	"internal/testtool":        {},
	"internal/testtoken":       {"internal/testtool"},
	"internal/pkitest":         {"internal/testtool"},
	"internal/refcheck":        {"internal/pdf"},
	"pdfsign/internal/pdftest": {"pdfsign", "pdfsign/internal/doc", "pdfsign/verify", "internal/pdf", "internal/pkitest", "internal/refcheck", "internal/testhook", "internal/testtool"},
	// leaves: commands for developers and benchmarks
	"tools/*": {"*"},
	"bench/*": {"*"},
}

// testOnly are packages product code must not import.
var testOnly = []string{"internal/hostile", "internal/oddpdf", "internal/testpdf", "internal/testtool", "internal/testtoken",
	"internal/pkitest", "internal/refcheck", "pdfsign/internal/pdftest"}

// checkImports returns the broken rules of graph (package → its imports,
// both relative to the module).
func checkImports(graph map[string][]string) []string {
	var bad []string
	rule := func(p string) ([]string, bool) {
		if r, ok := allowed[p]; ok {
			return r, true
		}
		if i := strings.Index(p, "/"); i > 0 {
			if r, ok := allowed[p[:i]+"/*"]; ok {
				return r, true
			}
		}
		return nil, false
	}
	for p, imps := range graph {
		r, ok := rule(p)
		if !ok {
			bad = append(bad, p+": not in the import table")
			continue
		}
		for _, i := range imps {
			switch {
			case strings.HasPrefix(i, "cmd/"), strings.HasPrefix(i, "tools/"), strings.HasPrefix(i, "bench/"):
				bad = append(bad, p+" → "+i+": nothing imports a command")
			case contains(testOnly, i) && !contains(testOnly, p) && !strings.HasPrefix(p, "tools/") && !strings.HasPrefix(p, "bench/") && !strings.HasPrefix(p, "internal/oddpdf"):
				bad = append(bad, p+" → "+i+": a test helper in product code")
			case !contains(r, "*") && !contains(r, i):
				bad = append(bad, p+" → "+i)
			}
		}
	}
	sort.Strings(bad)
	return bad
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestImportTable(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	graph := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		p := strings.TrimPrefix(strings.TrimPrefix(f[0], mod), "/")
		graph[p] = nil
		for _, i := range f[1:] {
			if i == mod || strings.HasPrefix(i, mod+"/") {
				graph[p] = append(graph[p], strings.TrimPrefix(strings.TrimPrefix(i, mod), "/"))
			}
		}
	}
	if len(graph) < 20 || graph["ui"] == nil {
		t.Fatalf("go list gave %d packages", len(graph))
	}
	for _, b := range checkImports(graph) {
		t.Error("import rule broken: " + b)
	}
}

// The checker refuses what the table forbids.
func TestImportTableCatchesBrokenRules(t *testing.T) {
	got := checkImports(map[string][]string{
		"ui":               {"actions", "pdfsign"},             // the window reaching under the layer
		"token":            {"assets", "pdfsign"},              // sideways
		"internal/pdf":     {"pdfsign"},                        // upward
		"actions":          {"ui"},                             // upward
		"pdfsign":          {"internal/testtoken"},             // a test helper
		"internal/newroom": {},                                 // not in the table
		"browsers":         {"assets", "cmd/certigna-desktop"}, // a command
		"internal/support": {"assets"},                         // fine
		"tools/hostilegen": {"pdfsign", "internal/hostile"},    // fine: a leaf
		"ui/extra":         {"assets"},                         // not in the table
	})
	want := []string{
		"actions → ui", "browsers → cmd/certigna-desktop: nothing imports a command", "internal/newroom: not in the import table",
		"internal/pdf → pdfsign", "pdfsign → internal/testtoken: a test helper in product code", "token → pdfsign",
		"ui → pdfsign", "ui/extra: not in the import table",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
