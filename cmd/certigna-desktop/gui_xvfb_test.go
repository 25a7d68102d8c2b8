package main

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/testtool"
)

// envTestAsApp makes this test binary run as the app (TestMain), so that the
// real window opens without a second build.
const envTestAsApp = "CERTIGNA_TEST_AS_APP"

// xvfb starts a private X server on a free display and returns the
// environment of an app session on it.
func xvfb(t *testing.T) []string {
	t.Helper()
	testtool.Need(t, "Xvfb", "xdotool", "xprop")
	var d int
	for range 50 {
		d = 100 + rand.IntN(400)
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", d)); os.IsNotExist(err) {
			break
		}
	}
	x := exec.Command("Xvfb", fmt.Sprintf(":%d", d), "-screen", "0", "1280x900x24", "-nolisten", "tcp", "-noreset")
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Process.Kill(); x.Wait() })
	sock := fmt.Sprintf("/tmp/.X11-unix/X%d", d)
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if i > 100 {
			t.Fatal("Xvfb did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	home := t.TempDir()
	run := filepath.Join(home, "run")
	os.Mkdir(run, 0o700)
	env := []string{envTestAsApp + "=1", fmt.Sprintf("DISPLAY=:%d", d), "LIBGL_ALWAYS_SOFTWARE=1",
		"HOME=" + home, "XDG_RUNTIME_DIR=" + run, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"), "LANG=fr_FR.UTF-8", "PATH=" + os.Getenv("PATH")}
	return env
}

// windowsNamed lists the X windows whose name contains name.
func windowsNamed(env []string, name string) []string {
	cmd := exec.Command("xdotool", "search", "--name", name)
	cmd.Env = env
	out, _ := cmd.Output()
	return strings.Fields(string(out))
}

// waitWindow waits for a window whose title is title (xdotool's own name
// search does not match non-ASCII titles: they are compared here).
func waitWindow(t *testing.T, env []string, title string) string {
	t.Helper()
	var seen []string
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		seen = seen[:0]
		for _, w := range windowsNamed(env, "Certigna Desktop") {
			got := windowTitle(t, env, w)
			if got == title {
				return w
			}
			seen = append(seen, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no window titled %q (windows: %q)", title, seen)
	return ""
}

// windowTitle is the UTF-8 title of window wid.
func windowTitle(t *testing.T, env []string, wid string) string {
	_, q, _ := strings.Cut(xprop(t, env, wid, "_NET_WM_NAME"), " = ")
	s, err := strconv.Unquote(q) // xprop writes non-ASCII bytes as octal escapes
	if err != nil {
		return q
	}
	return s
}

func xprop(t *testing.T, env []string, wid, prop string) string {
	cmd := exec.Command("xprop", "-id", wid, prop)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("xprop %s: %v", prop, err)
	}
	return strings.TrimSpace(string(out))
}

// A PDF given on the command line opens the right screen in a real window
// (the title names the screen and the document), and a second launch hands
// its files to that window and exits instead of opening another one.
func TestFileArgumentsOpenTheWindowUnderXvfb(t *testing.T) {
	tok := softToken(t)
	dir := t.TempDir()
	plain := samplePDF(t, dir) // contrat.pdf
	if code, _, errs := cli(t, tok.PIN+"\n", "--module", tok.ModulePath, "sign", plain, "--cert", hex.EncodeToString(tok.RSAID)); code != exitOK {
		t.Fatalf("sign: %d %s", code, errs)
	}
	signed := filepath.Join(dir, "contrat-signed.pdf")
	other := filepath.Join(dir, "autre.pdf")
	b, _ := os.ReadFile(plain)
	os.WriteFile(other, b, 0o644)

	env := xvfb(t)
	exe, _ := os.Executable()
	first := exec.Command(exe, "--lang", "fr", "--module", tok.ModulePath, signed)
	first.Env = append(env, "SOFTHSM2_CONF="+os.Getenv("SOFTHSM2_CONF"))
	logf, _ := os.Create(filepath.Join(dir, "first.log"))
	first.Stdout, first.Stderr = logf, logf
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Process.Kill(); first.Wait() })

	// An already signed PDF: Vérifier (with "Signer aussi").
	wid := waitWindow(t, env, "Vérifier contrat-signed.pdf — Certigna Desktop")
	// The window class is the launcher's StartupWMClass whatever the title.
	if c := xprop(t, env, wid, "WM_CLASS"); c != `WM_CLASS(STRING) = "Certigna Desktop", "Certigna Desktop"` {
		t.Errorf("window class %s, want the .desktop file's StartupWMClass", c)
	}

	// Second launch with another PDF: handed over, exits at once.
	second := func(files ...string) {
		t.Helper()
		c := exec.Command(exe, files...)
		c.Env = env
		t0 := time.Now()
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("second launch: %v %s", err, out)
		}
		if d := time.Since(t0); d > 10*time.Second {
			t.Errorf("second launch took %v", d)
		}
	}
	second(other)
	waitWindow(t, env, "Signer autre.pdf — Certigna Desktop")
	second(plain, other)
	waitWindow(t, env, "Signer 2 documents — Certigna Desktop")
	if w := windowsNamed(env, "Certigna Desktop"); len(w) != 1 {
		t.Fatalf("%d windows named Certigna Desktop, want the first one only", len(w))
	}
	if first.ProcessState != nil {
		t.Fatal("the first window quit")
	}
	logf.Close()
	if log, _ := os.ReadFile(filepath.Join(dir, "first.log")); strings.Contains(string(log), "Error in Fyne call thread") {
		t.Errorf("UI touched off the UI goroutine:\n%s", log)
	}
}

// A name ending in .pdf or an existing file is a file to open, not an unknown
// verb; anything else is still refused as a verb.
func TestFileArgumentOrVerb(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "notes")
	os.WriteFile(existing, []byte("x"), 0o644)
	for a, want := range map[string]bool{"a.pdf": true, "B.PDF": true, existing: true, "sgin": false, dir: false, "status.txt": false} {
		if got := isFileArg(a); got != want {
			t.Errorf("isFileArg(%q)=%v, want %v", a, got, want)
		}
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	code, _, errs := cli(t, "", "--lang", "fr", "sgin")
	if code != exitUsage || !strings.Contains(errs, "Commande inconnue") {
		t.Fatalf("typo: exit %d %q", code, errs)
	}
	// A file without a display: the window's own sentence, not "unknown command".
	code, _, errs = cli(t, "", "--lang", "fr", "x.pdf")
	if code != exitFailure || !strings.Contains(errs, "Aucun écran graphique") {
		t.Fatalf("file: exit %d %q", code, errs)
	}
}
