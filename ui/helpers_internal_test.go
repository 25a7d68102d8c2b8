package ui

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/certigna-desktop/app/actions"
)

func TestIsWeakPIN(t *testing.T) {
	for p, want := range map[string]bool{
		"0000": true, "1234": true, "98765": true, "777777": true, "123456": true,
		"2580": false, "1357": false, "120456": false, "azer": false, "1": false,
	} {
		if isWeakPIN(p) != want {
			t.Errorf("IsWeakPIN(%q) = %v", p, !want)
		}
	}
}

func TestSignedNameOneSuffixNumbered(t *testing.T) {
	dir := t.TempDir()
	touch := func(n string) { os.WriteFile(filepath.Join(dir, n), nil, 0o644) }
	check := func(in, want string) {
		t.Helper()
		if got := filepath.Base(signedName(dir, in, "-signé")); got != want {
			t.Fatalf("%s → %s, want %s", in, got, want)
		}
	}
	check("x.pdf", "x-signé.pdf")
	touch("x-signé.pdf")
	check("x.pdf", "x-signé-2.pdf")
	check("x-signé.pdf", "x-signé-2.pdf")
	touch("x-signé-2.pdf")
	check("x-signé-2.pdf", "x-signé-3.pdf")
	check("x-signed.pdf", "x-signé-3.pdf") // the English suffix is one suffix too
	check("contrat signé.PDF", "contrat signé-signé.pdf")
}

func TestPluralFrenchSingularForZeroAndOne(t *testing.T) {
	for n, want := range map[int]string{0: "0 étape terminée sur 7", 1: "1 étape terminée sur 7", 2: "2 étapes terminées sur 7"} {
		if got := plural("fr", "ui.guide.progress", n, map[string]any{"Total": 7}); got != want {
			t.Errorf("fr %d: %q", n, got)
		}
	}
	if got := plural("en", "ui.guide.progress", 1, map[string]any{"Total": 7}); got != "1 of 7 steps done" {
		t.Errorf("en 1: %q", got)
	}
}

func TestGenericModule(t *testing.T) {
	for _, m := range []actions.ModuleStatus{
		{Path: "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"},
		{Path: "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so"},
		{Path: "/x/lib.so", Manufacturer: "OpenSC Project"},
		{Path: "/usr/lib/softhsm/libsofthsm2.so"},
	} {
		if genericModule(m) == "" {
			t.Errorf("%+v: not generic", m)
		}
	}
	if g := genericModule(actions.ModuleStatus{Path: "/usr/lib/libeTPkcs11.so", Manufacturer: "SafeNet, Inc."}); g != "" {
		t.Errorf("SafeNet taken for %s", g)
	}
}

func TestCertRefusal(t *testing.T) {
	now := time.Now()
	ok := actions.CertInfo{NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	ok.KeyUsage = []string{"non_repudiation"}
	if err := certRefusal(&ok, now); err != nil {
		t.Fatal(err)
	}
	exp := ok
	exp.NotAfter = now.Add(-time.Minute)
	enc := ok
	enc.KeyUsage = []string{"key_encipherment"}
	for _, c := range []actions.CertInfo{exp, enc} {
		if err := certRefusal(&c, now); err == nil {
			t.Fatalf("%+v accepted", c)
		}
	}
}
