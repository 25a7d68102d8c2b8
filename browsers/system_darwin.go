//go:build darwin

package browsers

import (
	"crypto/sha1"
	"crypto/x509"
	"fmt"
	"os/exec"
	"strings"
)

// SystemStore looks for the certificate in the keychain search list
// (`security find-certificate -a -Z` prints each one's SHA-1) and lists the
// smart cards CryptoTokenKit sees (`security list-smartcards`). Untested
// here (built by the cross-compilation test only; see docs/browsers.md).
func SystemStore(c *x509.Certificate) SystemCheck {
	sc := SystemCheck{Checked: true, Store: "keychain"}
	if out, err := exec.Command("security", "list-smartcards").Output(); err == nil {
		for _, l := range strings.Split(string(out), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "No smart card") {
				sc.Smartcards = append(sc.Smartcards, l)
			}
		}
	}
	out, err := exec.Command("security", "find-certificate", "-a", "-Z").Output()
	if err != nil {
		sc.Err = err.Error()
		return sc
	}
	want := fmt.Sprintf("%X", sha1.Sum(c.Raw))
	for _, l := range strings.Split(string(out), "\n") {
		if h, ok := strings.CutPrefix(strings.TrimSpace(l), "SHA-1 hash:"); ok && strings.EqualFold(strings.TrimSpace(h), want) {
			sc.Found = true
			break
		}
	}
	return sc
}
