// Package localefix works around fyne's locale lookup, which reads
// LANG=C.UTF-8 (Debian's default) as the language tag "C" and logs a parse
// error at start-up of every command. "C.UTF-8" means the same as "C" for
// messages, so it is shortened before fyne's package init reads it.
//
// It must initialise before fyne.io/fyne/v2/lang: Go initialises packages in
// import-path order among those whose dependencies are ready, and this one
// depends only on the standard library, while fyne's lang waits for
// github.com/jeandeaual/go-locale, which sorts after this path. main imports
// it for its side effect.
package localefix

import (
	"os"
	"strings"
)

func init() {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); strings.HasPrefix(s, "C.") || strings.HasPrefix(s, "POSIX.") {
			os.Setenv(v, strings.SplitN(s, ".", 2)[0])
		}
	}
}
