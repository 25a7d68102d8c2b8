package sign

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/internal/testhook"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// Options tune a signature. The zero value gives an invisible PAdES B-B
// signature on the first page with SHA-256, dated now. TSA, LTV and Visible
// add the steps of Sign (sign_timestamp.go, sign_dss.go, sign_stamp.go).
type Options struct {
	Reason, Location, ContactInfo, Name string
	Page                                int                // 1-based; 0 = first page
	Hash                                crypto.Hash        // default SHA-256; SHA-384 and SHA-512 allowed
	Time                                time.Time          // /M; default now
	Force                               bool               // overwrite an existing output (never the input)
	TSA                                 *pdfsign.TSAConfig // RFC 3161 timestamp → B-T (sign_timestamp.go)
	LTV                                 bool               // add a DSS revision → B-LT (sign_dss.go)
	Lang                                string             // language of the visible stamp
	Visible                             *Visible           // visible stamp (sign_stamp.go); nil = invisible
	// AllowLower saves the signature at the level reached when the TSA or
	// the revocation servers fail (Result.Warning says why); otherwise such
	// a failure is an error and no file is written.
	AllowLower bool
	// Field is the empty signature field to sign into (fully qualified
	// name, see SignatureFields); "" = the only empty one if there is
	// exactly one, a new field if there is none (fields.go).
	Field string
	// NetTimeout bounds each request to the TSA and the revocation
	// servers (0: 20 s for the TSA, 15 s for the others); tests shorten it.
	NetTimeout time.Duration
	// DeferDirSync leaves the fsync of the output's folder to the caller
	// (SyncDir), e.g. once after a batch: the file itself is still synced
	// before it gets its name, so it is whole or absent, never half.
	DeferDirSync bool
	// Ahead is the input's copy started before the signer was known
	// (CopyAhead): taken when it fits, else Sign copies itself. The
	// caller still calls its Discard.
	Ahead *Ahead
}

// Result describes a signature just written.
type Result struct {
	Output       string    `json:"output"`
	Field        string    `json:"field"`
	Page         int       `json:"page"`
	ByteRange    [4]int64  `json:"byte_range"`
	ContentsSize int       `json:"contents_size"` // bytes reserved for the CMS
	CMSSize      int       `json:"cms_size"`      // bytes of the CMS
	Hash         string    `json:"hash"`
	SigningTime  time.Time `json:"signing_time"`
	Level        string    `json:"level"`
	SignerCN     string    `json:"signer_cn"`
	// Warning, with Options.AllowLower, is why Level is below what was asked.
	Warning error `json:"-"`
	// Written is what was written, for checking the output read back
	// (ReadBack).
	Written *verify.Written `json:"-"`
}

// signConfig is the internal form of Options, with the seams the steps of
// Sign fill in (the timestamp's reserve and unsigned attribute, the stamp's
// appearance, the DSS revision appended by finish).
type signConfig struct {
	ctx   context.Context // bounds the network calls; checked before the token signs
	opts  Options
	hash  crypto.Hash
	cms   cms.Params
	when  time.Time
	field string     // field name; "" = first free "SignatureN"
	fill  *fieldFill // an existing empty field to sign into (fields.go)

	// netTimeout bounds each request to the revocation servers; 0: their
	// default (Options.NetTimeout).
	netTimeout time.Duration

	// unsignedReserve is how many bytes to reserve in /Contents for the
	// unsigned attributes returned by cms.unsignedAttrs (e.g. 12 KiB for a
	// timestamp token with its TSA chain).
	unsignedReserve int

	// appearance, when set, makes the widget visible: given the chosen page
	// and the update being built (u.alloc / u.put / u.putStream to add the
	// form XObject, fonts…), it returns the widget's /Rect and its /AP
	// dictionary. The widget then gets /F 4 (print) instead of hidden-locked.
	appearance func(pg *pageInfo, u *pdf.Increment) (rect [4]float64, ap *pdf.Dict, err error)

	// finish, when set, runs on the complete signed temporary file (open for
	// read/write, before fsync and rename): the place to append a DSS or a
	// document timestamp with pdf.AppendIncrement. An error discards the output.
	finish func(f *os.File, res *Result) error
}

// DefaultOutput is the output path used when none is given: "IN-signed.pdf"
// beside the input.
func DefaultOutput(in string) string {
	ext := filepath.Ext(in)
	base := strings.TrimSuffix(in, ext)
	if ext == "" || !strings.EqualFold(ext, ".pdf") {
		return in + "-signed.pdf"
	}
	return base + "-signed" + ext
}

// signerWithCert is what token.Signer offers besides crypto.Signer.
type signerWithCert interface {
	Certificate() *x509.Certificate
	Chain() []*x509.Certificate
}

