package pki

import (
	"context"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	certchain "github.com/certigna-desktop/app/internal/chain"
	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
)

// Reading the signatures of a document for long-term validation: their
// /Contents (the VRI key), their CMS (certificates, signature value,
// timestamp tokens), and building the chains whose revocation data the DSS
// must hold.

// ltvSig is one signature found in a document.
type SigInfo struct {
	Contents   []byte // decoded /Contents, padding included (the VRI key is over these bytes)
	SubFilter  string
	ByteRange  []int64
	CMS        *cms.SignedData // nil when the CMS does not parse
	Signer     *x509.Certificate
	Timestamps [][]byte // signature-time-stamp-token values (DER ContentInfo)
}

// VriKey is the key of a signature's entry in /DSS /VRI: the uppercase hex
// SHA-1 of its /Contents bytes.
func VRIKey(contents []byte) string {
	sum := sha1.Sum(contents)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// ltvFindSignatures returns the document's signatures in /AcroForm /Fields
// order (kids included, signatureFields), each with its CMS parsed when possible.
func FindSignatures(r *pdf.Reader) ([]*SigInfo, error) {
	fields, err := doc.SigFields(r)
	if err != nil {
		return nil, err
	}
	var out []*SigInfo
	for _, f := range fields {
		if s := ltvSigFromDict(r, f.V); s != nil {
			out = append(out, s)
		}
	}
	return out, nil
}

func ltvSigFromDict(r *pdf.Reader, v *pdf.Dict) *SigInfo {
	co, err := r.Resolve(v.Get("Contents"))
	if err != nil {
		return nil
	}
	cs, ok := co.(pdf.String)
	if !ok || len(cs.B) == 0 {
		return nil
	}
	s := &SigInfo{Contents: cs.B, SubFilter: v.NameOf("SubFilter")}
	if bo, err := r.Resolve(v.Get("ByteRange")); err == nil {
		if br, ok := bo.(pdf.Array); ok {
			for _, e := range br {
				if n, ok := pdf.ToInt(e); ok {
					s.ByteRange = append(s.ByteRange, n)
				}
			}
		}
	}
	sd, err := cms.Parse(cs.B)
	if err != nil {
		return s
	}
	s.CMS = sd
	s.Signer = sd.SignerCert()
	for _, tok := range sd.SignerInfo.Unsigned[cms.OIDAttrTimeStampToken.String()] {
		if len(tok) > 0 {
			s.Timestamps = append(s.Timestamps, tok)
		}
	}
	if s.SubFilter == "ETSI.RFC3161" {
		// A document timestamp: the CMS is itself the token.
		s.Timestamps = append(s.Timestamps, cs.B)
	}
	return s
}

// ltvBuildChain orders a chain from leaf up using pool, then, when the top
// is not self-signed, the AIA caIssuers URLs (DER certificates) if fetch is
// set (internal/chain: the one chain builder). It stops at a self-signed
// certificate, when no issuer is found or after chain.MaxChecks signature
// checks; err is the *LTVError of a failed caIssuers download then.
func BuildChain(ctx context.Context, leaf *x509.Certificate, pool []*x509.Certificate, fetch *http.Client) (chain []*x509.Certificate, err error) {
	var o certchain.Options
	if fetch != nil {
		o.Fetch = func(ctx context.Context, u string) (*x509.Certificate, error) { return FetchCert(ctx, fetch, u) }
	}
	r := certchain.Build(ctx, leaf, pool, o)
	return r.Chain, r.FetchErr
}

// FetchCert downloads one issuer certificate (an AIA caIssuers URL).
func FetchCert(ctx context.Context, client *http.Client, u string) (*x509.Certificate, error) {
	b, err := revHTTP(ctx, RevocationOptions{Timeout: 15 * time.Second, Client: client}, http.MethodGet, u, "", nil)
	if err != nil {
		return nil, err
	}
	c, err := x509.ParseCertificate(b)
	if err != nil {
		return nil, doc.NewLTVDetail(pdfsign.LTVRevInvalid, u, "ca_issuers_not_cert", nil, err)
	}
	return c, nil
}
