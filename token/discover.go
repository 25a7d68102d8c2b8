package token

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// CandidateStatus is what became of a module candidate.
type CandidateStatus string

const (
	CandidateFound    CandidateStatus = "found"     // loaded and initialised
	CandidateNotFound CandidateStatus = "not_found" // no file there
	CandidateFailed   CandidateStatus = "failed"    // there, but not loadable; Reason says why
	CandidateSkipped  CandidateStatus = "skipped"   // not tried: an earlier candidate was chosen
)

// Candidate is one place discovery looked, with what it found.
type Candidate struct {
	Path   string
	Source string // "flag", "env", "saved", "known", "p11-kit", "demo"
	Status CandidateStatus
	Reason error // nil when found; a *Error otherwise
	Tokens int   // initialised tokens present when found
	Chosen bool
	Name   string // the middleware a known location belongs to ("" for others)
}

// DiscoverOptions selects where Discover looks.
type DiscoverOptions struct {
	Path      string // --module: only this
	Demo      bool   // --demo: only the demo token
	SavedPath string // the user's saved choice
	CacheDir  string // where the demo token lives ("" = the user cache dir)
	NoDemo    bool   // never fall back to the demo token

	// Candidates replaces KnownModules() for the automatic search (tests,
	// and support trying a list of libraries).
	Candidates []KnownModule
}

// EnvModule is the environment variable naming a module.
const EnvModule = "CERTIGNA_PKCS11_MODULE"

