package ui

import (
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
)

// OpenFiles opens files given on the command line or handed over by a second
// launch (a file manager's "Ouvrir avec" / "Signer avec Certigna", the macOS
// open-file event): the same rules as a drop — one already signed opens
// Vérifier with "Signer aussi", others the signature screen, several the
// batch. No file: the window is just brought forward. Call on the UI goroutine.
func (a *App) OpenFiles(paths []string) {
	a.win.RequestFocus()
	if len(paths) == 0 {
		return
	}
	uris := make([]fyne.URI, 0, len(paths))
	for _, p := range paths {
		uris = append(uris, storage.NewFileURI(p))
	}
	if a.screen == screenVerify {
		// A drop on Vérifier checks whatever is dropped; a file opened from
		// outside follows the rule above whatever the screen shown.
		a.show(screenSign)
	}
	a.handleDrop(uris)
	a.win.SetTitle(a.title())
}

// title is the window's: what it does with which document, when it works on
// one (taskbars and window lists show it), else the app's usual title.
func (a *App) title() string {
	switch {
	case a.screen == screenVerify && a.verify != nil && a.verify.file != "":
		return a.t("ui.open.title_verify", map[string]any{"Name": filepath.Base(a.verify.file)})
	case a.screen == screenSign && a.sign != nil && len(a.sign.batch) > 1:
		return a.n("ui.open.title_batch", len(a.sign.batch))
	case a.screen == screenSign && a.sign != nil && a.sign.inputPath != "" && a.sign.inputPath != a.sign.sample:
		return a.t("ui.open.title_sign", map[string]any{"Name": filepath.Base(a.sign.inputPath)})
	}
	return a.t("ui.window_title")
}
