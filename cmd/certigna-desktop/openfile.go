package main

import (
	"sync"

	"fyne.io/fyne/v2"
	"github.com/certigna-desktop/app/ui"
)

// Files the system hands to the running app outside argv — on macOS, the
// "open documents" event of a double-click, "Ouvrir avec" or a drop on the
// Dock icon (openfile_darwin.go). They may arrive before the window exists:
// kept until openFileEvents connects them to it.
var opened struct {
	sync.Mutex
	pending []string
	sink    func([]string)
}

// systemOpened is called (on any goroutine) with one file the system opened.
func systemOpened(path string) {
	opened.Lock()
	defer opened.Unlock()
	if opened.sink != nil {
		opened.sink([]string{path})
		return
	}
	opened.pending = append(opened.pending, path)
}

// platformStarted runs once the app is up (macOS: registers the Services
// menu provider, openfile_darwin.go).
var platformStarted = func() {}

// openFileEvents sends the files kept so far, and all later ones, to the window.
func openFileEvents(_ fyne.App, u *ui.App) {
	platformStarted()
	opened.Lock()
	defer opened.Unlock()
	opened.sink = func(files []string) { fyne.Do(func() { u.OpenFiles(files) }) }
	if len(opened.pending) > 0 {
		opened.sink(opened.pending)
		opened.pending = nil
	}
}
