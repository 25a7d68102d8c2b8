//go:build linux

package browsers

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/testtoken"
)

// mozEnv is the environment of Firefox/Thunderbird/NSS tools for a person
// whose home is home (a temp dir: the tests never touch the real profiles).
func mozEnv(home string, tok *testtoken.Token) []string {
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == "HOME" || k == "XDG_CONFIG_HOME" || k == "SOFTHSM2_CONF" ||
			k == "MOZ_HEADLESS" || k == "DISPLAY" || k == "WAYLAND_DISPLAY" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "MOZ_HEADLESS=1")
	if tok != nil {
		env = append(env, "SOFTHSM2_CONF="+tok.Conf)
	}
	return env
}

// offlinePrefs keep Firefox and Thunderbird off the network (the tests may
// contact no host but 127.0.0.1): a dead loopback proxy for everything, and
// the background services that would call home switched off.
const offlinePrefs = `user_pref("network.proxy.type", 1);
user_pref("network.proxy.http", "127.0.0.1");
user_pref("network.proxy.http_port", 9);
user_pref("network.proxy.ssl", "127.0.0.1");
user_pref("network.proxy.ssl_port", 9);
user_pref("network.proxy.socks", "127.0.0.1");
user_pref("network.proxy.socks_port", 9);
user_pref("network.proxy.socks_remote_dns", true);
user_pref("network.proxy.no_proxies_on", "");
user_pref("network.trr.mode", 5);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("app.update.enabled", false);
user_pref("app.normandy.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.provider.mozilla.updateURL", "");
user_pref("services.settings.server", "http://127.0.0.1:9/");
user_pref("security.OCSP.enabled", 0);
user_pref("mailnews.start_page.enabled", false);
user_pref("mail.shell.checkDefaultClient", false);
`

// offline writes offlinePrefs into a profile before its program first runs.
func offline(t *testing.T, dir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "user.js"), []byte(offlinePrefs), 0o600); err != nil {
		t.Fatal(err)
	}
}

// mozCommand runs Firefox/Thunderbird in a network namespace of its own
// (loopback only) when the system allows it (root, or user namespaces):
// a guarantee on top of offlinePrefs.
func mozCommand(name string, args ...string) *exec.Cmd {
	if netnsOK() {
		return exec.Command("unshare", append([]string{"-n", name}, args...)...)
	}
	return exec.Command(name, args...)
}

var netnsOnce sync.Once
var netnsWorks bool

func netnsOK() bool {
	netnsOnce.Do(func() { netnsWorks = exec.Command("unshare", "-n", "true").Run() == nil })
	return netnsWorks
}

