// Command gen writes the vectors of internal/oddpdf (and their .want files)
// to a folder, from the plain sample there:
// go run ./internal/oddpdf/gen [-d pdfsign/testdata/vectors]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/certigna-desktop/app/internal/oddpdf"
)

func main() {
	dir := flag.String("d", filepath.Join("pdfsign", "testdata", "vectors"), "vectors folder (holds unsigned.pdf)")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(dir string) error {
	base, err := os.ReadFile(filepath.Join(dir, "unsigned.pdf"))
	if err != nil {
		return err
	}
	fs, err := oddpdf.Files(base)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if err := os.WriteFile(filepath.Join(dir, f.Name+".pdf"), f.Data, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name+".want"), []byte(f.Want), 0o644); err != nil {
			return err
		}
	}
	return nil
}