// Sign writes to out a copy of in with a PAdES baseline signature appended
// as an incremental update. chain[0] is the signer's certificate, followed by
// its issuers (if chain is empty and signer has Certificate() and Chain()
// methods, they are used). out == "" means DefaultOutput(in). On any error
// no output file is left behind. ctx reaches the network calls (TSA, OCSP,
// CRL, issuer certificates); the token's signature itself cannot be
// interrupted.
//
// The steps, in order:
//  1. the options and the signer's certificate are checked (newSignConfig);
//  2. with Options.TSA, the timestamp step is readied (sign_timestamp.go): it
//     calls the TSA once the token has signed, over the signature value;
//  3. with Options.Visible, the visible stamp is readied (sign_stamp.go);
//  4. the input is checked, the update planned, the input hashed, the token
//     signs, the file is written to a temporary file (sign_check.go,
//     sign_plan.go, sign_write.go);
//  5. the level is set (B-T when the timestamp came) and, with Options.LTV,
//     revocation data is fetched and a DSS revision appended (sign_dss.go);
//  6. the temporary file is published as out (sign_write.go).
func Sign(ctx context.Context, in, out string, signer crypto.Signer, chain []*x509.Certificate, opts Options) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, doc.PanicErr(in, p)
		}
		if e := (*pdfsign.Error)(nil); err != nil && errors.Is(ctx.Err(), context.Canceled) && !(errors.As(err, &e) && e.Kind == pdfsign.KindCanceled) {
			// a step failed because the caller canceled (the window's
			// Cancel, Ctrl-C): say that, not the step's symptom; a deadline
			// that passed stays the step's own failure
			err = &pdfsign.Error{Kind: pdfsign.KindCanceled, Err: ctx.Err()}
		}
		if err != nil {
			err = doc.WithPath(err, in)
		}
	}()
	if out == "" {
		out = DefaultOutput(in)
	}
	opts, fill, err := prepareField(in, opts) // the field to fill decides the stamp's place (fields.go)
	if err != nil {
		return nil, err
	}
	cfg, err := newSignConfig(signer, chain, opts) // 1
	if err != nil {
		return nil, err
	}
	if fill != nil {
		cfg.fill, cfg.field = fill, fill.field.Name
	}
	cfg.ctx = ctx
	ts := timestampStep(ctx, cfg)                      // 2
	cfg.appearance = stampStep(cfg)                    // 3
	var pending error                                  // what failed after the token signed (the file is kept)
	cfg.finish = func(f *os.File, res *Result) error { // 5
		ts.setLevel(res)
		if pending = ts.failed(); pending != nil {
			// No DSS before the timestamp: the DSS must hold the TSA's
			// chain, and its VRI key is over /Contents, which the
			// timestamp changes. Finish adds both, in that order.
			return nil
		}
		var err error
		pending, err = dssStep(ctx, cfg, f, res)
		return err
	}
	res, err = signFile(in, out, cfg) // 4, 6
	if err == nil && testhook.Signed != nil {
		if herr := testhook.Signed(in, res.Output); herr != nil {
			return nil, &pdfsign.Error{Kind: pdfsign.KindInternal, Err: fmt.Errorf("reference stability: %w", herr)}
		}
	}
	if err == nil && pending != nil && !opts.AllowLower {
		return res, &PendingError{Output: res.Output, Level: res.Level, TSA: opts.TSA != nil && ts.failed() != nil, LTV: opts.LTV, Err: pending}
	}
	return res, err
}

func newSignConfig(signer crypto.Signer, chain []*x509.Certificate, opts Options) (*signConfig, error) {
	if signer == nil {
		return nil, &pdfsign.Error{Kind: pdfsign.KindSigner, Err: errors.New("no signer")}
	}
	if len(chain) == 0 {
		if sc, ok := signer.(signerWithCert); ok && sc.Certificate() != nil {
			chain = append([]*x509.Certificate{sc.Certificate()}, sc.Chain()...)
		}
	}
	if len(chain) == 0 || chain[0] == nil {
		return nil, &pdfsign.Error{Kind: pdfsign.KindCertificate, Err: errors.New("no signer certificate")}
	}
	chain = completeOffline(chain) // issuers the app ships (chain.go)
	cert := chain[0]
	if !publicKeysEqual(cert.PublicKey, signer.Public()) {
		return nil, &pdfsign.Error{Kind: pdfsign.KindCertificate, Err: errors.New("the certificate does not match the signing key")}
	}
	if _, err := cms.MaxSignatureLen(signer.Public()); err != nil {
		return nil, &pdfsign.Error{Kind: pdfsign.KindCertificate, Err: err}
	}
	h := signatureHash(opts)
	if h != crypto.SHA256 && h != crypto.SHA384 && h != crypto.SHA512 {
		return nil, &pdfsign.Error{Kind: pdfsign.KindHash, Err: fmt.Errorf("%v not supported (SHA-256, SHA-384, SHA-512)", h)}
	}
	when := opts.Time
	if when.IsZero() {
		when = time.Now()
	}
	return &signConfig{
		ctx:  context.Background(),
		opts: opts, hash: h, when: when, netTimeout: opts.NetTimeout,
		cms: cms.Params{Signer: signer, Cert: cert, Chain: chain[1:], Hash: h},
	}, nil
}

// signatureHash is the hash opts ask for, SHA-256 by default.
func signatureHash(opts Options) crypto.Hash {
	if opts.Hash == 0 {
		return crypto.SHA256
	}
	return opts.Hash
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	type eq interface{ Equal(crypto.PublicKey) bool }
	if e, ok := a.(eq); ok {
		return e.Equal(b)
	}
	return false
}
