// Package warm pins the modules the app is built from in go.mod until the
// packages that use them exist; delete it once token/, pdfsign/ and ui/ do.
package warm

import (
	_ "fyne.io/fyne/v2/app"
	_ "fyne.io/fyne/v2/dialog"
	_ "fyne.io/fyne/v2/test"
	_ "fyne.io/fyne/v2/widget"
	_ "github.com/miekg/pkcs11"
	_ "github.com/pdfcpu/pdfcpu/pkg/api"
	_ "golang.org/x/crypto/cryptobyte"
	_ "golang.org/x/crypto/ocsp"
)
