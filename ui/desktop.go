package ui

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// What the app asks of the desktop: open a link or a folder, the
// documents folder.

// openURL opens a web page; when the computer cannot (no browser set up),
// the address is shown to copy instead of the system's error.
func (a *App) openURL(raw string) {
	u, err := url.Parse(raw)
	if err == nil {
		err = a.opt.OpenURL(u)
	}
	if err != nil {
		a.ops.Add("open_failed", message(err, a.lang))
		a.showCopy(a.t("ui.open_failed.url"), raw)
	}
}

// openPath opens a local file or folder, or shows its path to copy.
func (a *App) openPath(p string) {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	sp := filepath.ToSlash(p)
	if !strings.HasPrefix(sp, "/") {
		sp = "/" + sp // C:/… → file:///C:/…
	}
	u := &url.URL{Scheme: "file", Path: sp}
	if err := a.opt.OpenURL(u); err != nil {
		a.ops.Add("open_failed", message(err, a.lang))
		a.showCopy(a.t("ui.open_failed.path"), p)
	}
}

// documentsDir is where the sample document goes.
func (a *App) documentsDir() string {
	if a.opt.DocumentsDir != "" {
		return a.opt.DocumentsDir
	}
	if h, err := os.UserHomeDir(); err == nil {
		for _, n := range []string{"Documents", "Mes documents"} {
			d := filepath.Join(h, n)
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				return d
			}
		}
	}
	return os.TempDir()
}
