package backend

import (
	"context"
	"errors"
	"io"

	"github.com/certigna-desktop/app/ui"
)

// PDF adapts pdfsign to ui.Signer.
type PDF struct{}

// NewPDF is the real PDF signer.
func NewPDF() *PDF { return &PDF{} }

var errPending = errors.New("PDF signing is not available in this build yet")

// Sign signs in into out with key.
func (PDF) Sign(ctx context.Context, in, out string, key ui.Key, opts ui.SignOptions) error {
	return errPending
}

// Verify checks the signature of path.
func (PDF) Verify(path string) (ui.Verification, error) { return ui.Verification{}, errPending }

// SamplePDF writes the sample document.
func (PDF) SamplePDF(w io.Writer, lang string) error { return errPending }

var _ ui.Signer = PDF{}
