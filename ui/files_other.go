//go:build !linux && !windows && !darwin

package ui

// SystemFileChoosers: none known here; Fyne's dialog is used.
func SystemFileChoosers() FileChooser { return FileChoosers{} }
