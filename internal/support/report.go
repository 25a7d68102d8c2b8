// Package support writes the support report: what a support agent needs to
// know about the customer's machine, driver and token, in the customer's
// language, readable by a person — and never a PIN, a code, or the path of
// one of the customer's files.
//
// The CLI (`status --report`) and the window ("Copier le rapport pour le
// support") fill a Report from what they know; Text writes it.
package support

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/certigna-desktop/app/assets"
)

// Report is everything the report says, as plain values.
type Report struct {
	App        string // application name and version
	Time       time.Time
	OS         string // OSVersion() by default
	Lang       string
	Module     Module      // the driver in use (Path "" when none)
	Candidates []Candidate // every place discovery looked
	Tokens     []Token
	Ops        []Op // the last operations, oldest first
	// CertSerials includes certificate serial numbers (only when the
	// person asked for them: a serial identifies the holder's certificate).
	CertSerials bool
}

// Module is the PKCS#11 library in use.
type Module struct {
	Path, Manufacturer, Description, Version, Cryptoki string
	Demo                                               bool
	Error                                              string // why none is loaded, in the report's language
}

// Candidate is one library discovery tried.
type Candidate struct {
	Path, Source, Status string // Status: found, not_found, failed, skipped
	Name                 string // the middleware of a known location
	Reason               string // in the report's language
	Tokens               int
	Chosen               bool
}

// Token is one token present.
type Token struct {
	Label, Manufacturer, Model, Serial string
	HardwareVersion, FirmwareVersion   string
	Reader                             string
	MinPIN, MaxPIN                     int
	PINPad                             bool
	PIN, SOPIN                         string // states: ok, count_low, final_try, locked, …
	Demo                               bool
	Certs                              []Cert
	Error                              string
}

// Cert is one certificate on the token.
type Cert struct {
	Holder, Issuer      string
	NotBefore, NotAfter time.Time
	HasKey              bool
	Serial              string // printed only with Report.CertSerials
}

// Op is one recent operation and its result ("ok", "failed: …", a code).
type Op struct {
	Time         time.Time
	Name, Result string
}

func (r *Report) t(key string, data ...map[string]any) string {
	return assets.T(r.Lang, "support."+key, data...)
}

