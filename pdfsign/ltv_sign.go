package pdfsign

import (
	"context"
	"crypto/x509"
	"os"

	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/pdf"
)

// Wiring of B-T, B-LT and the visible stamp into Sign, through the hooks
// the signer leaves (signHooks, see sign.go): the timestamp is asked for
// once the signature value exists and goes in as an unsigned attribute; the
// DSS revision is appended to the finished temporary file before it is
// renamed; the stamp is the widget's appearance.

// tsaReserve is the room kept in /Contents for the timestamp token: a token
// with a TSA chain of two RSA-4096 certificates is about 6 KiB. The signer
// retries once with the real size if a token is larger.
const tsaReserve = 16 << 10

func init() { signHooks = append(signHooks, ltvSignHook) }

func ltvSignHook(cfg *signConfig) error {
	o := cfg.opts
	ctx := context.Background()
	var tsErr error // with AllowLower: why there is no timestamp
	if o.TSA != nil {
		cfg.unsignedReserve = tsaReserve
		cfg.cms.UnsignedAttrs = func(sigValue []byte) ([]cms.Attribute, error) {
			ts, err := RequestTimestamp(ctx, o.TSA, sigValue)
			if err != nil {
				if o.AllowLower {
					tsErr = err
					return nil, nil
				}
				return nil, err
			}
			tsErr = nil
			return []cms.Attribute{cms.MakeAttribute(cms.OIDAttrTimeStampToken, ts.Token)}, nil
		}
	}
	if o.Visible != nil {
		v := *o.Visible
		cfg.appearance = func(pg *pageInfo, u *pdf.Increment) ([4]float64, *pdf.Dict, error) {
			holder := v.Holder
			if holder == "" {
				holder = o.Name
			}
			if holder == "" {
				holder = cfg.cms.Cert.Subject.CommonName
			}
			lang := o.Lang
			if lang != "en" {
				lang = "fr"
			}
			return buildAppearance(pg, u, &v, stampText(lang, holder, o.Reason, o.Location, cfg.when))
		}
	}
	if o.TSA == nil && !o.LTV {
		return nil
	}
	chain := append([]*x509.Certificate{cfg.cms.Cert}, cfg.cms.Chain...)
	cfg.finish = func(f *os.File, res *Result) error {
		if o.TSA != nil {
			if tsErr != nil {
				res.Warning = tsErr
			} else {
				res.Level = "B-T"
			}
		}
		if !o.LTV {
			return nil
		}
		if _, err := AddLTV(ctx, f, LTVOptions{ExtraCerts: chain}); err != nil {
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
	return nil
}
