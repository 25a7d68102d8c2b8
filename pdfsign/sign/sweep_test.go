package sign

import (
	"context"
	"crypto/sha256"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
)

// TestSweep signs every PDF under $CERTIGNA_SWEEP_DIR (files this repository
// does not ship, e.g. other projects' test suites) or, without it, pdfcpu's
// real-world test files from the module cache, and reports:
// signed (reference stability checked by the TestMain hook, pdfsig valid
// and total; then signed again, both our signatures valid), refused (by
// kind), or a failure. Fails on a failure: an
// output pdfsig does not call valid and total, a broken property, a panic
// or an internal error.
func TestSweep(t *testing.T) {
	testtool.Need(t, "pdfsig")
	keys := pkitest.SharedKeys(t)
	var all []string
	if root := os.Getenv("CERTIGNA_SWEEP_DIR"); root != "" {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".pdf") {
				all = append(all, p)
			}
			return nil
		})
	} else {
		all = pdftest.CorpusFiles(t)
	}
	seen := map[[32]byte]bool{}
	var files []string
	for _, p := range all {
		if b, err := os.ReadFile(p); err == nil && !seen[sha256.Sum256(b)] {
			seen[sha256.Sum256(b)] = true
			files = append(files, p)
		}
	}
	sort.Strings(files)
	refused := map[pdfsign.Kind]int{}
	signed := 0
	dir := t.TempDir()
	for i, in := range files {
		out := filepath.Join(dir, "out.pdf")
		os.Remove(out)
		_, err := Sign(context.Background(), in, out, keys.ECKey, keys.ECChain(), Options{})
		if err != nil {
			k := pdftest.ErrKind(err)
			if k == pdfsign.KindInternal || k == "" {
				t.Errorf("%s: %v", in, err)
			}
			refused[k]++
			continue
		}
		o, _ := exec.Command("pdfsig", out).CombinedOutput()
		// Ours is the last signature: valid and covering the whole file.
		if last := lastSig(string(o)); !strings.Contains(last, "Signature is Valid") || !strings.Contains(last, "Total document signed") {
			t.Errorf("%s: pdfsig:\n%s", in, last)
		}
		// Signed again: our first signature is now an earlier one whose
		// references the second update must leave alone (the property).
		out2 := filepath.Join(dir, "out2.pdf")
		os.Remove(out2)
		if _, err := Sign(context.Background(), out, out2, keys.ECKey, keys.ECChain(), Options{}); err != nil {
			t.Errorf("%s signed again: %v", in, err)
		} else if o, _ := exec.Command("pdfsig", out2).CombinedOutput(); strings.Count(lastSig(string(o))+prevSig(string(o)), "Signature is Valid") != 2 {
			t.Errorf("%s signed again: pdfsig:\n%s", in, o)
		}
		signed++
		if i%50 == 0 {
			t.Logf("%d/%d", i, len(files))
		}
	}
	t.Logf("%d distinct files: %d signed, refused %v", len(files), signed, refused)
}

func lastSig(o string) string {
	i := strings.LastIndex(o, "Signature #")
	if i < 0 {
		return o
	}
	return o[i:]
}

// prevSig is pdfsig's block for the signature before the last.
func prevSig(o string) string {
	i := strings.LastIndex(o, "Signature #")
	if i < 0 {
		return ""
	}
	j := strings.LastIndex(o[:i], "Signature #")
	if j < 0 {
		return ""
	}
	return o[j:i]
}
