// Command gen writes the vectors of internal/oddpdf (and their .want files)
// to a folder, from the plain sample there:
// go run ./internal/oddpdf/gen [-d pdfsign/testdata/vectors]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
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
	// The AES vector starts from qpdf's own encryption of the sample.
	tmp, err := os.MkdirTemp("", "oddpdf")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	aesPath := filepath.Join(tmp, "aes.pdf")
	if out, err := exec.Command("qpdf", "--encrypt", "", "owner", "128", "--use-aes=y", "--",
		filepath.Join(dir, "unsigned.pdf"), aesPath).CombinedOutput(); err != nil {
		return fmt.Errorf("qpdf: %v\n%s", err, out)
	}
	aes, err := os.ReadFile(aesPath)
	if err != nil {
		return err
	}
	fs, err := oddpdf.Files(base, aes)
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
