package backend

import (
	"context"
	"crypto/x509"
	"errors"
	"io"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/ui"
)

// PDF adapts pdfsign to ui.Signer.
type PDF struct {
	chains *actions.Chains // the window's session: an issuer downloaded once
}

// NewPDF is the real PDF signer.
func NewPDF() *PDF { return &PDF{chains: new(actions.Chains)} }

// levelError marks the TSA and revocation failures so the screen can say
// which step failed; other errors pass through.
func levelError(err error) error {
	var le *pdfsign.LTVError
	if !errors.As(err, &le) || le.Kind == pdfsign.LTVTSAConfig || le.Kind == pdfsign.LTVTSAInsecure {
		return err // a bad URL is the setting's fault, not the server's
	}
	switch le.Step() {
	case pdfsign.StepTSA, pdfsign.StepRevocation:
		return &ui.LevelError{Step: le.Step(), Err: err}
	}
	return err
}

// Check refuses bad options, a document that cannot be signed (damaged,
// hostile, locked), an output that cannot be written and an unreachable
// TSA, before the PIN is asked for (actions.Check, as the CLI).
func (PDF) Check(in, out string, o ui.SignOptions) error {
	return levelError(actions.Check(in, out, o))
}

// Prepare completes the chain and refuses what the certificate makes
// impossible (B-LT without revocation servers), before the PIN
// (actions.Prepare, as the CLI).
func (p PDF) Prepare(ctx context.Context, leaf *x509.Certificate, tokenCerts []*x509.Certificate, o ui.SignOptions) (ui.Prepared, error) {
	return p.chains.Prepare(ctx, leaf, tokenCerts, o)
}

// Sign writes a signed copy of in to out with key and the chain from
// Prepare; in is never written.
func (PDF) Sign(ctx context.Context, in, out string, key ui.Key, chain []*x509.Certificate, o ui.SignOptions) (ui.SignResult, error) {
	opts, err := o.Options(in)
	if err != nil {
		return ui.SignResult{}, levelError(err)
	}
	res, err := pdfsign.Sign(ctx, in, out, key, chain, opts)
	if pe := (*pdfsign.PendingError)(nil); res != nil && errors.As(err, &pe) {
		// Signed and kept: the window offers to finish it (Finish).
		return ui.SignResult{Level: res.Level, Pending: levelError(pe.Err)}, nil
	}
	if err != nil {
		return ui.SignResult{}, levelError(err)
	}
	return ui.SignResult{Level: res.Level, Warning: res.Warning}, nil
}

// Finish adds the timestamp and/or the long-term data o asks for to the
// signed file path, in place, without the token (actions.Finish, as the
// CLI's finish).
func (PDF) Finish(ctx context.Context, path string, o ui.SignOptions) (ui.SignResult, error) {
	res, _, err := actions.Finish(ctx, path, "", o)
	if pe := (*pdfsign.PendingError)(nil); res != nil && errors.As(err, &pe) {
		return ui.SignResult{Level: res.Level, Pending: levelError(pe.Err)}, nil // timestamped; the DSS still missing
	}
	if err != nil {
		return ui.SignResult{}, levelError(err)
	}
	return ui.SignResult{Level: res.Level}, nil
}

// Verify checks a file just signed (actions.CheckSigned: the verify
// screen's trust, the one rule for "valid").
func (PDF) Verify(path, lang string) (ui.Verification, error) {
	sg, err := actions.CheckSigned(context.Background(), path)
	if err != nil {
		return ui.Verification{}, err
	}
	if sg.Last == nil {
		return ui.Verification{}, nil
	}
	s := sg.Last
	v := ui.Verification{Valid: sg.Valid(), Holder: s.SignerCN, Time: s.SigningTime, Level: s.Level, CertSHA256: s.CertSHA256,
		Detail: sg.Detail(lang)}
	switch s.Trust {
	case pdfsign.TrustTrusted:
		v.Trust = ui.TrustTrusted
	case pdfsign.TrustUntrusted:
		v.Trust = ui.TrustUntrusted
	}
	if s.LTV != nil && s.LTV.TimestampOK {
		v.Timestamp = s.LTV.Timestamp
	}
	return v, nil
}

// SamplePDF writes the sample document.
func (PDF) SamplePDF(w io.Writer, lang string) error { return pdfsign.SamplePDF(w, lang) }

// EmptySignatureFields lists path's signature fields that are not signed yet.
func (PDF) EmptySignatureFields(path string) ([]string, error) {
	fs, err := pdfsign.SignatureFields(path)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range fs {
		if !f.Signed {
			names = append(names, f.Name)
		}
	}
	return names, nil
}

var _ ui.Signer = PDF{}
