package browsers

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// App is the program family reading an NSS database.
type App string

const (
	Firefox     App = "firefox"
	Thunderbird App = "thunderbird"
	SharedNSS   App = "nssdb" // ~/.pki/nssdb: Chrome, Chromium, Edge, Okular on Linux
)

// Packaging says how the program is installed, which decides whether it can
// load a module from the host's file system.
type Packaging string

const (
	Native  Packaging = "native"
	Snap    Packaging = "snap"
	Flatpak Packaging = "flatpak"
)

// Store is one NSS database: a Firefox or Thunderbird profile, or the shared
// ~/.pki/nssdb.
type Store struct {
	App       App       `json:"app"`
	Edition   string    `json:"edition,omitempty"` // "esr", "developer", "nightly", "release" or "" (from the profile name)
	Packaging Packaging `json:"packaging"`
	Name      string    `json:"name"` // profile name in profiles.ini ("nssdb" for the shared one)
	Dir       string    `json:"dir"`
	Default   bool      `json:"default"`
	// HasDB: the profile has an NSS database (pkcs11.txt or cert9.db). A
	// profile never opened has none yet; registering creates pkcs11.txt,
	// which NSS completes with its internal module on first start.
	HasDB     bool     `json:"has_db"`
	Legacy    bool     `json:"legacy"` // only the old cert8.db/secmod.db format
	Running   bool     `json:"running"`
	PID       int      `json:"pid,omitempty"` // of the program holding the lock, when known
	Sandboxed bool     `json:"sandboxed"`
	Modules   []Module `json:"modules"` // modules in pkcs11.txt, internal one excepted
	// Registered: the module asked about (Options.Module) is in pkcs11.txt,
	// under any name (added by us, by hand or by the vendor's installer).
	Registered bool `json:"registered"`
	// Policy: an enterprise policy (policies.json SecurityDevices) loads the
	// module in every profile of this program; Registered is then true too.
	Policy bool `json:"policy"`
	// Ours: Register added it (our name; for that library when Options.Module
	// is set), so Unregister can remove it.
	Ours bool `json:"ours"`
}

// Module is a block of pkcs11.txt.
type Module struct {
	Name    string `json:"name"`
	Library string `json:"library"`
}

// ID is a short, stable handle for --profile: "firefox:NAME",
// "thunderbird:NAME" or "nssdb", with the packaging when not native.
func (s Store) ID() string {
	if s.App == SharedNSS {
		return string(SharedNSS)
	}
	id := string(s.App)
	if s.Packaging != Native {
		id += "-" + string(s.Packaging)
	}
	return id + ":" + s.Name
}

// CanRegister says whether Register may write now, and if not, why.
func (s Store) CanRegister() error {
	switch {
	case s.Sandboxed:
		return &Error{Kind: KindSandboxed, Path: s.Dir, App: s.AppName()}
	case s.Legacy:
		return &Error{Kind: KindLegacyDB, Path: s.Dir, App: s.AppName()}
	case s.App == SharedNSS && !s.HasDB:
		return &Error{Kind: KindNoDatabase, Path: s.Dir}
	case s.Running:
		return &Error{Kind: KindRunning, Path: s.Dir, App: s.AppName()}
	}
	return nil
}

// AppName is the program's name for people.
func (s Store) AppName() string {
	switch s.App {
	case Thunderbird:
		return "Thunderbird"
	case SharedNSS:
		return "Chrome / Chromium"
	}
	switch s.Edition {
	case "esr":
		return "Firefox ESR"
	case "developer":
		return "Firefox Developer Edition"
	case "nightly":
		return "Firefox Nightly"
	}
	return "Firefox"
}

// Options say where to look. Zero values mean this computer.
type Options struct {
	GOOS    string // default runtime.GOOS (tests look at other systems' layouts)
	Home    string // default os.UserHomeDir
	AppData string // Windows %APPDATA%; default $APPDATA, else Home\AppData\Roaming
	XDG     string // $XDG_CONFIG_HOME; default Home/.config
	Module  string // the token's PKCS#11 library, to report Registered
	// Policies replaces the system's policies.json locations (tests).
	Policies map[App][]string
}

