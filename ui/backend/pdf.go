package backend

import (
	"context"
	"io"
	"strings"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/ui"
)

// PDF adapts pdfsign to ui.Signer.
type PDF struct{}

// NewPDF is the real PDF signer.
func NewPDF() *PDF { return &PDF{} }

// Sign writes a signed copy of in to out with key; in is never written.
func (PDF) Sign(_ context.Context, in, out string, key ui.Key, opts ui.SignOptions) error {
	// chain nil: pdfsign takes the certificate and chain from the key itself
	_, err := pdfsign.Sign(in, out, key, nil, pdfsign.Options{Reason: opts.Reason, Location: opts.Location, Name: opts.Name, Lang: opts.Lang})
	return err
}

// Verify checks the last signature of path.
func (PDF) Verify(path, lang string) (ui.Verification, error) {
	rep, err := pdfsign.Verify(path, pdfsign.VerifyOptions{})
	if err != nil {
		return ui.Verification{}, err
	}
	if len(rep.Signatures) == 0 {
		return ui.Verification{}, nil
	}
	s := rep.Signatures[len(rep.Signatures)-1]
	v := ui.Verification{Valid: s.Valid && rep.OK, Holder: s.SignerCN, Time: s.SigningTime}
	var probs []string
	for _, p := range s.Problems {
		if p.Severity == "error" {
			probs = append(probs, p.Message(lang))
		}
	}
	v.Detail = strings.Join(probs, "; ")
	return v, nil
}

// SamplePDF writes the sample document.
func (PDF) SamplePDF(w io.Writer, lang string) error { return pdfsign.SamplePDF(w, lang) }

var _ ui.Signer = PDF{}
