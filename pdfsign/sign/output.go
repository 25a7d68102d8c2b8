package sign

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// signedSuffix matches a suffix this app adds, in either language, with its
// number: "-signé", "-signed-3".
var signedSuffix = regexp.MustCompile(`-(signé|signed)(-[0-9]+)?$`)

// FreeOutput names the signed copy of the file in (only its base name is
// used) inside dir: the name with one suffix ("-signed", or the window's
// language's), numbered when the name exists on disk or is in taken
// (absolute paths, extended with the answer; nil for none): x.pdf →
// x-signed.pdf, then x-signed-2.pdf…; re-signing x-signed.pdf gives
// x-signed-2.pdf, never x-signed-signed.pdf. The window and the CLI's batch
// name their outputs here; a single CLI sign keeps DefaultOutput (and
// refuses an existing file unless --force).
func FreeOutput(dir, in, suffix string, taken map[string]bool) string {
	const ext = ".pdf"
	stem := filepath.Base(in)
	if e := filepath.Ext(stem); strings.EqualFold(e, ext) {
		stem = strings.TrimSuffix(stem, e)
	}
	stem = signedSuffix.ReplaceAllString(stem, "")
	for i := 1; ; i++ {
		n := stem + suffix
		if i > 1 {
			n += fmt.Sprintf("-%d", i)
		}
		p := filepath.Join(dir, n+ext)
		abs, _ := filepath.Abs(p)
		if taken[abs] {
			continue
		}
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			continue
		}
		if taken != nil {
			taken[abs] = true
		}
		return p
	}
}
