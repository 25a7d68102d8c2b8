package support

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestScrubKeepsFileNamesOnly(t *testing.T) {
	home, _ := os.UserHomeDir()
	for in, want := range map[string]string{
		"failed: open /home/alice/Documents/contrat.pdf: permission denied": "failed: open …/contrat.pdf: permission denied",
		`ok: C:\Users\Bob\Bureau\facture signée.pdf`:                        `ok: …\facture`, // the name is cut at the space: still no folder
		"/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so":                        "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
		`C:\Windows\System32\eTPKCS11.dll refused`:                          `C:\Windows\System32\eTPKCS11.dll refused`,
		"no path here": "no path here",
	} {
		got := scrub(in)
		if !strings.HasPrefix(got, want) || strings.Contains(got, "alice") || strings.Contains(got, "Bob") {
			t.Errorf("scrub(%q) = %q", in, got)
		}
	}
	if home != "" {
		if got := homeless(filepath.Join(home, "drivers", "lib.so")); got != "~"+string(filepath.Separator)+filepath.Join("drivers", "lib.so") {
			t.Errorf("homeless: %q", got)
		}
	}
}

func TestReportTextBothLanguages(t *testing.T) {
	r := Report{App: "Certigna Desktop 1.0", Time: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC), OS: "TestOS 1",
		Module:     Module{Path: "/usr/lib/libeTPkcs11.so", Manufacturer: "SafeNet", Description: "eToken PKCS#11", Version: "10.8", Cryptoki: "2.20"},
		Candidates: []Candidate{{Path: "/usr/lib/libeTPkcs11.so", Source: "known", Status: "found", Tokens: 1, Chosen: true}, {Path: "/usr/lib/libOcsCryptoki.so", Source: "known", Status: "failed", Reason: "crashed"}},
		Tokens: []Token{{Label: "Certigna", Manufacturer: "Gemalto", Model: "ID Prime MD", Serial: "ABC", HardwareVersion: "1.0", FirmwareVersion: "2.1",
			Reader: "SafeNet eToken 5110", MinPIN: 4, MaxPIN: 16, PIN: "count_low", SOPIN: "locked",
			Certs: []Cert{{Holder: "Jean Dupont", Issuer: "Certigna Entity CA", HasKey: true, Serial: "0badc0de"}}}},
		Ops: []Op{{Time: time.Date(2026, 11, 29, 9, 59, 0, 0, time.UTC), Name: "sign", Result: "failed: /home/jean/secret/offre.pdf"}},
	}
	for _, lang := range []string{"fr", "en"} {
		r.Lang = lang
		txt := r.Text()
		for _, w := range []string{"SafeNet eToken 5110", "ID Prime MD", "2.1", "crashed", "Jean Dupont", "…/offre.pdf", "TestOS 1"} {
			if !strings.Contains(txt, w) {
				t.Errorf("%s: missing %q in\n%s", lang, w, txt)
			}
		}
		if strings.Contains(txt, "0badc0de") || strings.Contains(txt, "/home/jean") || strings.Contains(txt, "support.") || strings.Contains(txt, "<no value>") {
			t.Errorf("%s: leaks or untranslated:\n%s", lang, txt)
		}
	}
	r.CertSerials = true
	if !strings.Contains(r.Text(), "0badc0de") {
		t.Error("asked-for certificate serial missing")
	}
}
