package sign

import (
	"context"
	"crypto/x509"
	"errors"
	"os"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
)

// The DSS step of Sign (B-LT): on the finished temporary file, revocation
// data for the signer's chain and the TSA's (OCSP, CRL, issuer certificates:
// revocation.go, ltv.go) is fetched and appended as a DSS revision (dss.go).

// dssStep appends the DSS revision to f when Options.LTV asks for it. When
// the data cannot be had (servers failing, a cancel aside), f is left as it
// was — the signed file, kept — and pending says why: Sign reports it
// (Result.Warning with AllowLower, a *PendingError without) and Finish adds
// the DSS later.
func dssStep(ctx context.Context, cfg *signConfig, f *os.File, res *Result) (pending, err error) {
	o := cfg.opts
	if !o.LTV {
		return nil, nil
	}
	st, err := f.Stat()
	if err != nil {
		return nil, doc.NewErr(pdfsign.KindIO, f.Name(), err)
	}
	chain := append([]*x509.Certificate{cfg.cms.Cert}, cfg.cms.Chain...)
	if _, err := addLTV(ctx, f, ltvOptions{ExtraCerts: chain, Revocation: pki.RevocationOptions{Timeout: cfg.netTimeout}}); err != nil {
		var le *pdfsign.LTVError
		if errors.Is(ctx.Err(), context.Canceled) || (errors.As(err, &le) && le.Kind == pdfsign.LTVRevoked) {
			// a cancel saves nothing; nor is a signature whose certificate
			// is revoked worth keeping
			return nil, err
		}
		// Nothing of a failed DSS stays in the file (addLTV writes last,
		// but a write may fail half way).
		if terr := f.Truncate(st.Size()); terr != nil {
			return nil, doc.NewErr(pdfsign.KindIO, f.Name(), terr)
		}
		if _, serr := f.Seek(st.Size(), 0); serr != nil {
			return nil, doc.NewErr(pdfsign.KindIO, f.Name(), serr)
		}
		if res.Warning == nil {
			res.Warning = err
		}
		return err, nil
	}
	// B-LT is B-T plus validation data; without a timestamp the DSS is
	// still useful but the baseline level stays B-B.
	if res.Level == "B-T" {
		res.Level = "B-LT"
	}
	return nil, nil
}