func (o Options) filled() Options {
	if o.GOOS == "" {
		o.GOOS = runtime.GOOS
	}
	if o.Home == "" {
		o.Home, _ = os.UserHomeDir()
	}
	if o.AppData == "" {
		if o.GOOS == runtime.GOOS {
			o.AppData = os.Getenv("APPDATA")
		}
		if o.AppData == "" {
			o.AppData = filepath.Join(o.Home, "AppData", "Roaming")
		}
	}
	if o.XDG == "" {
		if o.GOOS == runtime.GOOS {
			o.XDG = os.Getenv("XDG_CONFIG_HOME")
		}
		if o.XDG == "" {
			o.XDG = filepath.Join(o.Home, ".config")
		}
	}
	return o
}

// root is a folder holding a profiles.ini.
type root struct {
	app  App
	pack Packaging
	dir  string
}

// Roots lists the folders where profiles.ini files are looked for, per
// system, in the order they are reported.
func roots(o Options) []root {
	h := o.Home
	switch o.GOOS {
	case "windows":
		return []root{
			{Firefox, Native, filepath.Join(o.AppData, "Mozilla", "Firefox")},
			{Thunderbird, Native, filepath.Join(o.AppData, "Thunderbird")},
		}
	case "darwin":
		return []root{
			{Firefox, Native, filepath.Join(h, "Library", "Application Support", "Firefox")},
			{Thunderbird, Native, filepath.Join(h, "Library", "Thunderbird")},
			{Thunderbird, Native, filepath.Join(h, "Library", "Application Support", "Thunderbird")},
		}
	}
	// Linux and the BSDs. Firefox 147+ moved new profiles to the XDG folder;
	// older ones stay in ~/.mozilla/firefox (ESR and Developer Edition too,
	// told apart by their profile names).
	return []root{
		{Firefox, Native, filepath.Join(o.XDG, "mozilla", "firefox")},
		{Firefox, Native, filepath.Join(h, ".mozilla", "firefox")},
		{Firefox, Snap, filepath.Join(h, "snap", "firefox", "common", ".mozilla", "firefox")},
		{Firefox, Flatpak, filepath.Join(h, ".var", "app", "org.mozilla.firefox", ".mozilla", "firefox")},
		{Firefox, Flatpak, filepath.Join(h, ".var", "app", "org.mozilla.firefox", "config", "mozilla", "firefox")},
		{Thunderbird, Native, filepath.Join(h, ".thunderbird")},
		{Thunderbird, Native, filepath.Join(o.XDG, "thunderbird")},
		{Thunderbird, Snap, filepath.Join(h, "snap", "thunderbird", "common", ".thunderbird")},
		{Thunderbird, Flatpak, filepath.Join(h, ".var", "app", "org.mozilla.Thunderbird", ".thunderbird")},
		{Thunderbird, Flatpak, filepath.Join(h, ".var", "app", "org.mozilla.thunderbird", ".thunderbird")},
	}
}

// Discover lists the NSS databases found for this user. Missing folders are
// not errors: most people have only some of these programs.
func Discover(opts Options) ([]Store, error) {
	o := opts.filled()
	var out []Store
	seen := map[string]bool{}
	for _, r := range roots(o) {
		for _, p := range readProfilesINI(filepath.Join(r.dir, "profiles.ini")) {
			dir := p.path
			if p.relative {
				dir = filepath.Join(r.dir, filepath.FromSlash(p.path))
			}
			key := filepath.Clean(dir)
			if seen[key] {
				continue
			}
			seen[key] = true
			s := Store{App: r.app, Packaging: r.pack, Name: p.name, Dir: dir, Default: p.def,
				Edition: edition(r.app, p.path), Sandboxed: r.pack != Native}
			fill(&s, o)
			out = append(out, s)
		}
	}
	if o.Module != "" {
		for i := range out {
			if byPolicy(out[i].App, o) {
				out[i].Policy, out[i].Registered = true, true
			}
		}
	}
	if o.GOOS != "windows" && o.GOOS != "darwin" {
		dir := filepath.Join(o.Home, ".pki", "nssdb")
		s := Store{App: SharedNSS, Packaging: Native, Name: "nssdb", Dir: dir, Default: true}
		fill(&s, o)
		out = append(out, s)
	}
	return out, nil
}

// byPolicy: a policies.json of app adds the module.
func byPolicy(app App, o Options) bool {
	files, ok := o.Policies[app]
	if !ok {
		files = policyFiles(o.GOOS, app)
	}
	for _, f := range files {
		for _, m := range policyModules(f) {
			if samePath(m.Library, o.Module, o.GOOS) {
				return true
			}
		}
	}
	return false
}

