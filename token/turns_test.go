package token

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/miekg/pkcs11"

	"github.com/certigna-desktop/app/internal/testtoken"
)

// turnHolderMain is this test binary run as another process of ours
// holding a library's lock (`turn-holder PATH`): it says "held", then
// keeps the lock until its standard input closes.
func turnHolderMain(path string) int {
	t, busy := takeTurn(path, 10*time.Second)
	if t == nil {
		fmt.Println("no lock, busy:", busy)
		return 1
	}
	fmt.Println("held")
	_, _ = io.Copy(io.Discard, os.Stdin)
	t.release()
	return 0
}

// holdTurn starts a holder process of path and waits until it holds it.
// Closing the returned writer makes it release the lock and exit.
func holdTurn(t *testing.T, path string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "turn-holder", path)
	return cmd, testtoken.Hold(t, cmd)
}

// tokenTurn is the lock file of tok's library and store, as Open takes it
// (the library's resolved absolute path).
func tokenTurn(t *testing.T, tok *testtoken.Token) string {
	t.Helper()
	key, err := filepath.EvalSymlinks(tok.ModulePath)
	if err != nil {
		t.Fatal(err)
	}
	if abs, err := filepath.Abs(key); err == nil {
		key = abs
	}
	return turnPath(key, tok.Conf)
}

// ownCache points the user cache directory (where the locks live) at a
// fresh directory.
func ownCache(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the cache directory is set through XDG_CACHE_HOME (Linux)")
	}
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	return dir
}

// Two processes on one library's lock: while one holds it, the other waits
// within its deadline and is refused at the end (nothing held); as soon as
// the holder lets go, the waiting one gets it.
func TestTurnsBetweenProcesses(t *testing.T) {
	ownCache(t)
	path := turnPath("/lib/pkcs11.so", "")
	if path == "" {
		t.Fatal("no lock path")
	}
	_, release := holdTurn(t, path)
	start := time.Now()
	if h, busy := takeTurn(path, 200*time.Millisecond); h != nil || !busy {
		t.Fatalf("held by another process, yet taken: %v %v", h, busy)
	}
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("gave up after %v, before its deadline", took)
	}
	got := make(chan *turn, 1)
	start = time.Now()
	go func() { h, _ := takeTurn(path, 20*time.Second); got <- h }()
	time.Sleep(300 * time.Millisecond)
	release.Close()
	h := <-got
	waited := time.Since(start)
	if h == nil {
		t.Fatal("not had after the holder let go")
	}
	h.release()
	if waited < 300*time.Millisecond || waited > 5*time.Second {
		t.Errorf("waited %v: want from the holder's release (300 ms) to shortly after", waited)
	}
	// Another library, or the same one on another SoftHSM2 store, is
	// another lock.
	if turnPath("/lib/pkcs11.so", "/tmp/a.conf") == path || turnPath("/lib/other.so", "") == path {
		t.Error("one lock for different libraries or stores")
	}
}

// A holder killed (a hung worker stopped at its deadline) frees the lock:
// the kernel drops it with the process.
func TestTurnFreedWhenHolderKilled(t *testing.T) {
	ownCache(t)
	path := turnPath("/lib/pkcs11.so", "")
	cmd, _ := holdTurn(t, path)
	if h, busy := takeTurn(path, 50*time.Millisecond); h != nil || !busy {
		t.Fatal("held by another process, yet taken")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	start := time.Now()
	h, busy := takeTurn(path, 5*time.Second)
	if h == nil || busy {
		t.Fatalf("still held after its holder was killed (busy %v)", busy)
	}
	h.release()
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v", took)
	}
}