// Text is the report, in r.Lang.
func (r *Report) Text() string {
	if r.Lang == "" {
		r.Lang = "en"
	}
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	if r.OS == "" {
		r.OS = OSVersion()
	}
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	line(r.t("title", map[string]any{"App": r.App}))
	line(r.t("date", map[string]any{"Date": r.Time.UTC().Format("2006-01-02 15:04 MST")}))
	line(r.t("os", map[string]any{"OS": r.OS, "Arch": runtime.GOOS + "/" + runtime.GOARCH}))
	line("")
	if r.Module.Path != "" {
		demo := ""
		if r.Module.Demo {
			demo = " " + r.t("demo")
		}
		line(r.t("module", map[string]any{"Path": homeless(r.Module.Path)}) + demo)
		line("  " + r.t("module_info", map[string]any{"Manufacturer": dash(r.Module.Manufacturer), "Description": dash(r.Module.Description),
			"Version": dash(r.Module.Version), "Cryptoki": dash(r.Module.Cryptoki)}))
	} else {
		line(r.t("no_module", map[string]any{"Err": dash(r.Module.Error)}))
	}
	if len(r.Candidates) > 0 {
		line(r.t("candidates", map[string]any{"N": len(r.Candidates)}))
		// what was there first (found, refused), then the places found empty
		cands := make([]Candidate, 0, len(r.Candidates))
		for _, c := range r.Candidates {
			if c.Status != "not_found" {
				cands = append(cands, c)
			}
		}
		for _, c := range r.Candidates {
			if c.Status == "not_found" {
				cands = append(cands, c)
			}
		}
		for _, c := range cands {
			mark := "   "
			if c.Chosen {
				mark = " → "
			}
			s := mark + r.t("status."+c.Status) + "  " + homeless(c.Path)
			if c.Source != "" {
				src := r.t("source." + c.Source)
				if c.Name != "" {
					src = c.Name + ", " + src
				}
				s += "  (" + src + ")"
			}
			if c.Status == "found" {
				s += " — " + r.t("n_tokens", map[string]any{"N": c.Tokens})
			}
			line(s)
			if c.Reason != "" && c.Status != "not_found" {
				line("       " + scrub(c.Reason))
			}
		}
	}
	line("")
	if len(r.Tokens) == 0 {
		line(r.t("no_token"))
	}
	for _, tk := range r.Tokens {
		demo := ""
		if tk.Demo {
			demo = " " + r.t("demo")
		}
		line(r.t("token", map[string]any{"Label": tk.Label}) + demo)
		line("  " + r.t("token_make", map[string]any{"Manufacturer": dash(tk.Manufacturer), "Model": dash(tk.Model), "Serial": dash(tk.Serial)}))
		line("  " + r.t("token_versions", map[string]any{"HW": dash(tk.HardwareVersion), "FW": dash(tk.FirmwareVersion)}))
		line("  " + r.t("reader", map[string]any{"Reader": dash(tk.Reader)}))
		pad := r.t("no")
		if tk.PINPad {
			pad = r.t("yes")
		}
		line("  " + r.t("pin", map[string]any{"State": r.t("state." + tk.PIN), "SOState": r.t("state." + tk.SOPIN),
			"Min": tk.MinPIN, "Max": tk.MaxPIN, "Pad": pad}))
		if tk.Error != "" {
			line("  " + scrub(tk.Error))
		}
		if len(tk.Certs) == 0 && tk.Error == "" {
			line("  " + r.t("no_cert"))
		}
		for _, c := range tk.Certs {
			key := r.t("no")
			if c.HasKey {
				key = r.t("yes")
			}
			s := "  " + r.t("cert", map[string]any{"Holder": dash(c.Holder), "Issuer": dash(c.Issuer),
				"From": c.NotBefore.Format("2006-01-02"), "To": c.NotAfter.Format("2006-01-02"), "Key": key})
			if r.CertSerials && c.Serial != "" {
				s += " — " + r.t("cert_serial", map[string]any{"Serial": c.Serial})
			}
			line(s)
		}
	}
	line("")
	if len(r.Ops) == 0 {
		line(r.t("no_ops"))
	} else {
		line(r.t("ops"))
		for _, o := range r.Ops {
			s := "  " + o.Time.Format("15:04:05") + "  " + r.opName(o.Name)
			if o.Result != "" {
				s += "  " + scrub(o.Result)
			}
			line(s)
		}
	}
	line("")
	line(r.t("privacy"))
	return b.String()
}

// opName is an event's name in the report's language (support.op.<name>);
// a name with no translation is shown as recorded rather than dropped.
func (r *Report) opName(name string) string {
	if s := r.t("op." + name); s != "support.op."+name {
		return s
	}
	return name
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// homeless shows a path under the home directory as ~/…: the user name is
// not the support agent's business.
func homeless(p string) string {
	if h, err := os.UserHomeDir(); err == nil && h != "" && strings.HasPrefix(p, h+string(filepath.Separator)) {
		return "~" + p[len(h):]
	}
	return p
}

// absPath finds absolute paths (Unix, or Windows with a drive or a UNC
// share) in free text.
var absPath = regexp.MustCompile(`(?:[A-Za-z]:\\|\\\\|/)[^\s:"“”«»()]+`)

// scrub reduces every path in free text (an error message, an operation's
// detail) to its file name: the folders of the customer's files say who
// and where they are.
func scrub(s string) string {
	return absPath.ReplaceAllStringFunc(s, func(p string) string {
		if isSystemLibrary(p) {
			return homeless(p)
		}
		i := strings.LastIndexAny(p, `/\`)
		return "…" + string(p[i]) + p[i+1:]
	})
}

// isSystemLibrary: a driver installed for the whole system, which support
// needs to see in full.
func isSystemLibrary(p string) bool {
	l := strings.ToLower(p)
	for _, pre := range []string{"/usr/", "/lib", "/opt/", "/library/", "/system/", `c:\windows\`, `c:\program files`} {
		if strings.HasPrefix(l, pre) {
			return true
		}
	}
	return false
}

// String is a compact one-line form of an operation for logs.
func (o Op) String() string {
	return fmt.Sprintf("%s %s %s", o.Time.Format("15:04:05"), o.Name, o.Result)
}
