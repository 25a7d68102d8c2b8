package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// verify --signed-version N -o OUT writes the bytes up to revision N's
// %%EOF: for an annotation overlay attack, the signed version is the file
// as signed (it verifies as covering the whole document) and the current
// one says "visible changes on page 1"; nothing is written on a refusal.
func TestCLISignedVersion(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	in := filepath.Join("..", "..", "pdfsign", "testdata", "verify", "attack-annotation-overlay.pdf")
	code, out, errs := cli(t, "", "--lang", "en", "verify", in)
	if code != exitFailure || !strings.Contains(out, "visible changes on page 1") {
		t.Fatalf("attack: exit %d\n%s%s", code, out, errs)
	}
	dir := t.TempDir()
	o := filepath.Join(dir, "signed.pdf")
	code, out, errs = cli(t, "", "--lang", "en", "verify", in, "--signed-version", "2", "-o", o)
	if code != exitOK || !strings.Contains(out, "Signed version 2 saved") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	full, _ := os.ReadFile(in)
	got, err := os.ReadFile(o)
	if err != nil || len(got) >= len(full) || !bytes.Equal(full[:len(got)], got) || !bytes.HasSuffix(bytes.TrimRight(got, "\r\n"), []byte("%%EOF")) {
		t.Fatalf("signed version: %d of %d bytes, %v", len(got), len(full), err)
	}
	code, out, errs = cli(t, "", "--lang", "en", "verify", o)
	if code != exitOK || !strings.Contains(out, "Changes after signing: none") {
		t.Fatalf("the signed version: exit %d\n%s%s", code, out, errs)
	}
	// Refusals: no such revision, an existing output, -o without N.
	o2 := filepath.Join(dir, "other.pdf")
	if code, _, errs := cli(t, "", "--lang", "en", "verify", in, "--signed-version", "9", "-o", o2); code != exitUsage || !strings.Contains(errs, "revision does not exist") {
		t.Fatalf("revision 9: exit %d %s", code, errs)
	}
	if code, _, _ := cli(t, "", "verify", in, "--signed-version", "1", "-o", o); code != exitUsage {
		t.Fatalf("existing output: exit %d", code)
	}
	if code, _, _ := cli(t, "", "verify", in, "-o", o2); code != exitUsage {
		t.Fatalf("-o alone: exit %d", code)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left in the folder: %v", entries)
	}
}
