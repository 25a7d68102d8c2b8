package main

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	certigna "github.com/certigna-desktop/app"
	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/instance"
	"github.com/certigna-desktop/app/token"
	"github.com/certigna-desktop/app/ui"
)

// The GUI entry point: the guided window over the real token and signer.
func init() {
	runGUI = runWindow
}

// envStartScreen opens the window on a given screen (guide, driver, token,
// pin, blocked, sign, about): used by scripts/smoke-gui.sh for screenshots.
const envStartScreen = "CERTIGNA_START_SCREEN"

// envFileDialog=window keeps the file questions in the window's own
// dialogs (no zenity, portal or system dialog): the Xvfb walks type paths
// in them (scripts/lib/xwin.sh).
const envFileDialog = "CERTIGNA_FILE_DIALOG"

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
	// One window per user and display: a second launch (a double-click on a
	// PDF) hands its files to the first and exits.
	instDir, session := instance.DefaultDir(), instance.Session()
	handed := make(chan []string, 16)
	inst, err := instance.Listen(instDir, session, func(files []string) { handed <- files })
	if errors.Is(err, instance.ErrRunning) && instance.Send(instDir, session, env.Files) == nil {
		return exitOK
	}
	if inst != nil {
		defer inst.Close()
	} // else: no socket (a read-only runtime dir…): the app still works, as several windows
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
	w.Resize(defaultWindowSize(fa.Settings().Scale()))
	w.CenterOnScreen()
	updates := updateChecker() // updates.go
	tokens := actions.NewTokens(token.DiscoverOptions{Path: env.ModulePath, Demo: env.Demo, SavedPath: store.Settings().ModulePath})
	opts := ui.Options{
		Lang:        lang,
		Tokens:      tokens,
		Pages:       actions.NewPageSource(), // the sign screen's page preview
		Store:       store,
		Version:     certigna.Version(),
		StartScreen: os.Getenv(envStartScreen),
		UpdateCheck: updates != nil,
	}
	if os.Getenv(envFileDialog) == "window" {
		opts.Files = ui.FileChoosers{}
	}
	u := ui.New(fa, w, opts)
	u.Start()
	// The files of this launch and of the launches that follow within a
	// moment open together (instance.Gather: Explorer's one process per file).
	handed <- env.Files
	go instance.Gather(handed, 300*time.Millisecond, func(files []string) {
		fyne.Do(func() { u.OpenFiles(files) })
	})
	// X11 takes the window's class (WM_CLASS) from its title when it is
	// created: it must be the app's name, the launcher's StartupWMClass, for
	// the taskbar to group the window under the launcher's icon. The screen's
	// title comes back once the window exists.
	title := w.Title()
	w.SetTitle(info.Name)
	fa.Lifecycle().SetOnStarted(func() {
		w.SetTitle(title)
		openFileEvents(fa, u)
		u.NotifyReminders() // a certificate to renew: one desktop notification a day at most
		checkForUpdate(updates, store, u, lang)
	})
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

// defaultWindowSize fits the first window on common screens: 1366×768 at
// scale 1 (700 px tall leaves room for the title bar and a panel) and
// 1920×1080 at FYNE_SCALE=1.5 (1024×740 was 1536×1110 pixels there).
func defaultWindowSize(scale float32) fyne.Size {
	w, h := float32(1024), float32(700)
	if scale > 1 {
		w = min(w, 1800/scale)
		h = min(h, 1000/scale)
	}
	return fyne.NewSize(w, h)
}
