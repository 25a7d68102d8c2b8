package assets

import (
	"strings"
	"testing"
)

func TestEveryKeyTranslatedInBothLanguages(t *testing.T) {
	cat, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range Languages {
		for _, b := range Languages {
			for k := range cat[a] {
				if _, ok := cat[b][k]; !ok {
					t.Errorf("key %q is in %s but not in %s", k, a, b)
				}
			}
		}
	}
	for k, v := range cat["fr"] {
		if strings.TrimSpace(v) == "" {
			t.Errorf("empty French text for %q", k)
		}
	}
}

func TestTemplatesAndFallback(t *testing.T) {
	if got := T("fr", "cli.unknown_verb", map[string]any{"Verb": "zz"}); !strings.Contains(got, "« zz »") {
		t.Fatalf("got %q", got)
	}
	if got := T("en", "cli.unknown_verb", map[string]any{"Verb": "zz"}); !strings.Contains(got, "“zz”") {
		t.Fatalf("got %q", got)
	}
	if got := T("fr", "no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key gives %q", got)
	}
}

func TestNormalizeLang(t *testing.T) {
	for in, want := range map[string]string{"fr_FR.UTF-8": "fr", "en_GB": "en", "C": "fr", "C.UTF-8": "fr", "": "fr", "de_DE": "en", "FR": "fr"} {
		if got := NormalizeLang(in); got != want {
			t.Errorf("NormalizeLang(%q) = %q, want %q", in, got, want)
		}
	}
}
