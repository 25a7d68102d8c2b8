package sign

import (
	"context"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"io/fs"
	"net/http"
	"sync"
	"time"

	"github.com/certigna-desktop/app/assets"
	certchain "github.com/certigna-desktop/app/internal/chain"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
)

// The CMS must carry the signer's certificate and every intermediate up to
// the root (the root may be left out): a validator that trusts only the
// root (Acrobat, poppler, pyHanko) cannot build the chain otherwise. The
// issuers come, in this order, from
//
//  1. the certificates the caller has (the token's CA objects),
//  2. the AIA caIssuers URLs of the certificates (short timeout; done
//     before the PIN is asked; offline: a warning, the signature is made),
//  3. the CA certificates shipped in pdfsign/sign/cacerts (Certigna's public
//     roots; see docs/pdfsign.md for their origin and how to update them).

//go:embed cacerts/*.pem
var shippedFS embed.FS

var (
	shippedOnce sync.Once
	shipped     []*x509.Certificate
)

// shippedCACerts are the CA certificates that come with the app.
func shippedCACerts() []*x509.Certificate {
	shippedOnce.Do(func() {
		fs.WalkDir(shippedFS, "cacerts", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := shippedFS.ReadFile(p)
			for {
				var blk *pem.Block
				blk, b = pem.Decode(b)
				if blk == nil {
					break
				}
				if c, err := x509.ParseCertificate(blk.Bytes); err == nil {
					shipped = append(shipped, c)
				}
			}
			return nil
		})
	})
	return shipped
}

// ChainOptions tune CompleteChain.
type ChainOptions struct {
	Timeout time.Duration // per caIssuers download; default 5 s
	Client  *http.Client  // nil: a client with Timeout
	Offline bool          // do not download anything
}

// ChainWarning says that the chain put in the signature is incomplete: the
// signature is valid, but a validator that has only the root may not be
// able to link the signer's certificate to it.
type ChainWarning struct {
	Missing string // the issuer that could not be found (its name)
	Err     error  // why the download failed, if one was tried
}

func (w *ChainWarning) Error() string { return w.Message("en") }

// Message is the warning for a person.
func (w *ChainWarning) Message(lang string) string {
	why := ""
	if e, ok := w.Err.(interface{ Message(string) string }); ok {
		why = e.Message(lang)
	} else if w.Err != nil {
		why = w.Err.Error()
	}
	return assets.T(lang, "pdf.chain.incomplete", map[string]any{"Issuer": w.Missing, "Err": why})
}

// CompleteChain returns the chain to embed for leaf: leaf first, then its
// issuers in order up to a self-signed root (included when found). known
// are certificates at hand (the token's CA objects). A non-nil warning
// (*ChainWarning) means an issuer could not be had: sign anyway and tell.
// Call it before asking for the PIN: it may go online.
func CompleteChain(ctx context.Context, leaf *x509.Certificate, known []*x509.Certificate, opts ChainOptions) ([]*x509.Certificate, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: opts.Timeout}
	}
	o := certchain.Options{Fallback: shippedCACerts()}
	if !opts.Offline {
		o.Fetch = func(ctx context.Context, u string) (*x509.Certificate, error) {
			return pki.FetchCert(ctx, opts.Client, u)
		}
	}
	r := certchain.Build(ctx, leaf, known, o)
	if r.Complete {
		return r.Chain, nil
	}
	top := r.Chain[len(r.Chain)-1]
	if len(r.Chain) > 1 && r.FetchErr == nil && len(top.IssuingCertificateURL) == 0 {
		// An intermediate that names no issuer to download: the
		// validator's root store is expected to hold its issuer.
		return r.Chain, nil
	}
	return r.Chain, &ChainWarning{Missing: top.Issuer.String(), Err: r.FetchErr}
}

// completeOffline adds, without going online, the issuers that the chain
// lacks and the shipped certificates have (for callers that did not call
// CompleteChain). The certificates given are all kept, in their order.
func completeOffline(chain []*x509.Certificate) []*x509.Certificate {
	if len(chain) == 0 {
		return chain
	}
	if top := chain[len(chain)-1]; len(chain) > 1 && string(top.RawIssuer) == string(top.RawSubject) {
		return chain // up to a root already (CompleteChain's output): nothing to add
	}
	full, _ := CompleteChain(context.Background(), chain[0], chain[1:], ChainOptions{Offline: true})
	seen := map[string]bool{}
	var out []*x509.Certificate
	for _, c := range append(full, chain[1:]...) {
		if !seen[string(c.Raw)] {
			seen[string(c.Raw)] = true
			out = append(out, c)
		}
	}
	return out
}
