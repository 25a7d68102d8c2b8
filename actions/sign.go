package actions

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"strings"
	"sync"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// Signed is a signature just made and the check of what was written.
type Signed struct {
	Result *sign.Result
	// Report is the verification of the output as read back from disk,
	// with the trust of Trust{} (the verify screen's: the system's roots,
	// the person's certificates and the cached trusted lists), so that
	// "recognised" after signing and on the verify screen are one answer.
	Report *verify.Report
	Last   *verify.SignatureReport // the new signature (the report's last)
}

// Valid is the one rule for "valid" after signing, in the window, the CLI
// and a batch: the new signature verifies AND the document as a whole is
// fine (every signature intact, nothing but signatures added after each) —
// what the person is about to send is what is called valid.
func (s *Signed) Valid() bool {
	return s != nil && s.Last != nil && s.Last.Valid && s.Report != nil && s.Report.OK
}

// SignAndVerify signs in into out with key (chain: from Prepare; nil: taken
// from the key), then verifies what was written (CheckSigned). The PIN was
// spent to open key: nothing here retries anything.
func SignAndVerify(ctx context.Context, in, out string, key crypto.Signer, chain []*x509.Certificate, opts sign.Options) (*Signed, error) {
	// The check needs the trust anchors (the system's ~150 roots read and
	// parsed, the person's folder): read while the document is signed, on
	// the other core, rather than after it (issue 21).
	trust := trustSoon(ctx)
	res, err := sign.Sign(ctx, in, out, key, chain, opts)
	if pe := (*sign.PendingError)(nil); res != nil && errors.As(err, &pe) {
		// Signed and kept below the level asked for (a server failed after
		// the token signed): the signature as written, and the step's
		// failure; Finish completes it later without the PIN.
		s, verr := checkWrittenWith(ctx, res.Output, res.Written, trust)
		if verr != nil {
			return nil, verr
		}
		s.Result = res
		return s, err
	}
	if err != nil {
		return nil, err
	}
	s, err := checkWrittenWith(ctx, res.Output, res.Written, trust)
	if s != nil {
		s.Result = res
	}
	return s, err
}

// Finish completes a signature kept with a *sign.PendingError: the
// timestamp and/or the DSS that o asks for (the options it was signed
// with), without the token, in place when out is "". The check is of the
// completed file; a *sign.PendingError again when the timestamp came
// but the DSS did not.
func Finish(ctx context.Context, path, out string, o SignOptions) (*sign.FinishResult, *Signed, error) {
	opts, err := o.finishOptions(path)
	if err != nil {
		return nil, nil, err
	}
	res, err := sign.Finish(ctx, path, out, opts)
	if res == nil {
		return nil, nil, err
	}
	s, verr := CheckSigned(ctx, res.Output)
	if err == nil {
		err = verr
	}
	return res, s, err
}

// finishOptions are the parts of o that Finish uses, checked as for signing.
func (o SignOptions) finishOptions(path string) (sign.FinishOptions, error) {
	o.StampPage, o.Visible, o.Rect, o.StampCorner = StampNone, false, "", "" // the stamp is signed already
	opts, err := o.Options(path)
	if err != nil {
		return sign.FinishOptions{}, err
	}
	return sign.FinishOptions{TSA: opts.TSA, LTV: opts.LTV, NetTimeout: opts.NetTimeout, Force: o.Force}, nil
}

// CheckSigned verifies a file just signed, with the verify screen's trust.
// A file without signatures gives pdfsign's KindNoSignature error.
func CheckSigned(ctx context.Context, path string) (*Signed, error) {
	return checkWritten(ctx, path, nil)
}

// checkWritten is CheckSigned of the file Sign just wrote, w being what it
// wrote (Result.Written): read back from disk and compared with it instead
// of hashed a second time (verify.ReadBack). The window, the CLI and
// a batch all check their output here.
func checkWritten(ctx context.Context, path string, w *verify.Written) (*Signed, error) {
	return checkWrittenWith(ctx, path, w, func() (TrustResult, error) { return Trust{}.Build(context.WithoutCancel(ctx)) })
}

// checkWrittenWith is checkWritten with the trust of Trust{} from trust.
func checkWrittenWith(ctx context.Context, path string, w *verify.Written, trust func() (TrustResult, error)) (*Signed, error) {
	tr, err := trust()
	if err != nil {
		return nil, err
	}
	rep, err := verify.ReadBack(context.WithoutCancel(ctx), path, tr.Options, w)
	if rep != nil {
		rep.TrustedLists = tr.Lists
	}
	if err != nil {
		return nil, err
	}
	s := &Signed{Report: rep}
	if n := len(rep.Signatures); n > 0 {
		s.Last = &rep.Signatures[n-1]
	}
	return s, nil
}

// NotValidError is a signed document written but not Valid: the output is
// there (the person may want to look at it), the check says why.
type NotValidError struct{ Signed *Signed }

func (e *NotValidError) Error() string { return e.Message("en") }

// Message says the document was written but is not valid, and the
// verifier's reasons.
func (e *NotValidError) Message(lang string) string {
	return assets.T(lang, "actions.not_valid", map[string]any{"Detail": e.Signed.Detail(lang)})
}

// Detail is the verifier's reasons, in lang, why s is not Valid ("" when it
// is): the new signature's errors first, then the other signatures'.
func (s *Signed) Detail(lang string) string {
	if s.Valid() {
		return ""
	}
	var why []string
	if s.Report != nil {
		for i := len(s.Report.Signatures) - 1; i >= 0; i-- {
			for _, p := range s.Report.Signatures[i].Problems {
				if p.Severity == "error" {
					why = append(why, p.Message(lang))
				}
			}
		}
	}
	if len(why) == 0 {
		return assets.T(lang, "actions.not_valid_document")
	}
	return strings.Join(why, "; ")
}

// trustSoon starts building Trust{}'s anchors now; the function returned
// waits for them.
func trustSoon(ctx context.Context) func() (TrustResult, error) {
	type built struct {
		r   TrustResult
		err error
	}
	c := make(chan built, 1) // buffered: a signature that fails does not wait for it
	go func() {
		r, err := Trust{}.Build(context.WithoutCancel(ctx))
		c <- built{r, err}
	}()
	return sync.OnceValues(func() (TrustResult, error) {
		b := <-c
		return b.r, b.err
	})
}
