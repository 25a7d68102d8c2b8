//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCLIBrowsersHostilePKCS11Txt (issue #23): `browsers register` and
// `unregister`, run as processes, on a profile whose pkcs11.txt is a FIFO or
// a link to a file outside the profile: each ends at once (runChild's
// deadline catches a hang) with exit 1 and the sentence for it (unregister
// with nothing of ours listed: exit 0, nothing read or written), the FIFO and
// the link stay what they were, and the file the link points to is unchanged.
func TestCLIBrowsersHostilePKCS11Txt(t *testing.T) {
	tok := softToken(t)
	home := fakeHome(t)
	ff := filepath.Join(home, ".mozilla", "firefox")
	prof := filepath.Join(ff, "abcd.default-release")
	if err := os.MkdirAll(prof, 0o700); err != nil {
		t.Fatal(err)
	}
	ini := "[Profile0]\nName=default-release\nIsRelative=1\nPath=abcd.default-release\nDefault=1\n"
	if err := os.WriteFile(filepath.Join(ff, "profiles.ini"), []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(prof, "pkcs11.txt")
	outside := filepath.Join(home, "outside.txt")
	// Our block is in the file the link points to: unregister wants to
	// remove it there, and must refuse.
	orig := "library=\nname=NSS Internal PKCS #11 Module\nNSS=Flags=internal\n\nlibrary=" + tok.ModulePath + "\nname=Token Certigna\n\n"
	if err := os.WriteFile(outside, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, want string
		unregister bool // unregister has something to remove (else: exit 0, nothing touched)
		make       func() error
		check      func() bool
	}{
		{"fifo", "is not an ordinary file", false, func() error { return syscall.Mkfifo(p, 0o600) },
			func() bool { fi, err := os.Lstat(p); return err == nil && fi.Mode()&os.ModeNamedPipe != 0 }},
		{"link", "is a link", true, func() error { return os.Symlink(outside, p) },
			func() bool { l, err := os.Readlink(p); return err == nil && l == outside }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(p)
			if err := tc.make(); err != nil {
				t.Fatal(err)
			}
			for _, verb := range []string{"register", "unregister"} {
				r := runChild(t, nil, strings.NewReader(""), nil, "--lang", "en", "--module", tok.ModulePath, "browsers", verb)
				if verb == "unregister" && !tc.unregister {
					if r.code != exitOK {
						t.Errorf("%s: exit %d\n%s", verb, r.code, r.stderr)
					}
					continue
				}
				if r.code != exitFailure || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, p) {
					t.Errorf("%s: exit %d\n%s\n%s", verb, r.code, r.stdout, r.stderr)
				}
			}
			if !tc.check() {
				t.Error("pkcs11.txt was replaced")
			}
			if b, _ := os.ReadFile(outside); string(b) != orig {
				t.Errorf("the file outside the profile changed: %q", b)
			}
		})
	}
}
