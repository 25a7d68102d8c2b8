package pki

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// RFC 3161 time-stamping: the client that turns a B-B signature into B-T.
//
// The token is requested over the signature value (the SignerInfo's
// signature octets, as ETSI EN 319 122-1 says for signature-time-stamp) and
// verified — imprint, nonce, the TSA's CMS signature over TSTInfo and the TSA
// certificate's timeStamping EKU — before it is embedded.

// CheckTSACredentials refuses credentials bound for a TSA over plain
// http:// (HTTP basic authentication is clear text) unless
// cfg.HTTPCredentials says the person wants it. A server on the loopback
// interface (localhost, 127.0.0.0/8, ::1: a local relay or a test server)
// is not reached through any network, so plain http:// is accepted there,
// as browsers count such origins secure.
func CheckTSACredentials(cfg *pdfsign.TSAConfig) error {
	if cfg == nil || (cfg.Username == "" && cfg.Password == "") || cfg.HTTPCredentials {
		return nil
	}
	u, err := url.Parse(cfg.URL)
	if err == nil && u.Scheme == "http" && isLoopback(u.Hostname()) {
		return nil
	}
	if err != nil || u.Scheme != "https" {
		shown := cfg.URL
		if err == nil {
			shown = u.Redacted()
		}
		return doc.NewLTVError(pdfsign.LTVTSAInsecure, shown, "", nil)
	}
	return nil
}

// TimestampToken is a verified time-stamp token.
type TimestampToken struct {
	Token   []byte // DER ContentInfo (the TimeStampToken), as embedded
	GenTime time.Time
	Serial  *big.Int
	Policy  asn1.ObjectIdentifier
	Hash    crypto.Hash
	Imprint []byte
	Signer  *x509.Certificate   // the TSA certificate
	Certs   []*x509.Certificate // every certificate in the token
}

var (
	oidTSEKUTimeStamping       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	tsDefaultTimeout           = 20 * time.Second
	tsMaxResponse        int64 = 1 << 20
)

// RequestTimestamp asks cfg's TSA for a token over data (the signature value)
// and returns it verified. ctx bounds the exchange besides cfg.Timeout.
func RequestTimestamp(ctx context.Context, cfg *pdfsign.TSAConfig, data []byte) (*TimestampToken, error) {
	if cfg == nil || cfg.URL == "" {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAConfig, "", "no_url", nil, nil)
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAConfig, "", "url_scheme", nil, err)
	}
	// Errors name the server without any password the URL may carry.
	shown := u.Redacted()
	if err := CheckTSACredentials(cfg); err != nil {
		return nil, err
	}
	h := cfg.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	if _, ok := cms.HashOIDs[h]; !ok || !h.Available() {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAConfig, shown, "unsupported_hash", map[string]any{"Hash": h.String()}, nil)
	}
	hh := h.New()
	hh.Write(data)
	imprint := hh.Sum(nil)
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAConfig, shown, "no_random", nil, err)
	}
	req := buildTimeStampReq(h, imprint, nonce)

	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = tsDefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL, bytes.NewReader(req))
	if err != nil {
		return nil, doc.NewLTVError(pdfsign.LTVTSAConfig, shown, err.Error(), err)
	}
	hreq.Header.Set("Content-Type", "application/timestamp-query")
	hreq.Header.Set("Accept", "application/timestamp-reply")
	if cfg.Username != "" || cfg.Password != "" {
		hreq.SetBasicAuth(cfg.Username, cfg.Password)
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: timeout, CheckRedirect: func(r *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			// A redirect must not carry the credentials to plain http.
			if r.URL.Scheme != "https" && r.Header.Get("Authorization") != "" && !cfg.HTTPCredentials && !isLoopback(r.URL.Hostname()) {
				return errors.New("redirected to " + r.URL.Scheme + "://, credentials not sent")
			}
			return nil
		}}
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, doc.NewLTVError(pdfsign.LTVTSAUnreachable, shown, NetDetail(err), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, tsMaxResponse))
	if err != nil {
		return nil, doc.NewLTVError(pdfsign.LTVTSAUnreachable, shown, NetDetail(err), err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, doc.NewLTVError(pdfsign.LTVTSAAuth, shown, resp.Status, nil)
	case resp.StatusCode >= 500:
		return nil, doc.NewLTVError(pdfsign.LTVTSAUnreachable, shown, "HTTP "+resp.Status, nil)
	case resp.StatusCode != http.StatusOK:
		return nil, doc.NewLTVError(pdfsign.LTVTSARefused, shown, "HTTP "+resp.Status, nil)
	}
	token, err := parseTimeStampResp(body)
	if err != nil {
		var le *pdfsign.LTVError
		if errors.As(err, &le) {
			le.URL = shown
			return nil, le
		}
		return nil, doc.NewLTVError(pdfsign.LTVTSAGarbage, shown, ParseErrText("time-stamp response", err), err)
	}
	ts, err := VerifyTimestampToken(token, data, cfg.Roots, time.Time{})
	if err != nil {
		var le *pdfsign.LTVError
		if errors.As(err, &le) {
			le.URL = shown
			return nil, le
		}
		return nil, doc.NewLTVError(pdfsign.LTVTSAInvalid, shown, err.Error(), err)
	}
	if ts.Hash != h {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAMismatch, shown, "hash_changed", nil, nil)
	}
	if n := tstNonce(token); n == nil || n.Cmp(nonce) != 0 {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAMismatch, shown, "nonce_differs", nil, nil)
	}
	return ts, nil
}

