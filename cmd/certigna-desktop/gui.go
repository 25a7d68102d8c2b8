package main

import (
	"os"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	certigna "github.com/certigna-desktop/app"
	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/ui"
	"github.com/certigna-desktop/app/ui/backend"
)

// The GUI entry point: the guided window over the real token and signer.
func init() {
	runGUI = runWindow
}

// envStartScreen opens the window on a given screen (guide, driver, token,
// pin, blocked, sign, about): used by scripts/smoke-gui.sh for screenshots.
const envStartScreen = "CERTIGNA_START_SCREEN"

func runWindow(env *Env) (code int) {
	if !hasDisplay() {
		return env.fail(exitFailure, env.T("cli.no_display"))
	}
	// GLFW panics when it cannot open the display or OpenGL; a person gets a
	// sentence, not a stack trace.
	defer func() {
		if r := recover(); r != nil {
			code = env.fail(exitFailure, env.T("cli.gui_unavailable", map[string]any{"Err": r}))
		}
	}()
	storePath, _ := ui.DefaultStorePath()
	store := ui.OpenStore(storePath)
	lang := env.Lang
	if saved := store.Settings().Lang; saved != "" && !langGiven(os.Args[1:]) {
		lang = saved // the in-app switch is remembered unless --lang says otherwise
	}
	info := certigna.App()
	fa := app.NewWithID(info.ID)
	if len(assets.IconPNG) > 0 {
		fa.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	}
	fa.Settings().SetTheme(ui.NewTheme())
	w := fa.NewWindow(info.Name)
	w.Resize(fyne.NewSize(1024, 740))
	w.CenterOnScreen()
	tokens := backend.NewTokens(backend.TokenOptions{Path: env.ModulePath, Demo: env.Demo, SavedPath: store.Settings().ModulePath})
	u := ui.New(fa, w, ui.Options{
		Lang:        lang,
		Tokens:      tokens,
		Signer:      backend.NewPDF(),
		Store:       store,
		Version:     certigna.Version(),
		StartScreen: os.Getenv(envStartScreen),
	})
	u.Start()
	w.ShowAndRun()
	u.Stop()
	return exitOK
}

func langGiven(args []string) bool {
	for _, a := range args {
		if a == "--lang" || strings.HasPrefix(a, "--lang=") {
			return true
		}
	}
	return false
}

// hasDisplay says whether a window can open: macOS and Windows always have a
// desktop; elsewhere an X11 or Wayland session must be there.
func hasDisplay() bool {
	switch runtime.GOOS {
	case "windows", "darwin":
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}
