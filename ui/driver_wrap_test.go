package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/certigna-desktop/app/actions"
)

// longPaths reports module candidates at long Windows paths, as discovery
// does on Windows (a double: no Windows install layout exists on this machine).
type longPaths struct{ TokenService }

const longWinPath = `C:\Program Files\Certigna\Middleware\Cryptographic Service Provider\PKCS11\x64\Release\certigna-pkcs11-vendor-module-x64.dll`

func (l longPaths) Module() actions.ModuleStatus {
	m := l.TokenService.Module()
	m.Loaded = false // nothing found: the screen opens the list of what was tried
	m.Candidates = append(m.Candidates, actions.Candidate{Path: longWinPath, Source: "known", Status: "not_found"},
		actions.Candidate{Path: strings.ReplaceAll(longWinPath, " ", ""), Source: "known", Status: "not_found"})
	return m
}

func (l longPaths) Init() actions.ModuleStatus {
	l.TokenService.Init()
	return l.Module()
}

// On the Driver screen a long Windows path wraps: its line stays inside the
// window and the status badge beside it stays visible.
func TestDriverScreenWrapsLongWindowsPaths(t *testing.T) {
	tok := softhsm(t)
	h := startWith(t, tok, "fr", func(s TokenService) TokenService { return longPaths{s} })
	h.win.Resize(fyne.NewSize(800, 700))
	h.app.show(screenDriver)
	h.settle()
	winW := h.win.Canvas().Size().Width
	found := 0
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		l, ok := o.(*widget.Label)
		if !ok || !strings.Contains(l.Text, `x64\Release`) && !strings.Contains(l.Text, `x64\\Release`) {
			continue
		}
		found++
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(l)
		if l.Wrapping == fyne.TextWrapOff || l.Size().Width <= 0 || pos.X+l.Size().Width > winW {
			t.Errorf("path line not wrapped: x %v + width %v > window %v", pos.X, l.Size().Width, winW)
		}
	}
	if found < 2 {
		t.Fatalf("long path lines not shown (%d):\n%s", found, strings.Join(texts(h.win), "\n"))
	}
}
