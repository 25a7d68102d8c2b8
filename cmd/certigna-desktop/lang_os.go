package main

import (
	"runtime"

	"fyne.io/fyne/v2/lang"
	"github.com/certigna-desktop/app/assets"
)

// osLang asks the OS when no locale variable is set. Only macOS and Windows
// keep the language in system preferences; elsewhere no variable means no
// preference, and fyne's lookup would only log noise about a "C" locale.
func osLang() string {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return assets.NormalizeLang(string(lang.SystemLocale()))
	}
	return assets.NormalizeLang("")
}
