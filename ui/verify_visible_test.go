package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// A document whose page shows something else than when it was signed (an
// annotation painted over the amount): the card shows the signed version
// and the current page side by side, and "Ouvrir la version signée" saves
// the signed revision beside the file and opens it.
func TestVerifyVisibleChangesSideBySide(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	dir := t.TempDir()
	in := filepath.Join(dir, "contrat.pdf")
	b, err := os.ReadFile(corpus("attack-annotation-overlay.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(in, b, 0o644)
	v := verifyFile(t, h, in)
	if v.check == nil || v.check.OK || len(v.check.Signatures) != 1 || len(v.check.Signatures[0].Visible) != 1 {
		t.Fatalf("check %+v %v", v.check, v.err)
	}
	mustShow(t, h.win, "modifications visibles en page 1")
	mustShow(t, h.win, "à gauche la version signée")
	for i := 0; i < 100 && v.compared[1] == nil; i++ {
		h.settle()
	}
	if v.compared[0] == nil || v.compared[1] == nil || v.compared[0].Bounds() != v.compared[1].Bounds() {
		t.Fatalf("pages not drawn: %v", v.compared)
	}
	mustShow(t, h.win, "Version signée")
	snapshot(t, h, "15-verify-visible-changes.png")
	test.Tap(v.openSignedButton)
	h.settle()
	saved := filepath.Join(dir, "contrat-version-signee-2.pdf")
	got, err := os.ReadFile(saved)
	if err != nil || len(got) >= len(b) || string(b[:len(got)]) != string(got) {
		t.Fatalf("signed version: %v (%d of %d bytes)", err, len(got), len(b))
	}
	if len(h.opened) == 0 || !strings.HasSuffix(h.opened[len(h.opened)-1], "contrat-version-signee-2.pdf") {
		t.Fatalf("opened %v", h.opened)
	}
}
