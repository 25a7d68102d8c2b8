// Package testtool is the one "need tool" helper of the tests: a test that
// needs a command (pdfsig, qpdf, openssl, softhsm2-util…) skips when it is
// missing, except under CI=true where it fails, naming the Debian package to
// add to scripts/packages/test.txt.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Need skips (or, under CI, fails) the test when one of tools is missing.
func Need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			Missing(t, tool+" is not installed (apt-get install "+aptPackage(tool)+")")
		}
	}
}

// Missing fails under CI and skips elsewhere.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI: %s", why)
	}
	t.Skip(why)
}

func aptPackage(tool string) string {
	switch tool {
	case "softhsm2-util":
		return "softhsm2"
	case "pkcs11-tool":
		return "opensc"
	case "pkcsconf", "pkcsslotd":
		return "opencryptoki"
	case "tpm2_ptool":
		return "libtpm2-pkcs11-tools"
	case "dbus-daemon":
		return "dbus"
	case "pdfsig", "pdftoppm", "pdffonts", "pdftotext":
		return "poppler-utils"
	case "mutool":
		return "mupdf-tools"
	case "certutil":
		return "libnss3-tools"
	}
	return tool
}
