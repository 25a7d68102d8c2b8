//go:build windows

package browsers

import (
	"bytes"
	"crypto/x509"
	"unsafe"

	"golang.org/x/sys/windows"
)

// SystemStore looks for the certificate in the user's "Personal" store
// (CurrentUser\MY), where the vendor's minidriver propagates the token's
// certificates: what `certutil -user -store My` lists. Untested here (built
// by the cross-compilation test only; see docs/browsers.md).
func SystemStore(c *x509.Certificate) SystemCheck {
	sc := SystemCheck{Checked: true, Store: `CurrentUser\MY`}
	name, _ := windows.UTF16PtrFromString("MY")
	st, err := windows.CertOpenSystemStore(0, name)
	if err != nil {
		sc.Err = err.Error()
		return sc
	}
	defer windows.CertCloseStore(st, 0)
	var prev *windows.CertContext
	for {
		ctx, err := windows.CertEnumCertificatesInStore(st, prev)
		if err != nil || ctx == nil {
			break
		}
		der := unsafe.Slice(ctx.EncodedCert, ctx.Length)
		if bytes.Equal(der, c.Raw) {
			sc.Found = true
			windows.CertFreeCertificateContext(ctx)
			break
		}
		prev = ctx
	}
	return sc
}
