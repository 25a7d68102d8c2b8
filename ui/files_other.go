//go:build !linux && !windows && !darwin

package ui

// systemFileChoosers: none known here; Fyne's dialog is used.
func systemFileChoosers() FileChooser { return FileChoosers{} }
