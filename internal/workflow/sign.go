package workflow

import (
	"context"
	"crypto"
	"crypto/x509"

	"github.com/certigna-desktop/app/pdfsign"
)

// SignAndVerify signs in into out with key (chain: its certificate and
// issuers, see pdfsign.CompleteChain; nil: taken from the key), then verifies what was written and returns the report of
// the new signature (the last one). The PIN was already spent to open key:
// nothing here retries anything.
func SignAndVerify(ctx context.Context, in, out string, key crypto.Signer, chain []*x509.Certificate, opts pdfsign.Options) (*pdfsign.Result, *pdfsign.SignatureReport, error) {
	res, err := pdfsign.Sign(ctx, in, out, key, chain, opts)
	if err != nil {
		return nil, nil, err
	}
	s, _, err := LastSignature(ctx, res.Output)
	return res, s, err
}

// LastSignature verifies path and returns its last signature and whether the
// document as a whole is fine (every signature valid, nothing but signatures
// added after each). A file without signatures gives pdfsign's
// KindNoSignature error.
func LastSignature(ctx context.Context, path string) (*pdfsign.SignatureReport, bool, error) {
	rep, err := pdfsign.Verify(ctx, path, pdfsign.VerifyOptions{})
	if err != nil {
		return nil, false, err
	}
	if len(rep.Signatures) == 0 {
		return nil, false, nil
	}
	return &rep.Signatures[len(rep.Signatures)-1], rep.OK, nil
}