// A link where the lock file or its directory goes is not written through:
// no lock (the behaviour before locks), and nothing made or changed where
// the link points.
func TestTurnRefusesLinkedLockPath(t *testing.T) {
	cache := ownCache(t)
	path := turnPath("/lib/pkcs11.so", "")
	elsewhere := t.TempDir()
	absent := filepath.Join(elsewhere, "absent")
	if err := os.Symlink(absent, path); err != nil {
		t.Fatal(err)
	}
	if h, busy := takeTurn(path, 100*time.Millisecond); h != nil || busy {
		t.Errorf("a link as lock file: %v %v", h, busy)
	}
	if _, err := os.Lstat(absent); !os.IsNotExist(err) {
		t.Errorf("a file was made through the link: %v", err)
	}
	kept := filepath.Join(elsewhere, "kept")
	if err := os.WriteFile(kept, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(path)
	if err := os.Symlink(kept, path); err != nil {
		t.Fatal(err)
	}
	if h, busy := takeTurn(path, 100*time.Millisecond); h != nil || busy {
		t.Errorf("a link to a file as lock file: %v %v", h, busy)
	}
	if fi, err := os.Stat(kept); err != nil || fi.Mode().Perm() != 0o644 || fi.Size() != 1 {
		t.Errorf("the file behind the link changed: %v %v", fi, err)
	}
	// The locks directory itself a link: no lock path at all.
	locks := filepath.Join(cache, "certigna-desktop", "locks")
	if err := os.RemoveAll(locks); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, locks); err != nil {
		t.Fatal(err)
	}
	if p := turnPath("/lib/pkcs11.so", ""); p != "" {
		t.Errorf("lock path %s through a linked directory", p)
	}
	if ents, _ := os.ReadDir(elsewhere); len(ents) != 1 { // "kept" only
		t.Errorf("something was made in the linked directory: %v", ents)
	}
	// A read-only cache: no lock, no failure.
	_ = os.Remove(locks)
	if err := os.Chmod(filepath.Join(cache, "certigna-desktop"), 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(filepath.Join(cache, "certigna-desktop"), 0o700) })
	if os.Getuid() != 0 && turnPath("/lib/pkcs11.so", "") != "" {
		t.Error("a lock path in a read-only directory")
	}
}

