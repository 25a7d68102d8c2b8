//go:build linux

package ui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/internal/testtoken"
)

// With two Firefox profiles, "Enregistrer le token" on the second one says
// the outcome in that profile's card, beside its button, not under every
// card and the "Actualiser" button.
func TestBrowsersRegisterMessageBesideItsButton(t *testing.T) {
	testtoken.Need(t, "certutil")
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	ff := filepath.Join(home, ".mozilla", "firefox")
	ini := ""
	for i, p := range []string{"aaaa.default-release", "bbbb.travail"} {
		d := filepath.Join(ff, p)
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("certutil", "-N", "-d", "sql:"+d, "--empty-password").CombinedOutput(); err != nil {
			t.Fatalf("certutil -N: %v %s", err, out)
		}
		ini += "[Profile" + string(rune('0'+i)) + "]\nName=" + strings.SplitN(p, ".", 2)[1] + "\nIsRelative=1\nPath=" + p + "\n\n"
	}
	if err := os.WriteFile(filepath.Join(ff, "profiles.ini"), []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.win.Resize(fyne.NewSize(1000, 2000)) // every card in view
	h.app.show(screenBrowsers)
	drv := fyne.CurrentApp().Driver()
	var regs []*widget.Button
	var regObjs []fyne.CanvasObject // as laid out (the window's button around Fyne's)
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if b, ok := asButton(o); ok && b.Text == "Enregistrer le token" && !b.Disabled() {
			regs = append(regs, b)
			regObjs = append(regObjs, o)
		}
	}
	if len(regs) < 2 {
		t.Fatalf("%d register buttons:\n%s", len(regs), strings.Join(texts(h.win), "\n"))
	}
	// the "travail" profile's button: the one on the same row as its name
	var reg *widget.Button
	var name fyne.CanvasObject
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if l, ok := o.(*widget.Label); ok && l.Text == "Firefox — travail" {
			name = l
		}
	}
	if name == nil {
		t.Fatalf("no card for the second profile:\n%s", strings.Join(texts(h.win), "\n"))
	}
	for i, b := range regs {
		if dy := drv.AbsolutePositionForObject(regObjs[i]).Y - drv.AbsolutePositionForObject(name).Y; dy > -20 && dy < 20 {
			reg = b
		}
	}
	if reg == nil {
		t.Fatal("no register button beside the second profile's name")
	}
	test.Tap(reg)
	h.settle()
	v := h.app.browsersView()
	if !strings.Contains(v.info.Text, "Token enregistré dans Firefox (travail)") {
		t.Fatalf("outcome %q", v.info.Text)
	}
	// after the screen was rebuilt: the message is just under that card's name
	var nameY float32 = -1
	var refreshY float32 = -1
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if l, ok := o.(*widget.Label); ok && l.Text == "Firefox — travail" {
			nameY = drv.AbsolutePositionForObject(l).Y
		}
		if b, ok := asButton(o); ok && b.Text == "Actualiser" {
			_ = b
			refreshY = drv.AbsolutePositionForObject(o).Y
		}
	}
	infoY := drv.AbsolutePositionForObject(v.info).Y
	if nameY < 0 || infoY < nameY || infoY-nameY > 120 || infoY > refreshY {
		t.Fatalf("message at y=%.0f, its card's name at y=%.0f, Actualiser at y=%.0f: not beside the button", infoY, nameY, refreshY)
	}
}
