// Command certigna-desktop is the desktop companion of a Certigna USB token.
// Without a verb it opens the window; every action is also a CLI verb, for
// support staff, scripts and tests.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	certigna "github.com/certigna-desktop/app"
	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
	_ "github.com/certigna-desktop/app/internal/localefix" // before fyne reads the locale
	"github.com/certigna-desktop/app/internal/tempfiles"
)

// Env is what every verb gets: the global options and the streams.
type Env struct {
	Lang       string // "fr" or "en"
	ModulePath string // --module
	Demo       bool   // --demo
	Stdin      io.Reader
	Stdout     io.Writer
	Stderr     io.Writer
	// Files to open in the window (`certigna-desktop A.pdf B.pdf`: a file
	// manager's "Ouvrir avec" / "Signer avec Certigna").
	Files []string

	pinFile *os.File     // --pin-fd: where the codes are read (secret.go)
	early   *earlyModule // a discovery started ahead (cli_token.go: discoverSoon)
	pinFD   int
	secrets [][]byte // the codes read, wiped when the verb ends (secret.go)
}

// T translates a message key into the chosen language.
func (e *Env) T(key string, data ...map[string]any) string { return assets.T(e.Lang, key, data...) }

// Errorf prints a translated message to stderr and returns code.
func (e *Env) fail(code int, msg string) int {
	fmt.Fprintln(e.Stderr, msg)
	return code
}

// Fail prints err for a person, in the chosen language, then the command
// line's advice when one fits (actions.HintOf: --module, --final-try,
// --allow-bb, CERTIGNA_TSA_USER), and returns the exit code that the error
// kind maps to.
func (e *Env) Fail(err error) int {
	code := e.fail(exitCode(err), e.T("cli.error", map[string]any{"Err": assets.Message(err, e.Lang)}))
	e.hint(err)
	return code
}

// hint prints the command line's advice for err, if any.
func (e *Env) hint(err error) {
	if h := actions.HintOf(err); h != actions.HintNone {
		fmt.Fprintln(e.Stderr, e.T("cli.hint."+string(h)))
	}
}

type verb struct {
	name    string
	summary map[string]string // lang → one line
	run     func(env *Env, args []string) int
}

// runGUI opens the window; gui.go sets it.
var runGUI func(env *Env) int

func main() {
	cleanupOnSignals() // cli_signals.go
	code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	tempfiles.RemoveAll(true) // nothing is pending at a normal end; after a crash of a step, nothing stays
	os.Exit(code)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Lang: defaultLang()}
	defer env.wipeSecrets()
	// --lang first, so that usage errors are already in the right language.
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--lang="); ok {
			env.Lang = assets.NormalizeLang(v)
		} else if a == "--lang" && i+1 < len(args) {
			env.Lang = assets.NormalizeLang(args[i+1])
		}
	}
	args, code, ok := env.takePinFD(args) // anywhere on the line (secret.go)
	if !ok {
		return code
	}
	fs := flag.NewFlagSet("certigna-desktop", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&env.ModulePath, "module", "", "")
	fs.BoolVar(&env.Demo, "demo", false, "")
	langFlag := fs.String("lang", "", "")
	showVersion := fs.Bool("version", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(env)
			return exitOK
		}
		return env.fail(exitUsage, env.T("cli.bad_flag", map[string]any{"Err": err}))
	}
	if *langFlag != "" {
		env.Lang = assets.NormalizeLang(*langFlag)
	}
	if *showVersion {
		fmt.Fprintf(stdout, "%s %s\n", certigna.App().Name, certigna.Version())
		return exitOK
	}
	rest := fs.Args()
	if len(rest) == 0 {
		if runGUI == nil {
			return env.fail(exitFailure, env.T("cli.gui_unavailable", map[string]any{"Err": "not built in"}))
		}
		return runGUI(env)
	}
	name := rest[0]
	if name == "help" {
		printUsage(env)
		return exitOK
	}
	if name == "version" {
		fmt.Fprintf(stdout, "%s %s\n", certigna.App().Name, certigna.Version())
		return exitOK
	}
	v, ok := verbTable()[name]
	if !ok && isFileArg(name) {
		if runGUI == nil {
			return env.fail(exitFailure, env.T("cli.gui_unavailable", map[string]any{"Err": "not built in"}))
		}
		env.Files = rest
		return runGUI(env)
	}
	if !ok {
		return env.fail(exitUsage, env.T("cli.unknown_verb", map[string]any{"Verb": name}))
	}
	softMemoryLimit() // cli_hostile.go
	return v.run(env, rest[1:])
}

// isFileArg says whether a first argument that is not a verb names a file
// to open: a .pdf name (even one that no longer exists: the window says so)
// or any existing file. A typo in a verb stays an unknown verb.
func isFileArg(a string) bool {
	if strings.EqualFold(filepath.Ext(a), ".pdf") {
		return true
	}
	fi, err := os.Stat(a)
	return err == nil && fi.Mode().IsRegular()
}

func defaultLang() string {
	if l := assets.EnvLang(); l != "" {
		return l
	}
	return osLang()
}

func printUsage(env *Env) {
	fmt.Fprintln(env.Stdout, env.T("cli.usage"))
	verbs := verbTable()
	names := make([]string, 0, len(verbs))
	for n := range verbs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := verbs[n].summary[env.Lang]
		if s == "" {
			s = verbs[n].summary["en"]
		}
		fmt.Fprintf(env.Stdout, "  %-12s %s\n", n, s)
	}
}

// newFlagSet is a verb's flag set, quiet: errors are reported translated.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses a verb's flags, allowing flags after positional
// arguments ("sign in.pdf -o out.pdf"), and reports bad usage translated.
func parseFlags(env *Env, fs *flag.FlagSet, args []string) ([]string, int, bool) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, env.fail(exitUsage, env.T("cli.bad_flag", map[string]any{"Err": err})), false
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, 0, true
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}
