package sign

import (
	"context"
	"errors"

	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
)

// The timestamp step of Sign (B-T): once the token has signed, the TSA is
// asked for a token over the signature value (as ETSI EN 319 122-1 says for
// the signature-time-stamp), which goes into the SignerInfo as an unsigned
// attribute. The TSA client is tsa.go.

// tsaReserve is the room kept in /Contents for the timestamp token: a token
// with a TSA chain of two RSA-4096 certificates is about 6 KiB. The signer
// retries once with the real size if a token is larger.
const tsaReserve = 16 << 10

// timestamped is the state of the timestamp step of one Sign call.
type timestamped struct {
	err error // why there is no timestamp (the file is kept at B-B)
}

// timestampStep readies cfg to ask Options.TSA for a token; nil without TSA.
func timestampStep(ctx context.Context, cfg *signConfig) *timestamped {
	o := cfg.opts
	if o.TSA == nil {
		return nil
	}
	t := &timestamped{}
	if o.TSA.Timeout == 0 && o.NetTimeout > 0 {
		c := *o.TSA
		c.Timeout = o.NetTimeout
		o.TSA = &c
	}
	cfg.unsignedReserve = tsaReserve
	cfg.cms.UnsignedAttrs = func(sigValue []byte) ([]cms.Attribute, error) {
		ts, err := pki.RequestTimestamp(ctx, o.TSA, sigValue)
		if err != nil {
			if errors.Is(ctx.Err(), context.Canceled) { // a cancel is not a server failure: nothing is saved
				return nil, &pdfsign.Error{Kind: pdfsign.KindCanceled, Err: ctx.Err()}
			}
			// The token has signed: the signature is kept at B-B, with its
			// reserve, and the timestamp can be added later without the PIN
			// (Finish). Without AllowLower, Sign reports it as a
			// *PendingError; with it, as Result.Warning.
			t.err = err
			return nil, nil
		}
		t.err = nil
		return []cms.Attribute{cms.MakeAttribute(cms.OIDAttrTimeStampToken, ts.Token)}, nil
	}
	return t
}

// setLevel raises res to B-T, or says in res.Warning why it stays B-B.
func (t *timestamped) setLevel(res *Result) {
	switch {
	case t == nil:
	case t.err != nil:
		res.Warning = t.err
	default:
		res.Level = "B-T"
	}
}

// failed is the TSA's failure, nil when the timestamp came (or none was asked).
func (t *timestamped) failed() error {
	if t == nil {
		return nil
	}
	return t.err
}
