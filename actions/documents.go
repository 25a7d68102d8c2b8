package actions

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"os"
	"time"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// Documents is the PDF side of a window's session: the checks before the
// PIN, signing with a key already open, the check after signing, the verify
// screen's verification, the sample. It remembers the chains completed
// during the session (an issuer downloaded once).
type Documents struct {
	chains Chains
}

// NewDocuments starts a session's PDF side.
func NewDocuments() *Documents { return &Documents{} }

// Check is the package's Check, the step that failed named (LevelError).
func (d *Documents) Check(in, out string, o SignOptions) error {
	return levelError(Check(in, out, o))
}

// Prepare is the package's Prepare, remembering complete chains.
func (d *Documents) Prepare(ctx context.Context, leaf *x509.Certificate, tokenCerts []*x509.Certificate, o SignOptions) (Prepared, error) {
	return d.chains.Prepare(ctx, leaf, tokenCerts, o)
}

// SignResult is what a signature reached.
type SignResult struct {
	Level string // "B-B", "B-T", "B-LT"
	// Warning, with AllowLower, says why Level is below what was asked.
	Warning error
	// Pending, when set, is why Level is below what was asked although
	// AllowLower was not chosen: a server failed after the token signed,
	// the signed file is kept, and Finish adds what is missing later
	// without the PIN (the "Réessayer" button). A *LevelError.
	Pending error
	// ChainWarning says an issuer of the certificate could not be had (no
	// CA object on the token, offline): signed anyway, but a validator with
	// only the root may not link the signer to it.
	ChainWarning error

	written *verify.Written // for Verify: what Sign wrote (verify.ReadBack)
}

// Sign writes a signed copy of in to out with key and the chain from
// Prepare; in is never written. The timestamp and revocation failures name
// their step (LevelError).
func (d *Documents) Sign(ctx context.Context, in, out string, key Key, chain []*x509.Certificate, o SignOptions) (SignResult, error) {
	opts, err := o.Options(in)
	if err != nil {
		return SignResult{}, levelError(err)
	}
	res, err := sign.Sign(ctx, in, out, key, chain, opts)
	if pe := (*sign.PendingError)(nil); res != nil && errors.As(err, &pe) {
		// Signed and kept: the window offers to finish it (Finish).
		return SignResult{Level: res.Level, Pending: levelError(pe.Err), written: res.Written}, nil
	}
	if err != nil {
		return SignResult{}, levelError(err)
	}
	return SignResult{Level: res.Level, Warning: res.Warning, written: res.Written}, nil
}

// Finish adds the timestamp and/or the long-term data o asks for to the
// signed file path, in place, without the token (Finish, as the CLI's
// finish).
func (d *Documents) Finish(ctx context.Context, path string, o SignOptions) (SignResult, error) {
	res, _, err := Finish(ctx, path, "", o)
	if pe := (*sign.PendingError)(nil); res != nil && errors.As(err, &pe) {
		return SignResult{Level: res.Level, Pending: levelError(pe.Err)}, nil // timestamped; the DSS still missing
	}
	if err != nil {
		return SignResult{}, levelError(err)
	}
	return SignResult{Level: res.Level}, nil
}

// Verification is the check of a file just signed, as the window shows it.
type Verification struct {
	Valid      bool // Signed.Valid: the new signature AND the whole document
	Holder     string
	Time       time.Time
	Detail     string    // the verifier's own words when not valid
	Level      string    // "B-B", "B-T", "B-LT" as proven by the verifier
	Timestamp  time.Time // the verified timestamp's time (zero without one)
	CertSHA256 string    // hex SHA-256 of the signer's certificate
	// Trust: TrustTrusted when the signer's chain ends at a certificate
	// this computer trusts (Trust{}), TrustUntrusted when not, "" when not
	// checked.
	Trust string
}

// Trust values of Verification.Trust.
const (
	TrustTrusted   = verify.TrustTrusted
	TrustUntrusted = verify.TrustUntrusted
)

// Verify checks the file just signed or finished at path, res being what
// Sign or Finish returned (CheckSigned; after Sign, read back and compared
// with what was written, as the CLI does).
func (d *Documents) Verify(path string, res SignResult, lang string) (Verification, error) {
	sg, err := checkWritten(context.Background(), path, res.written)
	if err != nil {
		return Verification{}, err
	}
	if sg.Last == nil {
		return Verification{}, nil
	}
	s := sg.Last
	v := Verification{Valid: sg.Valid(), Holder: s.SignerCN, Time: s.SigningTime, Level: s.Level, CertSHA256: s.CertSHA256,
		Detail: sg.Detail(lang)}
	if s.Trust == TrustTrusted || s.Trust == TrustUntrusted {
		v.Trust = s.Trust
	}
	if s.LTV != nil && s.LTV.TimestampOK {
		v.Timestamp = s.LTV.Timestamp
	}
	return v, nil
}

// SamplePDF writes the sample document.
func (d *Documents) SamplePDF(w io.Writer, lang string) error { return pdfsign.SamplePDF(w, lang) }

// EmptySignatureFields lists path's signature fields not signed yet (a
// form's "sign here"), by full name.
func (d *Documents) EmptySignatureFields(path string) ([]string, error) {
	fs, err := sign.SignatureFields(path)
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

// HasSignatures tells whether a dropped PDF is already signed.
func (d *Documents) HasSignatures(path string) bool {
	if _, err := os.Stat(path); err != nil {
		return false
	}
	return verify.HasSignatures(path)
}

// LevelError is a failure of the timestamp ("tsa") or revocation
// ("revocation") step: nothing was written.
type LevelError struct {
	Step string
	Err  error
}

func (e *LevelError) Error() string { return e.Step + ": " + e.Err.Error() }
func (e *LevelError) Unwrap() error { return e.Err }

// Message is the step's failure in plain words, then the signer's detail.
func (e *LevelError) Message(lang string) string {
	key := "ui.sign.tsa_failed"
	if e.Step == pdfsign.StepRevocation {
		key = "ui.sign.rev_failed"
	}
	return assets.T(lang, key) + "\n" + assets.Message(e.Err, lang)
}

// levelError names the TSA and revocation failures' step; other errors
// pass through.
func levelError(err error) error {
	var le *pdfsign.LTVError
	if !errors.As(err, &le) || le.Kind == pdfsign.LTVTSAConfig || le.Kind == pdfsign.LTVTSAInsecure {
		return err // a bad URL is the setting's fault, not the server's
	}
	switch le.Step() {
	case pdfsign.StepTSA, pdfsign.StepRevocation:
		return &LevelError{Step: le.Step(), Err: err}
	}
	return err
}

// ShownText is text from a PDF or a certificate (a field name, a holder) as a
// screen may show it: the verifier's one sanitiser, with a bound for a line.
func ShownText(s string) string { return pdfsign.SafeText(s, 120) }
