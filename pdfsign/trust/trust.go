package trust

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
)

// The trust store used by verification: the operating system's roots plus
// certificates the user adds (a folder of .pem/.crt/.cer files, or single
// files), and the reasons a chain is not trusted, in words.

// Store is a set of trust anchors.
type Store struct {
	pool   *x509.CertPool
	user   []*x509.Certificate
	system bool
}

// DefaultDir is where the app keeps the certificates the user adds:
// <user config dir>/certigna-desktop/trust.
func DefaultDir() string {
	d, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "certigna-desktop", "trust")
}

// NewStore returns a store with the OS roots (when withSystem and the
// OS offers them) and the certificates found in paths: PEM or DER files, or
// directories of them (not recursive). Missing paths are skipped; an
// unreadable certificate file is an error naming it.
func NewStore(withSystem bool, paths ...string) (*Store, error) {
	t := &Store{pool: x509.NewCertPool()}
	if withSystem {
		if sp, err := x509.SystemCertPool(); err == nil && sp != nil {
			t.pool, t.system = sp, true
		}
	}
	for _, p := range paths {
		if p == "" {
			continue
		}
		st, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, doc.NewErr(pdfsign.KindIO, p, err)
		}
		files := []string{p}
		if st.IsDir() {
			ents, err := os.ReadDir(p)
			if err != nil {
				return nil, doc.NewErr(pdfsign.KindIO, p, err)
			}
			files = files[:0]
			for _, e := range ents {
				ext := strings.ToLower(filepath.Ext(e.Name()))
				if !e.IsDir() && (ext == ".pem" || ext == ".crt" || ext == ".cer" || ext == ".der") {
					files = append(files, filepath.Join(p, e.Name()))
				}
			}
		}
		for _, f := range files {
			certs, err := readCertFile(f)
			if err != nil {
				return nil, doc.NewErr(pdfsign.KindCertificate, f, err)
			}
			for _, c := range certs {
				t.AddCert(c)
			}
		}
	}
	return t, nil
}

// readCertFile reads every certificate of a PEM file, or one DER certificate.
func readCertFile(path string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	rest := b
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) > 0 {
		return out, nil
	}
	c, err := x509.ParseCertificate(b)
	if err != nil {
		return nil, fmt.Errorf("no certificate (PEM or DER) found: %w", err)
	}
	return []*x509.Certificate{c}, nil
}

// AddCert adds a user trust anchor.
func (t *Store) AddCert(c *x509.Certificate) {
	t.pool.AddCert(c)
	t.user = append(t.user, c)
}

// Pool is the store as a pool, for VerifyOptions.Roots.
func (t *Store) Pool() *x509.CertPool { return t.pool }

// UserCerts are the certificates added besides the OS roots.
func (t *Store) UserCerts() []*x509.Certificate { return t.user }

// Trust reasons (Verdict.Reason, LTVReport.TrustReason).
const (
	ReasonOK            = "ok"
	ReasonUnknownIssuer = "unknown_issuer"
	ReasonExpired       = "expired"
	ReasonRevoked       = "revoked"
	ReasonInvalid       = "invalid"
)

// Verdict says whether a chain is trusted and why not.
type Verdict struct {
	Trusted bool
	Reason  string // one of the TrustReason constants
	Detail  string
	Chain   []*x509.Certificate // the chain built, leaf first, when trusted
}

// Message is the verdict for a person, in lang.
func (v Verdict) Message(lang string) string {
	return assets.T(lang, "ltv.trust."+v.Reason, map[string]any{"Detail": v.Detail})
}

// CheckChain verifies leaf against roots at time at, with intermediates, and
// says why it fails. Revocation is not checked here (see
// CheckEmbeddedRevocation).
func CheckChain(leaf *x509.Certificate, intermediates []*x509.Certificate, roots *x509.CertPool, at time.Time) Verdict {
	if leaf == nil {
		return Verdict{Reason: ReasonInvalid, Detail: "no certificate"}
	}
	inter := x509.NewCertPool()
	for _, c := range intermediates {
		inter.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err == nil {
		return Verdict{Trusted: true, Reason: ReasonOK, Chain: chains[0]}
	}
	return Verdict{Reason: classifyTrustError(err), Detail: err.Error()}
}

func classifyTrustError(err error) string {
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		return ReasonUnknownIssuer
	}
	var ci x509.CertificateInvalidError
	if errors.As(err, &ci) && ci.Reason == x509.Expired {
		return ReasonExpired
	}
	return ReasonInvalid
}