// Discover finds the module to use: --module, then $CERTIGNA_PKCS11_MODULE,
// then the saved choice — each used alone when given, since the person asked
// for it —, then the known middleware paths of this OS and p11-kit's module
// files, and last the demo token. Among the automatic candidates the first
// with a token present wins; otherwise the first vendor middleware that loads
// (the token may be plugged in later); otherwise the demo token.
// The returned candidates say what was tried and why each failed.
func Discover(opts DiscoverOptions) (*Module, []Candidate, error) {
	if opts.Demo {
		return discoverDemo(opts, nil)
	}
	ctx := context.Background()
	for _, explicit := range []struct{ path, source string }{
		{opts.Path, "flag"}, {os.Getenv(EnvModule), "env"}, {opts.SavedPath, "saved"},
	} {
		if explicit.path == "" {
			continue
		}
		c := Candidate{Path: explicit.path, Source: explicit.source}
		if len(probeCommand()) > 0 && len(workerCommand()) > 0 {
			// Its worker is the trial on the side (trial.go): no probe child
			// loading it first.
			m, ts, err := trialOpen(explicit.path)
			if m == nil {
				c.Status, c.Reason = statusOf(err), err
				return nil, []Candidate{c}, err
			}
			c.Status, c.Chosen, c.Tokens = CandidateFound, true, len(ts)
			return m, []Candidate{c}, nil
		}
		var err error
		if len(probeCommand()) > 0 {
			// Even the library the person named is tried on the side first:
			// a crash there must not take the app down.
			err = Probe(ctx, explicit.path).probeError()
		}
		var m *Module
		if err == nil {
			m, err = Open(explicit.path)
		}
		if err != nil {
			c.Status, c.Reason = statusOf(err), err
			return nil, []Candidate{c}, err
		}
		c.Status, c.Chosen = CandidateFound, true
		if ts, err := m.Tokens(); err == nil {
			c.Tokens = len(ts)
		}
		return m, []Candidate{c}, nil
	}

	// Every automatic candidate is probed (out of process when a probe
	// command is set); only the chosen one is then opened here.
	var cands []Candidate
	var vendor []bool
	seen := map[string]bool{}
	known := opts.Candidates
	if known == nil {
		known = KnownModules()
	}
	for _, k := range known {
		key := k.Path
		if r, err := filepath.EvalSymlinks(k.Path); err == nil {
			key = r
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		c := Candidate{Path: k.Path, Source: k.Source, Name: k.Name}
		if _, err := os.Stat(k.Path); err != nil {
			c.Status, c.Reason = CandidateNotFound, &Error{Kind: KindModuleNotFound, Path: k.Path, Reason: "missing file", Err: err}
		} else {
			r := Probe(ctx, k.Path)
			c.Status, c.Reason, c.Tokens = CandidateStatus(r.Status), r.probeError(), r.Tokens
		}
		cands = append(cands, c)
		vendor = append(vendor, k.Vendor)
	}
	// The first with a token present; else the first vendor middleware (the
	// token may be plugged in later).
	order := []int{}
	for i, c := range cands {
		if c.Status == CandidateFound && c.Tokens > 0 {
			order = append(order, i)
		}
	}
	for i, c := range cands {
		if c.Status == CandidateFound && c.Tokens == 0 && vendor[i] {
			order = append(order, i)
		}
	}
	for _, i := range order {
		m, err := Open(cands[i].Path)
		if err != nil { // it changed since the probe
			cands[i].Status, cands[i].Reason = statusOf(err), err
			continue
		}
		cands[i].Chosen = true
		return m, cands, nil
	}
	// A library another process of ours held for the whole wait is most
	// likely the token in use: say it is busy, rather than show the demo
	// token or "no module" as if it were not there.
	for _, c := range cands {
		if IsKind(c.Reason, KindTurn) {
			return nil, cands, c.Reason
		}
	}
	if !opts.NoDemo {
		return discoverDemo(opts, cands)
	}
	// A generic library with no token (OpenSC with no reader) is still better
	// than nothing when the demo is not wanted.
	for i := range cands {
		if cands[i].Status == CandidateFound {
			m, err := Open(cands[i].Path)
			if err == nil {
				cands[i].Chosen = true
				return m, cands, nil
			}
		}
	}
	return nil, cands, &Error{Kind: KindModuleNotFound, Reason: "no module"}
}

func discoverDemo(opts DiscoverOptions, cands []Candidate) (*Module, []Candidate, error) {
	c := Candidate{Source: "demo"}
	m, err := OpenDemo(opts.CacheDir)
	if err != nil {
		c.Status, c.Reason = statusOf(err), err
		return nil, append(cands, c), err
	}
	c.Path, c.Status, c.Chosen = m.Path(), CandidateFound, true
	if ts, err := m.Tokens(); err == nil {
		c.Tokens = len(ts)
	}
	return m, append(cands, c), nil
}

func statusOf(err error) CandidateStatus {
	var te *Error
	if errors.As(err, &te) && te.Kind == KindModuleNotFound {
		return CandidateNotFound
	}
	return CandidateFailed
}

// KnownModule is a place middleware is usually installed.
type KnownModule struct {
	Path   string
	Source string // "known" or "p11-kit"
	Vendor bool   // a card vendor's middleware (SafeNet, IDPrime, IDEMIA, …), not a generic one
	Name   string // the middleware, for people ("SafeNet Authentication Client (eToken)")
}

// KnownModules lists, for this OS and processor, where the middleware of
// the tokens Certigna may ship is installed (known.go), then generic
// modules (Yubico, OpenSC), then (Linux) p11-kit's module files.
func KnownModules() []KnownModule {
	out := knownFor(runtime.GOOS, runtime.GOARCH, os.Getenv)
	if runtime.GOOS == "linux" {
		out = append(out, p11kitModules()...)
	}
	return out
}

// p11kitModules reads p11-kit's *.module files. A relative "module:" is
// relative to p11-kit's module directory. The trust module is a CA store,
// not a token, and SoftHSM2 there would share its one context with the demo.
func p11kitModules() []KnownModule {
	dirs := []string{"/usr/share/p11-kit/modules", "/etc/pkcs11/modules"}
	if h, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(h, ".config", "pkcs11", "modules"))
	}
	libDirs := []string{"/usr/lib/x86_64-linux-gnu/pkcs11", "/usr/lib/aarch64-linux-gnu/pkcs11", "/usr/lib64/pkcs11", "/usr/lib/pkcs11"}
	var out []KnownModule
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(d, "*.module"))
		sort.Strings(files)
		for _, f := range files {
			p := p11kitModulePath(f)
			if p == "" {
				continue
			}
			base := filepath.Base(p)
			if strings.Contains(base, "p11-kit-trust") || strings.Contains(base, "softhsm") {
				continue
			}
			if !filepath.IsAbs(p) {
				abs := filepath.Join(libDirs[0], p)
				for _, ld := range libDirs {
					if _, err := os.Stat(filepath.Join(ld, p)); err == nil {
						abs = filepath.Join(ld, p)
						break
					}
				}
				p = abs
			}
			out = append(out, KnownModule{Path: p, Source: "p11-kit"})
		}
	}
	return out
}