// fill reads the database's state: files, lock, modules.
func fill(s *Store, o Options) {
	s.Modules = []Module{} // JSON: [] rather than null
	s.HasDB = exists(filepath.Join(s.Dir, "pkcs11.txt")) || exists(filepath.Join(s.Dir, "cert9.db"))
	s.Legacy = !s.HasDB && exists(filepath.Join(s.Dir, "cert8.db"))
	if s.App == SharedNSS {
		s.Running, s.PID = chromeRunning(o)
	} else {
		s.Running, s.PID = profileLocked(s.Dir)
	}
	b, err := readBounded(filepath.Join(s.Dir, "pkcs11.txt"), maxPKCS11Txt)
	if err == nil {
		for _, blk := range parseBlocks(b) {
			if blk.internal() {
				continue
			}
			m := Module{Name: blk.get("name"), Library: blk.get("library")}
			s.Modules = append(s.Modules, m)
			if o.Module != "" && samePath(m.Library, o.Module, o.GOOS) {
				s.Registered = true
			}
			// Ours even when the driver has moved or is unknown: Unregister
			// must still be able to clean up after us.
			if m.Name == ModuleName && (o.Module == "" || samePath(m.Library, o.Module, o.GOOS)) {
				s.Ours = true
			}
		}
	}
}

// edition tells Firefox's channels apart by the profile folder's suffix,
// which each channel's installer gives its default profile.
func edition(app App, path string) string {
	if app != Firefox {
		return ""
	}
	p := strings.ToLower(path)
	switch {
	case strings.HasSuffix(p, "-esr") || strings.Contains(p, "default-esr"):
		return "esr"
	case strings.Contains(p, "dev-edition"):
		return "developer"
	case strings.Contains(p, "nightly"):
		return "nightly"
	case strings.Contains(p, "default-release"):
		return "release"
	}
	return ""
}

// Bounds on the browsers' files read to discover profiles (issue #11).
const (
	maxProfilesINI = 1 << 20
	maxProfiles    = 1000
	maxPKCS11Txt   = 4 << 20
)

// readBounded reads at most max bytes of a regular file (a link is
// followed: listing only reads). Opened without blocking and checked on the
// descriptor, so a FIFO swapped in after a Stat cannot hang the listing.
func readBounded(path string, max int64) ([]byte, error) {
	f, err := openNoBlock(path, true)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, os.ErrNotExist
	}
	return io.ReadAll(io.LimitReader(f, max))
}

func regularFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

type iniProfile struct {
	name, path string
	relative   bool
	def        bool
}

// readProfilesINI reads the [ProfileN] sections of a profiles.ini; the
// [Install…] sections' Default= marks the profile each installation opens.
func readProfilesINI(path string) []iniProfile {
	if !regularFile(path) {
		return nil // a FIFO would block the open
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []iniProfile
	installDefaults := map[string]bool{}
	var cur *iniProfile
	section := ""
	// A profiles.ini is a few hundred bytes; a huge or endless one (a
	// device, a hostile file) is read up to a bound, for a bounded number
	// of profiles.
	sc := bufio.NewScanner(io.LimitReader(f, maxProfilesINI))
	for sc.Scan() && len(out) <= maxProfiles {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, ";") || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = line[1 : len(line)-1]
			cur = nil
			if strings.HasPrefix(strings.ToLower(section), "profile") {
				out = append(out, iniProfile{relative: true})
				cur = &out[len(out)-1]
			}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case cur != nil && k == "Name":
			cur.name = v
		case cur != nil && k == "Path":
			cur.path = v
		case cur != nil && k == "IsRelative":
			cur.relative = v != "0"
		case cur != nil && k == "Default":
			cur.def = v == "1"
		case strings.HasPrefix(strings.ToLower(section), "install") && k == "Default":
			installDefaults[v] = true
		}
	}
	valid := out[:0]
	for _, p := range out {
		if p.path == "" {
			continue
		}
		if installDefaults[p.path] {
			p.def = true
		}
		if p.name == "" {
			p.name = filepath.Base(filepath.FromSlash(p.path))
		}
		valid = append(valid, p)
	}
	sort.SliceStable(valid, func(i, j int) bool { return valid[i].def && !valid[j].def })
	return valid
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// samePath compares library paths as the system does (Windows: any case, / or \).
func samePath(a, b, goos string) bool {
	if goos == "windows" {
		n := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "/", `\`)) }
		return n(a) == n(b)
	}
	return filepath.Clean(a) == filepath.Clean(b)
}
