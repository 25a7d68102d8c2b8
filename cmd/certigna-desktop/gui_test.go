package main

import (
	"bytes"
	"strings"
	"testing"
)

// Without a display the window cannot open: a sentence in the chosen
// language and exit 1, never GLFW's panic and stack trace.
func TestNoDisplayIsASentenceNotAPanic(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	for lang, want := range map[string]string{"fr": "Aucun écran graphique", "en": "No graphical display"} {
		var out, errb bytes.Buffer
		code := run([]string{"--lang", lang}, strings.NewReader(""), &out, &errb)
		if code != exitFailure || !strings.Contains(errb.String(), want) || strings.Contains(errb.String(), "goroutine") {
			t.Errorf("%s: exit %d, stderr %q", lang, code, errb.String())
		}
	}
}
