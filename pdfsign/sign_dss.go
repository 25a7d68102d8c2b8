package pdfsign

import (
	"context"
	"crypto/x509"
	"os"
)

// The DSS step of Sign (B-LT): on the finished temporary file, revocation
// data for the signer's chain and the TSA's (OCSP, CRL, issuer certificates:
// revocation.go, ltv.go) is fetched and appended as a DSS revision (dss.go).

// dssStep appends the DSS revision to f when Options.LTV asks for it.
func dssStep(ctx context.Context, cfg *signConfig, f *os.File, res *Result) error {
	o := cfg.opts
	if !o.LTV {
		return nil
	}
	chain := append([]*x509.Certificate{cfg.cms.Cert}, cfg.cms.Chain...)
	if _, err := addLTV(ctx, f, ltvOptions{ExtraCerts: chain}); err != nil {
		if o.AllowLower {
			if res.Warning == nil {
				res.Warning = err
			}
			return nil
		}
		return err
	}
	// B-LT is B-T plus validation data; without a timestamp the DSS is
	// still useful but the baseline level stays B-B.
	if res.Level == "B-T" {
		res.Level = "B-LT"
	}
	return nil
}
