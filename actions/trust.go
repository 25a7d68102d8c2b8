package actions

import (
	"context"

	"github.com/certigna-desktop/app/pdfsign/trust"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// Trust is the one way "recognised by this computer" is decided, for the
// verify screen, the CLI's verify and the check after signing alike: the
// system's roots, the person's added certificates (trust.DefaultDir),
// Extra (the CLI's --trust) and the EU trusted lists as last downloaded.
// Trust is reported; it never decides whether a signature is valid.
type Trust struct {
	Extra string // a PEM/DER file or a folder of them ("" = none)
	// Refresh downloads the trusted lists first (the CLI's
	// --trusted-lists); otherwise the cached copy is used and nothing goes
	// online.
	Refresh bool
}

// TrustResult is the verification options a Trust gives and what it used.
type TrustResult struct {
	Options verify.Options
	// Lists is whether the trusted lists were among the anchors
	// (trust.TLNotChecked, TLFresh or TLCached): Report.TrustedLists.
	Lists string
	// RefreshErr is why a refresh failed (the cached copy was used): a
	// warning, not a failure.
	RefreshErr error
}

// Build reads the trust anchors. An error only comes from Extra (a file that
// cannot be read); the user's folder or the system's roots missing simply
// trust less.
func (t Trust) Build(ctx context.Context) (TrustResult, error) {
	var r TrustResult
	ts, err := trust.NewStore(true, trust.DefaultDir(), t.Extra)
	if err != nil {
		if t.Extra != "" {
			return r, err
		}
		if ts, err = trust.NewStore(true); err != nil {
			return r, err
		}
	}
	lists := trust.CachedTrustedLists(trust.TrustedListOptions{})
	if t.Refresh {
		lists, r.RefreshErr = trust.RefreshTrustedLists(ctx, trust.TrustedListOptions{})
	}
	lists.AddTo(ts)
	r.Options.Roots = ts.Pool()
	r.Lists = lists.Status
	return r, nil
}

// Verify checks path against the trust of t (docs/pdfsign.md): the report
// carries which trusted lists were used. No signature: the report and
// pdfsign's KindNoSignature error.
func Verify(ctx context.Context, path string, t Trust) (*verify.Report, TrustResult, error) {
	return verifyWritten(ctx, path, t, nil)
}

// verifyWritten is Verify of a file just signed, w being what Sign wrote
// (verify.ReadBack: read back and compared, not hashed twice; nil:
// Verify).
func verifyWritten(ctx context.Context, path string, t Trust, w *verify.Written) (*verify.Report, TrustResult, error) {
	tr, err := t.Build(ctx)
	if err != nil {
		return nil, tr, err
	}
	rep, err := verify.ReadBack(ctx, path, tr.Options, w)
	if rep != nil {
		rep.TrustedLists = tr.Lists
	}
	return rep, tr, err
}