// Wired into every call of a real library: while another process of ours
// holds the test token's lock, opening it (C_Initialize) waits for the whole
// deadline and fails with KindTurn — a translated message saying no try
// was used — then works once the holder lets go. The lock file is 0600.
func TestModuleWaitsForItsTurn(t *testing.T) {
	ownCache(t)
	tok := testtoken.NewSoftHSM(t, testtoken.WithoutEC())
	tok.Setenv(t)
	path := tokenTurn(t, tok)
	_, release := holdTurn(t, path)
	restore := SetDeadlines(Deadlines{Quick: 300 * time.Millisecond, PIN: 300 * time.Millisecond, Pad: time.Second, Slow: 300 * time.Millisecond})
	start := time.Now()
	_, err := Open(tok.ModulePath)
	restore()
	if !IsKind(err, KindTurn) {
		t.Fatalf("opened while another process held the token: %v", err)
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("gave up after %v", took)
	}
	var e *Error
	_ = errors.As(err, &e)
	if fr := e.Message("fr"); !strings.Contains(fr, "autre fenêtre ou commande") || !strings.Contains(fr, "Aucun essai") {
		t.Errorf("fr: %q", fr)
	}
	release.Close()
	var m *Module
	for i := 0; i < 50 && m == nil; i++ { // the holder exits
		m, err = Open(tok.ModulePath)
		if err != nil {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if m == nil {
		t.Fatalf("not opened after the holder let go: %v", err)
	}
	defer m.Close()
	if ts, err := m.Tokens(); err != nil || len(ts) != 1 {
		t.Errorf("tokens %v %v", ts, err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file %v %v", fi, err)
	}
}

// TEST DOUBLE: no software token has a PIN pad reader. loginCounter stands
// for the library behind the lock and counts the logins that reach it.
type loginCounter struct {
	backend
	logins int
}

func (l *loginCounter) Login(pkcs11.SessionHandle, uint, string) error {
	l.logins++
	return nil
}

// A login whose turn never comes reaches nothing (no try used) and says so;
// a login on a PIN pad reader, where the person types on the reader, takes
// no lock: no other process waits on a person.
func TestTurnLoginNothingSentOrPINPad(t *testing.T) {
	ownCache(t)
	path := turnPath("/lib/pkcs11.so", "")
	_, _ = holdTurn(t, path)
	defer SetDeadlines(Deadlines{Quick: 100 * time.Millisecond, PIN: 100 * time.Millisecond, Pad: 5 * time.Second, Slow: time.Second})()
	lib := &loginCounter{}
	g := guard(lib, "/lib/pkcs11.so")
	g.turn = path
	err := g.Login(1, pkcs11.CKU_USER, "123456")
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindTurn || e.PINSent || lib.logins != 0 {
		t.Fatalf("login without its turn: %v, %d reached the library", err, lib.logins)
	}
	if en := e.Message("en"); !strings.Contains(en, "No PIN try was used") {
		t.Errorf("en: %q", en)
	}
	g.pinPad = true
	start := time.Now()
	if err := g.Login(1, pkcs11.CKU_USER, ""); err != nil || lib.logins != 1 {
		t.Fatalf("PIN pad login: %v, %d logins", err, lib.logins)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("the PIN pad login waited %v for the lock", took)
	}
}

// A probe child (discovery's side trial of a library) that cannot have its
// turn says so before its parent's deadline: the candidate is busy
// (token_turn), not a driver that did not answer. Real processes: the
// holder and the probe child are both this test binary.
func TestProbeSaysBusy(t *testing.T) {
	ownCache(t)
	tok := testtoken.NewSoftHSM(t, testtoken.WithoutEC())
	tok.Setenv(t)
	SetProbeCommand(os.Args[0], "probe-module") // the child's own ProbeDeadline is the default, as the app's
	t.Cleanup(func() { SetProbeCommand() })
	_, release := holdTurn(t, tokenTurn(t, tok))
	start := time.Now()
	r := Probe(context.Background(), tok.ModulePath)
	took := time.Since(start)
	if err := r.probeError(); r.Reason != reasonBusy || !IsKind(err, KindTurn) {
		t.Fatalf("probed while another process held the library: %+v, %v", r, err)
	}
	if took < ProbeDeadline/2 || took >= ProbeDeadline {
		t.Errorf("took %v: want from %v (its wait) to below %v (the parent's deadline)", took, ProbeDeadline/2, ProbeDeadline)
	}
	release.Close()
	var ok ProbeResult
	for i := 0; i < 50 && ok.Status != string(CandidateFound); i++ { // the holder exits
		if ok = Probe(context.Background(), tok.ModulePath); ok.Status != string(CandidateFound) {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if ok.Status != string(CandidateFound) || ok.Tokens != 1 {
		t.Errorf("once the holder let go: %+v", ok)
	}
}

// Automatic discovery whose only library another process of ours holds
// says the token is busy (token_turn, the candidate marked so): it does not
// fall back to the demo token as if no token were there.
func TestDiscoverBusyIsNotDemo(t *testing.T) {
	ownCache(t)
	tok := testtoken.NewSoftHSM(t, testtoken.WithoutEC())
	tok.Setenv(t)
	_, release := holdTurn(t, tokenTurn(t, tok))
	defer SetDeadlines(Deadlines{Quick: 200 * time.Millisecond, PIN: 200 * time.Millisecond, Pad: time.Second, Slow: 200 * time.Millisecond})()
	demo := t.TempDir()
	m, cands, err := Discover(DiscoverOptions{Candidates: []KnownModule{{Path: tok.ModulePath, Source: "known"}}, CacheDir: demo})
	if m != nil || !IsKind(err, KindTurn) {
		t.Fatalf("discovery while the only library was held: %v, %v", m, err)
	}
	if len(cands) != 1 || cands[0].Status != CandidateFailed || !IsKind(cands[0].Reason, KindTurn) {
		t.Errorf("candidates %+v", cands)
	}
	if ents, _ := os.ReadDir(demo); len(ents) != 0 {
		t.Errorf("a demo token was made: %v", ents)
	}
	release.Close()
	for i := 0; i < 50; i++ { // the holder exits
		if m, _, err = Discover(DiscoverOptions{Candidates: []KnownModule{{Path: tok.ModulePath, Source: "known"}}, NoDemo: true}); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if m == nil {
		t.Fatalf("not found once the holder let go: %v", err)
	}
	m.Close()
}
