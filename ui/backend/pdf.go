package backend

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/certigna-desktop/app/internal/workflow"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/ui"
)

// PDF adapts pdfsign to ui.Signer.
type PDF struct{}

// NewPDF is the real PDF signer.
func NewPDF() *PDF { return &PDF{} }

// options turns the screen's choices into pdfsign.Options, with the same
// checks as the CLI's flags (docs/ltv.md).
func options(in string, o ui.SignOptions) (pdfsign.Options, error) {
	opts := pdfsign.Options{Reason: o.Reason, Location: o.Location, Name: o.Name, Lang: o.Lang, Field: o.Field}
	f := workflow.LTVFlags{TSA: strings.TrimSpace(o.TSAURL), LTV: o.LTV, AllowLower: o.AllowLower}
	if o.StampPage != ui.StampNone && o.StampPage != ui.StampPlaced {
		f.Corner = o.StampCorner
		if f.Corner == "" {
			f.Corner = ui.StampCorners[0]
		}
	}
	if err := f.Apply(&opts); err != nil {
		return opts, levelError(err)
	}
	if opts.TSA != nil && o.TSAUser != "" {
		opts.TSA.Username, opts.TSA.Password = o.TSAUser, o.TSAPassword
	}
	if o.StampPage == ui.StampPlaced { // chosen on the preview, in page coordinates
		opts.Visible = &pdfsign.Visible{OnPage: o.StampRect}
		opts.Page = max(o.StampPageNum, 1)
	}
	if o.StampPage == ui.StampLast {
		n, err := pdfsign.PageCount(in)
		if err != nil {
			return opts, err
		}
		opts.Page = n
	}
	return opts, nil
}

// levelError marks the TSA and revocation failures so the screen can say
// which step failed; other errors pass through.
func levelError(err error) error {
	var le *pdfsign.LTVError
	if !errors.As(err, &le) || le.Kind == pdfsign.LTVTSAConfig {
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
// TSA, before the PIN is asked for.
func (PDF) Check(in, out string, o ui.SignOptions) error {
	opts, err := options(in, o)
	if err != nil {
		return err
	}
	return levelError(pdfsign.Check(in, out, opts))
}

// Sign writes a signed copy of in to out with key; in is never written.
func (PDF) Sign(ctx context.Context, in, out string, key ui.Key, o ui.SignOptions) (ui.SignResult, error) {
	opts, err := options(in, o)
	if err != nil {
		return ui.SignResult{}, err
	}
	chain, chainWarn := chainFor(ctx, key)
	res, err := pdfsign.Sign(ctx, in, out, key, chain, opts)
	if err != nil {
		return ui.SignResult{}, levelError(err)
	}
	return ui.SignResult{Level: res.Level, Warning: res.Warning, ChainWarning: chainWarn}, nil
}

// chains holds the chain completed for each signing certificate, so that a
// batch downloads an issuer once.
var chains sync.Map // string(leaf.Raw) → chainEntry

type chainEntry struct {
	chain []*x509.Certificate
	warn  error
}

// chainFor is the chain to embed for key, as the CLI builds it: the token's
// CA objects, else the AIA caIssuers downloads, else the shipped CA
// certificates (pdfsign.CompleteChain). An incomplete chain is a warning
// (*pdfsign.ChainWarning): the signature is made anyway.
func chainFor(ctx context.Context, key ui.Key) ([]*x509.Certificate, error) {
	leaf := key.Certificate()
	if leaf == nil {
		return nil, nil // the signer reports the missing certificate
	}
	if e, ok := chains.Load(string(leaf.Raw)); ok {
		return e.(chainEntry).chain, e.(chainEntry).warn
	}
	chain, warn := pdfsign.CompleteChain(ctx, leaf, key.Chain(), pdfsign.ChainOptions{})
	if warn == nil { // an offline moment is not remembered
		chains.Store(string(leaf.Raw), chainEntry{chain, nil})
	}
	return chain, warn
}

// Verify checks the last signature of path.
func (PDF) Verify(path, lang string) (ui.Verification, error) {
	// the OS roots plus the user's added ones: "recognised by this computer"
	var vo pdfsign.VerifyOptions
	if ts, err := pdfsign.NewTrustStore(true, pdfsign.DefaultTrustDir()); err == nil {
		vo.Roots = ts.Pool()
	}
	rep, err := pdfsign.Verify(context.Background(), path, vo)
	if err != nil {
		return ui.Verification{}, err
	}
	if len(rep.Signatures) == 0 {
		return ui.Verification{}, nil
	}
	s := rep.Signatures[len(rep.Signatures)-1]
	v := ui.Verification{Valid: s.Valid && rep.OK, Holder: s.SignerCN, Time: s.SigningTime, Level: s.Level, CertSHA256: s.CertSHA256}
	switch s.Trust {
	case pdfsign.TrustTrusted:
		v.Trust = ui.TrustTrusted
	case pdfsign.TrustUntrusted:
		v.Trust = ui.TrustUntrusted
	}
	if s.LTV != nil && s.LTV.TimestampOK {
		v.Timestamp = s.LTV.Timestamp
	}
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
