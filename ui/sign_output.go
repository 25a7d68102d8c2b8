package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
)

// Where the signed copy goes: beside the input when that folder is
// writable, else in the documents folder, with a name that is not taken.

// uniquePath returns p, or p with " (2)", " (3)"… before the extension,
// whichever does not exist yet.
func uniquePath(p string) string {
	if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
		return p
	}
	ext := filepath.Ext(p)
	base := strings.TrimSuffix(p, ext)
	for i := 2; ; i++ {
		q := fmt.Sprintf("%s (%d)%s", base, i, ext)
		if _, err := os.Lstat(q); errors.Is(err, os.ErrNotExist) {
			return q
		}
	}
}

// outputFor is where the signed copy of in goes: beside it, or in the
// documents folder when that folder is not writable; an error when neither
// is. The name has one suffix, numbered when taken: x.pdf → x-signé.pdf,
// then x-signé-2.pdf; re-signing x-signé.pdf gives x-signé-2.pdf too.
func (a *App) outputFor(in string) (string, error) {
	return outputIn(in, a.documentsDir(), a.t("ui.sign.suffix"))
}

// outputIn is outputFor with what it needs from the app given (it runs off
// the UI goroutine).
func outputIn(in, docs, suffix string) (string, error) {
	return batchNamer(docs, suffix)(in, nil)
}

// batchNamer names signed copies as outputFor does, never twice the same
// name within a batch (actions.Namer).
func batchNamer(docs, suffix string) actions.Namer {
	return func(in string, taken map[string]bool) (string, error) {
		dir := filepath.Dir(in)
		if !writableDir(dir) {
			if !writableDir(docs) {
				return "", assets.Reason{Key: "ui.sign.out_not_writable", Data: map[string]any{"Dir": filepath.Dir(in), "Docs": docs}}
			}
			dir = docs
		}
		return actions.Beside(dir, suffix)(in, taken)
	}
}

// outNamer is batchNamer, or names the copies in the folder out when one
// was chosen.
func outNamer(out, docs, suffix string) actions.Namer {
	if out == "" {
		return batchNamer(docs, suffix)
	}
	return func(in string, taken map[string]bool) (string, error) {
		if !writableDir(out) {
			return "", assets.Reason{Key: "ui.batch.out_dir_not_writable", Data: map[string]any{"Dir": out}}
		}
		return actions.Beside(out, suffix)(in, taken)
	}
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func writableDir(dir string) bool {
	f, err := os.CreateTemp(dir, ".certigna-write-test-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

func signedName(dir, base, suffix string) string { return actions.FreeName(dir, base, suffix) }