// NetDetail is a short text for a network error, without Go's op prefixes.
func NetDetail(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err.Error()
	}
	return err.Error()
}

func addAlgID(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, withNull bool) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if withNull {
			b.AddASN1NULL()
		}
	})
}

func buildTimeStampReq(h crypto.Hash, imprint []byte, nonce *big.Int) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addAlgID(b, cms.HashOIDs[h], true)
			b.AddASN1OctetString(imprint)
		})
		b.AddASN1BigInt(nonce)
		b.AddASN1Boolean(true) // certReq: the TSA certificate goes into the token
	})
	return b.BytesOrPanic()
}

// parseTimeStampResp checks the PKIStatus and returns the token's DER.
func parseTimeStampResp(der []byte) ([]byte, error) {
	s := cryptobyte.String(der)
	var resp, status cryptobyte.String
	if !s.ReadASN1(&resp, cbasn1.SEQUENCE) || !s.Empty() || !resp.ReadASN1(&status, cbasn1.SEQUENCE) {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAGarbage, "", "not_tsresp", nil, nil)
	}
	var code int64
	if !status.ReadASN1Integer(&code) {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAGarbage, "", "no_status", nil, nil)
	}
	var text []string
	if status.PeekASN1Tag(cbasn1.SEQUENCE) {
		var free cryptobyte.String
		status.ReadASN1(&free, cbasn1.SEQUENCE)
		for !free.Empty() {
			var u cryptobyte.String
			var tag cbasn1.Tag
			if !free.ReadAnyASN1(&u, &tag) {
				break
			}
			text = append(text, string(u))
		}
	}
	var failBits asn1.BitString
	if status.PeekASN1Tag(cbasn1.BIT_STRING) {
		var raw cryptobyte.String
		if status.ReadASN1Element(&raw, cbasn1.BIT_STRING) {
			asn1.Unmarshal(raw, &failBits)
		}
	}
	// 0 granted, 1 grantedWithMods; 2 rejection, 3 waiting, 4/5 revocation notices.
	if code != 0 && code != 1 {
		d := fmt.Sprintf("status %d (%s)", code, tsStatusName(code))
		if f := tsFailName(failBits); f != "" {
			d += ", " + f
		}
		for _, t := range text {
			d += ": " + t
		}
		return nil, doc.NewLTVError(pdfsign.LTVTSARefused, "", d, nil)
	}
	var token cryptobyte.String
	if !resp.ReadASN1Element(&token, cbasn1.SEQUENCE) {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAGarbage, "", "granted_no_token", nil, nil)
	}
	return []byte(token), nil
}

func tsStatusName(c int64) string {
	switch c {
	case 2:
		return "rejection"
	case 3:
		return "waiting"
	case 4:
		return "revocationWarning"
	case 5:
		return "revocationNotification"
	}
	return "unknown"
}

func tsFailName(b asn1.BitString) string {
	names := map[int]string{0: "badAlg", 2: "badRequest", 5: "badDataFormat", 14: "timeNotAvailable",
		15: "unacceptedPolicy", 16: "unacceptedExtension", 17: "addInfoNotAvailable", 25: "systemFailure"}
	for i := 0; i < b.BitLength; i++ {
		if b.At(i) == 1 {
			if n, ok := names[i]; ok {
				return n
			}
			return fmt.Sprintf("failInfo bit %d", i)
		}
	}
	return ""
}

func tstNonce(token []byte) *big.Int {
	sd, err := cms.Parse(token)
	if err != nil {
		return nil
	}
	info, err := cms.ParseTSTInfo(sd.EContent)
	if err != nil {
		return nil
	}
	return info.Nonce
}

// isLoopback: host names this machine without a network in between.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
