// Package pdftest holds the test helpers the tests of several pdfsign
// packages share. Tests only: product code never imports it.
package pdftest

import (
	"errors"

	"strings"
	"testing"

	"github.com/certigna-desktop/app/pdfsign"
)

// WantLTVKind fails t unless err is a *pdfsign.LTVError of that kind with
// its texts translated.
func WantLTVKind(t *testing.T, err error, kind pdfsign.LTVKind) *pdfsign.LTVError {
	t.Helper()
	var le *pdfsign.LTVError
	if !errors.As(err, &le) {
		t.Fatalf("want *LTVError %s, got %v", kind, err)
	}
	if le.Kind != kind {
		t.Fatalf("want kind %s, got %s (%v)", kind, le.Kind, err)
	}
	for _, lang := range []string{"fr", "en"} {
		m := le.Message(lang)
		if m == "" || strings.Contains(m, "ltv.err.") || strings.Contains(m, "{{") {
			t.Errorf("%s message for %s not translated: %q", lang, kind, m)
		}
	}
	if le.Message("fr") == le.Message("en") {
		t.Errorf("fr and en messages are the same for %s", kind)
	}
	return le
}