func runIn(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	if name == "firefox-esr" || name == "thunderbird" {
		cmd = mozCommand(name, args...)
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func find(t *testing.T, stores []Store, app App, name string) Store {
	t.Helper()
	for _, s := range stores {
		if s.App == app && s.Name == name {
			return s
		}
	}
	t.Fatalf("no %s profile %q in %+v", app, name, stores)
	return Store{}
}

// certutilList lists the certificates NSS sees in the profile, the token's
// included (the PIN comes from a password file, as for any NSS tool).
func certutilList(t *testing.T, env []string, dir, pin string) string {
	t.Helper()
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte(pin+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(pw)
	return runIn(t, env, "certutil", "-d", "sql:"+dir, "-L", "-h", "all", "-f", pw)
}

// TestRealFirefoxThunderbird registers a SoftHSM2 token in profiles made by
// Debian's real firefox-esr and thunderbird, checks with NSS's own modutil
// and certutil, refuses while Thunderbird runs, and undoes byte for byte.
func TestRealFirefoxThunderbird(t *testing.T) {
	testtoken.Need(t, "firefox-esr", "thunderbird", "modutil", "certutil")
	tok := testtoken.NewSoftHSM(t, testtoken.WithoutEC())
	home := t.TempDir()
	env := mozEnv(home, tok)

	runIn(t, env, "firefox-esr", "-headless", "-CreateProfile", "ffprof")
	runIn(t, env, "thunderbird", "-headless", "-CreateProfile", "tbprof")
	opts := Options{GOOS: "linux", Home: home, XDG: filepath.Join(home, ".config"), Module: tok.ModulePath}
	stores, err := Discover(opts)
	if err != nil {
		t.Fatal(err)
	}
	ff := find(t, stores, Firefox, "ffprof")
	if ff.HasDB || ff.Running || ff.Sandboxed || ff.Registered {
		t.Fatalf("fresh Firefox profile: %+v", ff)
	}
	offline(t, ff.Dir)
	offline(t, find(t, stores, Thunderbird, "tbprof").Dir)
	t.Logf("Firefox/Thunderbird in a loopback-only network namespace: %v", netnsOK())
	if !strings.HasPrefix(ff.Dir, filepath.Join(home, ".config", "mozilla", "firefox")) {
		t.Errorf("Firefox 153 profile expected in the XDG folder, got %s", ff.Dir)
	}
	// Use the Firefox profile once, as a person would: Firefox makes its NSS
	// database (and leaves a stale "lock" symlink behind in screenshot mode).
	runIn(t, env, "firefox-esr", "-headless", "-profile", ff.Dir, "--screenshot", filepath.Join(home, "shot.png"), "about:blank")
	stores, _ = Discover(opts)
	ff = find(t, stores, Firefox, "ffprof")
	if !ff.HasDB {
		t.Fatalf("Firefox made no database in %s", ff.Dir)
	}
	if ff.Running {
		t.Fatalf("Firefox has quit but the profile is reported running (stale lock): %+v", ff)
	}
	pk := filepath.Join(ff.Dir, "pkcs11.txt")
	orig, err := os.ReadFile(pk)
	if err != nil {
		t.Fatal(err)
	}

	ch, err := Register(ff, tok.ModulePath)
	if err != nil || !ch.Changed || !ch.Store.Registered {
		t.Fatalf("Register: %+v %v", ch, err)
	}
	if b, _ := os.ReadFile(ch.Backup); !bytes.Equal(b, orig) {
		t.Fatal("the backup is not the original pkcs11.txt")
	}
	after, _ := os.ReadFile(pk)
	ch2, err := Register(find(t, mustDiscover(t, opts), Firefox, "ffprof"), tok.ModulePath)
	if err != nil || ch2.Changed {
		t.Fatalf("second Register must change nothing: %+v %v", ch2, err)
	}
	if again, _ := os.ReadFile(pk); !bytes.Equal(again, after) {
		t.Fatal("second Register changed pkcs11.txt")
	}
	// What modutil -add writes, byte for byte.
	if want := append(append([]byte(nil), orig...), "library="+tok.ModulePath+"\nname="+ModuleName+"\n\n"...); !bytes.Equal(after, want) {
		t.Fatalf("pkcs11.txt:\n%s\nwant:\n%s", after, want)
	}
	list := runIn(t, env, "modutil", "-dbdir", "sql:"+ff.Dir, "-list")
	if !strings.Contains(list, ModuleName) || !strings.Contains(list, tok.ModulePath) {
		t.Fatalf("modutil does not list the module:\n%s", list)
	}
	certs := certutilList(t, env, ff.Dir, tok.PIN)
	if !strings.Contains(certs, tok.Label+":RSA signature") {
		t.Fatalf("certutil does not list the token's certificate:\n%s", certs)
	}

	// Thunderbird: never opened, so no database yet; registering creates
	// pkcs11.txt, then Thunderbird runs (and must be refused) and completes it.
	tb := find(t, mustDiscover(t, opts), Thunderbird, "tbprof")
	if tb.HasDB {
		t.Fatalf("fresh Thunderbird profile has a database: %+v", tb)
	}
	if _, err := Register(tb, tok.ModulePath); err != nil {
		t.Fatal(err)
	}
	cmd := mozCommand("thunderbird", "--headless", "-profile", tb.Dir)
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
		}
	}()
	deadline := time.Now().Add(60 * time.Second)
	for _, f := range []string{"lock", "cert9.db", "key4.db", "compatibility.ini"} {
		for !exists(filepath.Join(tb.Dir, f)) {
			if time.Now().After(deadline) {
				t.Fatalf("Thunderbird made no %s in 60 s", f)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	// Its database is complete once startup is over: quitting in the middle
	// of NSS's initialisation leaves a database modutil cannot open.
	time.Sleep(2 * time.Second)
	tb = find(t, mustDiscover(t, opts), Thunderbird, "tbprof")
	if !tb.Running || tb.PID != cmd.Process.Pid {
		t.Fatalf("running Thunderbird not seen: %+v (pid %d)", tb, cmd.Process.Pid)
	}
	before, _ := os.ReadFile(filepath.Join(tb.Dir, "pkcs11.txt"))
	if _, err := Unregister(tb, tok.ModulePath); !IsKind(err, KindRunning) {
		t.Fatalf("Unregister while Thunderbird runs: %v", err)
	}
	if _, err := Register(tb, "/other/module.so"); !IsKind(err, KindRunning) {
		t.Fatalf("Register while Thunderbird runs: %v", err)
	}
	if msg := (&Error{Kind: KindRunning, App: tb.AppName(), Path: tb.Dir}).Message("fr"); !strings.Contains(msg, "Thunderbird est ouvert") {
		t.Errorf("message: %s", msg)
	}
	if now, _ := os.ReadFile(filepath.Join(tb.Dir, "pkcs11.txt")); !bytes.Equal(now, before) {
		t.Fatal("a refused change touched pkcs11.txt")
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("Thunderbird did not quit")
	}
	tb = find(t, mustDiscover(t, opts), Thunderbird, "tbprof")
	if tb.Running || !tb.HasDB || !tb.Registered || !tb.Ours {
		t.Fatalf("Thunderbird profile after quitting: %+v", tb)
	}
	if list := runIn(t, env, "modutil", "-dbdir", "sql:"+tb.Dir, "-list"); !strings.Contains(list, ModuleName) {
		t.Fatalf("modutil (Thunderbird profile) does not list the module:\n%s", list)
	}
	if certs := certutilList(t, env, tb.Dir, tok.PIN); !strings.Contains(certs, tok.Label+":RSA signature") {
		t.Fatalf("certutil (Thunderbird profile) does not list the token's certificate:\n%s", certs)
	}

	// Undo: Firefox's pkcs11.txt is byte-identical to the backup.
	backup, _ := os.ReadFile(pk + BackupSuffix)
	un, err := Unregister(find(t, mustDiscover(t, opts), Firefox, "ffprof"), tok.ModulePath)
	if err != nil || !un.Changed {
		t.Fatalf("Unregister: %+v %v", un, err)
	}
	final, _ := os.ReadFile(pk)
	if !bytes.Equal(final, backup) || !bytes.Equal(final, orig) {
		t.Fatalf("after undo pkcs11.txt differs from the backup:\n%q\n%q", final, backup)
	}
	if list := runIn(t, env, "modutil", "-dbdir", "sql:"+ff.Dir, "-list"); strings.Contains(list, ModuleName) {
		t.Fatalf("modutil still lists the module after undo:\n%s", list)
	}
	if un, err := Unregister(find(t, mustDiscover(t, opts), Firefox, "ffprof"), tok.ModulePath); err != nil || un.Changed {
		t.Fatalf("second Unregister must change nothing: %+v %v", un, err)
	}
	// Thunderbird had no pkcs11.txt before us: none after.
	if _, err := Unregister(tb, tok.ModulePath); err != nil {
		t.Fatal(err)
	}
	if exists(filepath.Join(tb.Dir, "pkcs11.txt")) {
		t.Fatal("Thunderbird's pkcs11.txt (ours only) should be gone after undo")
	}
}

// TestSharedNSSDB: ~/.pki/nssdb (Chrome/Chromium on Linux), made by certutil
// as Chrome makes it.
func TestSharedNSSDB(t *testing.T) {
	testtoken.Need(t, "modutil", "certutil")
	tok := testtoken.NewSoftHSM(t, testtoken.WithoutEC())
	home := t.TempDir()
	env := mozEnv(home, tok)
	opts := Options{GOOS: "linux", Home: home, XDG: filepath.Join(home, ".config"), Module: tok.ModulePath}
	db := find(t, mustDiscover(t, opts), SharedNSS, "nssdb")
	if _, err := Register(db, tok.ModulePath); !IsKind(err, KindNoDatabase) {
		t.Fatalf("no ~/.pki/nssdb yet: %v", err)
	}
	if err := os.MkdirAll(db.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	runIn(t, env, "certutil", "-N", "-d", "sql:"+db.Dir, "--empty-password")
	orig, _ := os.ReadFile(filepath.Join(db.Dir, "pkcs11.txt"))

	// Chrome's running lock. Test double: no Chrome here, so the symlink
	// Chrome keeps while it runs ("HOSTNAME-PID") is made by the test, with
	// this live process's id.
	host, _ := os.Hostname()
	chromeDir := filepath.Join(home, ".config", "chromium")
	if err := os.MkdirAll(chromeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(chromeDir, "SingletonLock")
	if err := os.Symlink(host+"-"+strconv.Itoa(os.Getpid()), lock); err != nil {
		t.Fatal(err)
	}
	db = find(t, mustDiscover(t, opts), SharedNSS, "nssdb")
	if !db.Running {
		t.Fatal("Chromium's lock not seen")
	}
	if _, err := Register(db, tok.ModulePath); !IsKind(err, KindRunning) {
		t.Fatalf("Register with Chromium running: %v", err)
	}
	os.Remove(lock)

	db = find(t, mustDiscover(t, opts), SharedNSS, "nssdb")
	if _, err := Register(db, tok.ModulePath); err != nil {
		t.Fatal(err)
	}
	if list := runIn(t, env, "modutil", "-dbdir", "sql:"+db.Dir, "-list"); !strings.Contains(list, ModuleName) {
		t.Fatalf("modutil does not list the module:\n%s", list)
	}
	if certs := certutilList(t, env, db.Dir, tok.PIN); !strings.Contains(certs, tok.Label+":RSA signature") {
		t.Fatalf("certutil does not list the token's certificate:\n%s", certs)
	}
	if _, err := Unregister(db, tok.ModulePath); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(filepath.Join(db.Dir, "pkcs11.txt")); !bytes.Equal(now, orig) {
		t.Fatal("undo did not restore pkcs11.txt byte for byte")
	}
}

func mustDiscover(t *testing.T, o Options) []Store {
	t.Helper()
	s, err := Discover(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSameBytesAsModutil: from the same pkcs11.txt, Register and NSS's own
// `modutil -add` produce byte-identical files (a module path with spaces too).
func TestSameBytesAsModutil(t *testing.T) {
	testtoken.Need(t, "modutil", "certutil")
	lib := testtoken.SoftHSMModule()
	if lib == "" {
		testtoken.Missing(t, "SoftHSM2's library is not installed (apt-get install softhsm2)")
	}
	spaced := filepath.Join(t.TempDir(), "Program Files", "Certigna")
	if err := os.MkdirAll(spaced, 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(spaced, "libsofthsm2.so"), b, 0o700); err != nil {
		t.Fatal(err)
	}
	env := mozEnv(t.TempDir(), nil)
	for _, module := range []string{lib, filepath.Join(spaced, "libsofthsm2.so")} {
		ours, theirs := t.TempDir(), t.TempDir()
		runIn(t, env, "certutil", "-N", "-d", "sql:"+ours, "--empty-password")
		for _, f := range []string{"cert9.db", "key4.db", "pkcs11.txt"} {
			b, err := os.ReadFile(filepath.Join(ours, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(theirs, f), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := Register(Store{App: SharedNSS, Dir: ours, HasDB: true}, module); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("modutil", "-dbdir", "sql:"+theirs, "-add", ModuleName, "-libfile", module, "-force")
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("modutil -add: %v\n%s", err, out)
		}
		a, _ := os.ReadFile(filepath.Join(ours, "pkcs11.txt"))
		m, _ := os.ReadFile(filepath.Join(theirs, "pkcs11.txt"))
		// The internal module's line names its own folder: compare with it replaced.
		if m = bytes.ReplaceAll(m, []byte(theirs), []byte(ours)); !bytes.Equal(a, m) {
			t.Fatalf("module %s:\nours:\n%q\nmodutil:\n%q", module, a, m)
		}
	}
}
