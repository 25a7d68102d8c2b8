package sign

import (
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
)

// What the window asks of a document before signing it.

// PageCount returns the number of pages of a PDF (for the GUI's "last
// page" choice), reading only the page tree's root.
func PageCount(path string) (int, error) {
	f, st, err := doc.OpenInput(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r, err := doc.OpenForSigning(f, st.Size()) // as signing reads it: decrypted, repaired (signable.go)
	if err != nil {
		return 0, doc.WithPath(err, path)
	}
	root, err := r.ResolveDict(r.Trailer.Get("Root"))
	if err != nil || root == nil {
		return 0, doc.Damagedf("catalog unreadable")
	}
	pages, err := r.ResolveDict(root.Get("Pages"))
	if err != nil || pages == nil {
		return 0, doc.Damagedf("page tree unreadable")
	}
	n, ok := pdf.ToInt(pages.Get("Count"))
	if !ok || n < 1 {
		return 0, doc.Damagedf("page count unreadable")
	}
	return int(n), nil
}
