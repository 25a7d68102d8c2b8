//go:build unix

package browsers

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHostileProfilesINI: a huge profiles.ini (millions of sections, a
// line longer than the scanner's buffer) and a FIFO as profiles.ini end
// quickly with a bounded list of profiles (issue #11).
func TestHostileProfilesINI(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.ini")
	var b strings.Builder
	for i := 0; b.Len() < 30<<20; i++ {
		fmt.Fprintf(&b, "[Profile%d]\nName=p%d\nPath=p%d\n", i, i, i)
	}
	if err := os.WriteFile(big, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := len(readProfilesINI(big)); got == 0 || got > maxProfiles+1 {
		t.Errorf("huge profiles.ini: %d profiles", got)
	}
	long := filepath.Join(dir, "long.ini")
	os.WriteFile(long, []byte("[Profile0]\nName="+strings.Repeat("x", 1<<20)+"\nPath=a\n"), 0o600)
	readProfilesINI(long) // no crash; what it keeps does not matter
	fifo := filepath.Join(dir, "fifo.ini")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	done := make(chan []iniProfile, 1)
	go func() { done <- readProfilesINI(fifo) }()
	select {
	case p := <-done:
		if len(p) != 0 {
			t.Errorf("FIFO: %v", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a FIFO as profiles.ini blocks")
	}
}

// hostileStore is a closed Firefox profile in a fresh folder, next to an
// "outside" folder standing for the rest of the disk.
func hostileStore(t *testing.T) (Store, string) {
	t.Helper()
	root := t.TempDir()
	dir, outside := filepath.Join(root, "profile"), filepath.Join(root, "outside")
	for _, d := range []string{dir, outside} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return Store{App: Firefox, Packaging: Native, Name: "p", Dir: dir, HasDB: true}, outside
}

// withDeadline runs f and fails the test if it has not returned in 10 s (a
// FIFO opened for reading blocks until a writer comes).
func withDeadline(t *testing.T, what string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: still running after 10 s", what)
		return nil
	}
}

// checkMessages: the refusal has its own fr and en text naming the file.
func checkMessages(t *testing.T, err error, k Kind) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Kind != k {
		t.Fatalf("want a %s refusal, got %v", k, err)
	}
	for _, lang := range []string{"fr", "en"} {
		m := e.Message(lang)
		if strings.Contains(m, "browsers.err") || !strings.Contains(m, e.Path) || strings.Contains(m, "<no value>") {
			t.Errorf("%s message for %s: %q", lang, k, m)
		}
	}
}

const hostileLib = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"

// TestHostileBackupLink (issue #23): an existing pkcs11.txt.certigna-backup
// that is a link to a file outside the profile is replaced by the real
// backup; the file it pointed to is not touched.
func TestHostileBackupLink(t *testing.T) {
	s, outside := hostileStore(t)
	victim := filepath.Join(outside, "victim")
	write(t, victim, "precious\n")
	orig := "library=\nname=NSS Internal PKCS #11 Module\nNSS=Flags=internal\n\n"
	write(t, filepath.Join(s.Dir, "pkcs11.txt"), orig)
	if err := os.Symlink(victim, filepath.Join(s.Dir, "pkcs11.txt"+BackupSuffix)); err != nil {
		t.Fatal(err)
	}
	ch, err := Register(s, hostileLib)
	if err != nil || !ch.Changed {
		t.Fatalf("Register: %+v %v", ch, err)
	}
	if b := mustRead(t, victim); string(b) != "precious\n" {
		t.Fatalf("the file outside the profile was written: %q", b)
	}
	fi, err := os.Lstat(ch.Backup)
	if err != nil || !fi.Mode().IsRegular() || string(mustRead(t, ch.Backup)) != orig {
		t.Fatalf("backup is not a regular copy of the original: %v %v", fi, err)
	}
	// Unregister with the backup made a link again: it is neither compared
	// nor removed through the link, the outside file stays.
	os.Remove(ch.Backup)
	if err := os.Symlink(victim, ch.Backup); err != nil {
		t.Fatal(err)
	}
	if _, err := Unregister(s, hostileLib); err != nil {
		t.Fatal(err)
	}
	if b := mustRead(t, victim); string(b) != "precious\n" {
		t.Fatalf("Unregister wrote outside the profile: %q", b)
	}
	if string(mustRead(t, filepath.Join(s.Dir, "pkcs11.txt"))) != orig {
		t.Fatal("Unregister did not restore the original")
	}
	onlyNames(t, outside, "victim")
}

// TestHostilePKCS11Link (issue #23): a pkcs11.txt that is a link is refused
// with a message by both verbs; the link and its target stay as they were.
func TestHostilePKCS11Link(t *testing.T) {
	s, outside := hostileStore(t)
	target := filepath.Join(outside, "pkcs11.txt")
	orig := "library=\nname=NSS Internal PKCS #11 Module\nNSS=Flags=internal\n\nlibrary=" + hostileLib + "\nname=" + ModuleName + "\n\n"
	write(t, target, orig)
	p := filepath.Join(s.Dir, "pkcs11.txt")
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
	_, err := Register(s, "/opt/other/lib.so")
	checkMessages(t, err, KindLinked)
	_, err = Unregister(s, hostileLib)
	checkMessages(t, err, KindLinked)
	if l, err := os.Readlink(p); err != nil || l != target {
		t.Fatalf("the link was replaced: %q %v", l, err)
	}
	if string(mustRead(t, target)) != orig {
		t.Fatal("the link's target was changed")
	}
	onlyNames(t, s.Dir, "pkcs11.txt")
	onlyNames(t, outside, "pkcs11.txt")
}

// TestHostilePKCS11FIFO (issue #23): a FIFO named pkcs11.txt (and one named
// as the backup) makes neither verb nor the listing wait for a writer.
func TestHostilePKCS11FIFO(t *testing.T) {
	s, _ := hostileStore(t)
	p := filepath.Join(s.Dir, "pkcs11.txt")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	err := withDeadline(t, "Register", func() error { _, err := Register(s, hostileLib); return err })
	checkMessages(t, err, KindNotRegular)
	err = withDeadline(t, "Unregister", func() error { _, err := Unregister(s, hostileLib); return err })
	checkMessages(t, err, KindNotRegular)
	withDeadline(t, "listing", func() error { fill(&s, Options{Module: hostileLib}.filled()); return nil })
	if fi, err := os.Lstat(p); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatal("the FIFO was replaced")
	}
	// A FIFO as the backup, with a registered pkcs11.txt: Unregister
	// neither blocks on it nor removes it.
	os.Remove(p)
	write(t, p, "library="+hostileLib+"\nname="+ModuleName+"\n\n")
	if err := syscall.Mkfifo(p+BackupSuffix, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := withDeadline(t, "Unregister (FIFO backup)", func() error { _, err := Unregister(s, hostileLib); return err }); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(p + BackupSuffix); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatal("the FIFO backup was removed or replaced")
	}
}

// TestHostilePKCS11Huge (issue #23): a 3 GB sparse pkcs11.txt is refused
// by both verbs with a message, without reading it: memory stays bounded
// (measured as the bytes allocated during the calls) and nothing is written.
func TestHostilePKCS11Huge(t *testing.T) {
	s, _ := hostileStore(t)
	p := filepath.Join(s.Dir, "pkcs11.txt")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(3 << 30); err != nil {
		t.Skip("no sparse file here:", err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, errR := Register(s, hostileLib)
	_, errU := Unregister(s, hostileLib)
	runtime.ReadMemStats(&after)
	checkMessages(t, errR, KindTooLarge)
	checkMessages(t, errU, KindTooLarge)
	if !strings.Contains(errR.(*Error).Message("en"), "3072 MB") {
		t.Errorf("size not in the message: %q", errR.(*Error).Message("en"))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("%d bytes allocated for a refused file", alloc)
	}
	// Just above the bound (a real file, not sparse) is refused too; just
	// below is read and registered.
	os.Truncate(p, maxPKCS11Txt+1)
	if _, err := Register(s, hostileLib); !IsKind(err, KindTooLarge) {
		t.Fatalf("bound+1: %v", err)
	}
	os.Truncate(p, maxPKCS11Txt-1024)
	if _, err := Register(s, hostileLib); err != nil {
		t.Fatalf("just under the bound: %v", err)
	}
	onlyNames(t, s.Dir, "pkcs11.txt", "pkcs11.txt"+BackupSuffix)
}

// onlyNames: the folder holds exactly these names (no temporary file left).
func onlyNames(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}
