package instance

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"
)

func TestSecondLaunchHandsFilesToTheFirst(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	got := make(chan []string, 2)
	srv, err := Listen(dir, ":7", func(f []string) { got <- f })
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if runtime.GOOS != "windows" {
		for p, want := range map[string]os.FileMode{dir: 0o700, socketPath(dir, ":7"): 0o600} {
			fi, err := os.Stat(p)
			if err != nil || fi.Mode().Perm() != want {
				t.Fatalf("%s: mode %v, want %v (%v)", p, fi.Mode().Perm(), want, err)
			}
		}
	}
	// The second launch: Listen says another one runs, Send hands over.
	if _, err := Listen(dir, ":7", func([]string) { t.Error("second listener got files") }); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Listen: %v, want ErrRunning", err)
	}
	wd, _ := os.Getwd()
	if err := Send(dir, ":7", []string{"a.pdf", "/x/é b.pdf"}); err != nil {
		t.Fatal(err)
	}
	select {
	case f := <-got:
		if want := []string{filepath.Join(wd, "a.pdf"), "/x/é b.pdf"}; !reflect.DeepEqual(f, want) {
			t.Fatalf("files %q, want %q", f, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the running instance got nothing")
	}
	// No file: just bring the window forward.
	if err := Send(dir, ":7", nil); err != nil {
		t.Fatal(err)
	}
	if f := <-got; len(f) != 0 {
		t.Fatalf("files %q", f)
	}
}

func TestStaleSocketIsReclaimed(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix listeners remove their file on close there")
	}
	dir := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// A socket file nobody listens on (the app crashed).
	ln, err := net.Listen("unix", socketPath(dir, ":7"))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if Send(dir, ":7", nil) == nil {
		t.Fatal("Send to a dead socket succeeded")
	}
	srv, err := Listen(dir, ":7", func([]string) {})
	if err != nil {
		t.Fatalf("stale socket not reclaimed: %v", err)
	}
	srv.Close()
	if _, err := os.Stat(socketPath(dir, ":7")); !os.IsNotExist(err) {
		t.Fatalf("socket left after Close: %v", err)
	}
}

func TestDirectoryOthersCanReachIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("permission bits")
	}
	base := t.TempDir()
	open := filepath.Join(base, "open")
	if err := os.Mkdir(open, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(open, "", func([]string) {}); !errors.Is(err, errNotPrivate) {
		t.Fatalf("world-writable dir: %v", err)
	}
	if err := Send(open, "", nil); !errors.Is(err, errNotPrivate) {
		t.Fatalf("Send through a world-writable dir: %v", err)
	}
	// A symlink planted where the directory should be.
	real := filepath.Join(base, "real")
	os.Mkdir(real, 0o700)
	link := filepath.Join(base, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(link, "", func([]string) {}); !errors.Is(err, errNotPrivate) {
		t.Fatalf("symlinked dir: %v", err)
	}
}

func TestGarbageOnTheSocketIsIgnored(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	got := make(chan []string, 1)
	srv, err := Listen(dir, ":7", func(f []string) { got <- f })
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := net.Dial("unix", socketPath(dir, ":7"))
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte(`{"files":["relative.pdf"]}` + "\n"))
	buf := make([]byte, 3)
	c.Read(buf)
	c.Close()
	if f := <-got; len(f) != 0 {
		t.Fatalf("a relative path was passed on: %q", f)
	}
	c, _ = net.Dial("unix", socketPath(dir, ":7"))
	c.Write([]byte("not json"))
	c.Close()
	select {
	case f := <-got:
		t.Fatalf("garbage opened %q", f)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestOtherDisplayGetsItsOwnWindow(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	srv, err := Listen(dir, ":7", func([]string) {})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := Send(dir, ":8", nil); err == nil {
		t.Fatal("a launch on display :8 reached the window of :7")
	}
	srv8, err := Listen(dir, ":8", func([]string) {})
	if err != nil {
		t.Fatalf("display :8 could not have its own instance: %v", err)
	}
	srv8.Close()
}