// p11kitModulePath returns the "module:" value of a p11-kit module file.
func p11kitModulePath(file string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(line, "module:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// diagnoseLoad explains why the dynamic loader or the library refused a file:
// the words become Error.Reason (translated by Message).
func diagnoseLoad(path string) string { return diagnoseFor(path, runtime.GOOS, runtime.GOARCH) }

// diagnoseFor is diagnoseLoad as seen by an app built for goos/goarch (tests
// check the Windows and macOS answers on Linux).
func diagnoseFor(path, goos, goarch string) string {
	f, err := os.Open(path)
	if err != nil {
		return "missing file"
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return "not a PKCS#11 library"
	}
	if ef, err := elf.NewFile(f); err == nil {
		if goos != "linux" && goos != "freebsd" {
			return "library for another system"
		}
		if ef.Class == elf.ELFCLASS32 && is64(goarch) {
			return "32-bit library"
		}
		if want, ok := elfMachines[goarch]; ok && ef.Machine != want {
			return archWord(goarch, ef.Machine == elf.EM_X86_64 || ef.Machine == elf.EM_386)
		}
		if !hasSymbol(ef) {
			return "not a PKCS#11 library"
		}
		return "cannot be loaded"
	}
	if mf, err := macho.NewFile(f); err == nil {
		if goos != "darwin" {
			return "library for another system"
		}
		if want, ok := machoCPUs[goarch]; ok && mf.Cpu != want {
			return archWord(goarch, mf.Cpu == macho.CpuAmd64 || mf.Cpu == macho.Cpu386) // e.g. an Intel-only module in an arm64 app
		}
		return byExport(path)
	}
	if ff, err := macho.NewFatFile(f); err == nil {
		if goos != "darwin" {
			return "library for another system"
		}
		want := machoCPUs[goarch]
		intel := false
		for _, a := range ff.Arches {
			if a.Cpu == want {
				return byExport(path)
			}
			intel = intel || a.Cpu == macho.CpuAmd64 || a.Cpu == macho.Cpu386
		}
		return archWord(goarch, intel)
	}
	if pf, err := pe.NewFile(f); err == nil {
		if goos != "windows" {
			return "library for another system"
		}
		if pf.Machine == pe.IMAGE_FILE_MACHINE_I386 && is64(goarch) {
			return "32-bit library" // only the SysWOW64 / Program Files (x86) copy is installed
		}
		if want, ok := peMachines[goarch]; ok && pf.Machine != want {
			return archWord(goarch, pf.Machine == pe.IMAGE_FILE_MACHINE_AMD64)
		}
		return byExport(path)
	}
	return "not a PKCS#11 library"
}

// byExport tells a library of the right architecture that lacks the PKCS#11
// entry point from one the loader refused for another reason (a missing
// dependency; on macOS, library validation of a vendor's signature). The
// name of an exported function is in the file in clear.
func byExport(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(b, []byte("C_GetFunctionList\x00")) {
		return "not a PKCS#11 library"
	}
	return "cannot be loaded"
}

var elfMachines = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "386": elf.EM_386, "arm": elf.EM_ARM}
var machoCPUs = map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}
var peMachines = map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64, "386": pe.IMAGE_FILE_MACHINE_I386}

func is64(goarch string) bool { return goarch == "amd64" || goarch == "arm64" }

// archWord names a library built for another processor: Intel-only on an
// ARM machine (a Mac with Apple silicon: Rosetta), or ARM-only on Intel.
func archWord(goarch string, intel bool) string {
	if intel && goarch == "arm64" {
		return "Intel-only library"
	}
	if !intel && (goarch == "amd64" || goarch == "386") {
		return "Arm-only library"
	}
	return "wrong architecture"
}

func hasSymbol(ef *elf.File) bool {
	syms, err := ef.DynamicSymbols()
	if err != nil {
		return false
	}
	for _, s := range syms {
		if s.Name == "C_GetFunctionList" && s.Section != elf.SHN_UNDEF {
			return true
		}
	}
	return false
}
