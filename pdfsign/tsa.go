package pdfsign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// RFC 3161 time-stamping: the client that turns a B-B signature into B-T.
//
// The token is requested over the signature value (the SignerInfo's
// signature octets, as ETSI EN 319 122-1 says for signature-time-stamp) and
// verified — imprint, nonce, the TSA's CMS signature over TSTInfo and the TSA
// certificate's timeStamping EKU — before it is embedded.

// Environment variables holding the TSA's HTTP basic credentials. They are
// read from the environment and never from the command line, where other
// users could see them in the process list.
const (
	EnvTSAUser     = "CERTIGNA_TSA_USER"
	EnvTSAPassword = "CERTIGNA_TSA_PASSWORD"
)

// TSAConfig says where and how to ask for timestamps.
type TSAConfig struct {
	URL      string
	Username string        // HTTP basic user; empty: none (see TSAConfigFromEnv)
	Password string        // HTTP basic password; never logged
	Timeout  time.Duration // whole exchange; default 20 s
	Hash     crypto.Hash   // imprint hash; default SHA-256
	// Roots, when set, must validate the TSA certificate's chain. When nil
	// only the EKU and the token's signature are checked (the chain is then
	// judged by Verify against the trust store).
	Roots  *x509.CertPool
	Client *http.Client // nil: a client with Timeout
}

// TSAConfigFromEnv returns a config for url with the credentials taken from
// CERTIGNA_TSA_USER / CERTIGNA_TSA_PASSWORD when they are set.
func TSAConfigFromEnv(rawURL string) *TSAConfig {
	return &TSAConfig{URL: rawURL, Username: os.Getenv(EnvTSAUser), Password: os.Getenv(EnvTSAPassword)}
}

// Timestamp is a verified time-stamp token.
type Timestamp struct {
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
	oidTSTInfo                       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidTSSignedData                  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidTSAttrContentType             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidTSAttrMessageDigest           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidTSAttrSigningCert             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	oidTSAttrSigningCertV2           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	OIDSignatureTimeStampToken       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	oidTSEKUTimeStamping             = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	oidTSRSAPSS                      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	tsHashByOID, tsOIDByHash         = tsHashTables()
	errTSNotDER                      = errors.New("not DER")
	tsDefaultTimeout                 = 20 * time.Second
	tsMaxResponse              int64 = 1 << 20
)

func tsHashTables() (map[string]crypto.Hash, map[crypto.Hash]asn1.ObjectIdentifier) {
	byHash := map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:   {1, 3, 14, 3, 2, 26},
		crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
		crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
		crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
	}
	byOID := map[string]crypto.Hash{}
	for h, o := range byHash {
		byOID[o.String()] = h
	}
	return byOID, byHash
}

// RequestTimestamp asks cfg's TSA for a token over data (the signature value)
// and returns it verified. ctx bounds the exchange besides cfg.Timeout.
func RequestTimestamp(ctx context.Context, cfg *TSAConfig, data []byte) (*Timestamp, error) {
	if cfg == nil || cfg.URL == "" {
		return nil, ltvErr(LTVTSAConfig, "", "no URL", nil)
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, ltvErr(LTVTSAConfig, "", "http:// or https:// URL expected", err)
	}
	// Errors name the server without any password the URL may carry.
	shown := u.Redacted()
	h := cfg.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	if _, ok := tsOIDByHash[h]; !ok || !h.Available() {
		return nil, ltvErr(LTVTSAConfig, shown, "unsupported hash "+h.String(), nil)
	}
	hh := h.New()
	hh.Write(data)
	imprint := hh.Sum(nil)
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, ltvErr(LTVTSAConfig, shown, "no randomness for the nonce", err)
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
		return nil, ltvErr(LTVTSAConfig, shown, err.Error(), err)
	}
	hreq.Header.Set("Content-Type", "application/timestamp-query")
	hreq.Header.Set("Accept", "application/timestamp-reply")
	if cfg.Username != "" || cfg.Password != "" {
		hreq.SetBasicAuth(cfg.Username, cfg.Password)
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, ltvErr(LTVTSAUnreachable, shown, netDetail(err), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, tsMaxResponse))
	if err != nil {
		return nil, ltvErr(LTVTSAUnreachable, shown, netDetail(err), err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, ltvErr(LTVTSAAuth, shown, resp.Status, nil)
	case resp.StatusCode >= 500:
		return nil, ltvErr(LTVTSAUnreachable, shown, "HTTP "+resp.Status, nil)
	case resp.StatusCode != http.StatusOK:
		return nil, ltvErr(LTVTSARefused, shown, "HTTP "+resp.Status, nil)
	}
	token, err := parseTimeStampResp(body)
	if err != nil {
		var le *LTVError
		if errors.As(err, &le) {
			le.URL = shown
			return nil, le
		}
		return nil, ltvErr(LTVTSAGarbage, shown, err.Error(), err)
	}
	ts, err := VerifyTimestampToken(token, data, cfg.Roots, time.Time{})
	if err != nil {
		var le *LTVError
		if errors.As(err, &le) {
			le.URL = shown
			return nil, le
		}
		return nil, ltvErr(LTVTSAInvalid, shown, err.Error(), err)
	}
	if ts.Hash != h {
		return nil, ltvErr(LTVTSAMismatch, shown, "hash algorithm changed", nil)
	}
	if n := tstNonce(token); n == nil || n.Cmp(nonce) != 0 {
		return nil, ltvErr(LTVTSAMismatch, shown, "nonce differs", nil)
	}
	return ts, nil
}

// netDetail is a short text for a network error, without Go's op prefixes.
func netDetail(err error) string {
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
			addAlgID(b, tsOIDByHash[h], true)
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
		return nil, ltvErr(LTVTSAGarbage, "", "not a TimeStampResp", nil)
	}
	var code int64
	if !status.ReadASN1Integer(&code) {
		return nil, ltvErr(LTVTSAGarbage, "", "no PKIStatus", nil)
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
		return nil, ltvErr(LTVTSARefused, "", d, nil)
	}
	var token cryptobyte.String
	if !resp.ReadASN1Element(&token, cbasn1.SEQUENCE) {
		return nil, ltvErr(LTVTSAGarbage, "", "granted but no token", nil)
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

// tsSignedData is the part of a CMS SignedData a timestamp check needs.
type tsSignedData struct {
	eContentType asn1.ObjectIdentifier
	eContent     []byte
	certs        []*x509.Certificate
	signer       tsSignerInfo
}

type tsSignerInfo struct {
	issuerSerial []byte // raw IssuerAndSerialNumber, or nil
	issuerRaw    []byte
	serial       *big.Int
	ski          []byte
	digest       crypto.Hash
	signedAttrs  []byte // the [0] IMPLICIT element, as in the token
	sigAlg       asn1.ObjectIdentifier
	signature    []byte
	unsigned     []byte // the [1] IMPLICIT element, or nil
}

// parseTSSignedData reads a ContentInfo holding a SignedData with one signer
// (a time-stamp token, or a PAdES signature: then eContent is nil).
func parseTSSignedData(der []byte) (*tsSignedData, error) {
	// Some TSAs answer in BER (indefinite lengths); read a DER form of it.
	// The token embedded stays the one received.
	if norm, err := berToDER(der); err == nil {
		der = norm
	}
	s := cryptobyte.String(der)
	var ci, content, sd cryptobyte.String
	var ctype asn1.ObjectIdentifier
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&ctype) ||
		!ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) || !content.ReadASN1(&sd, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("token: not a CMS ContentInfo")
	}
	if !ctype.Equal(oidTSSignedData) {
		return nil, fmt.Errorf("token: content type %s is not SignedData", ctype)
	}
	var version int64
	var digestAlgs, encap cryptobyte.String
	out := &tsSignedData{}
	if !sd.ReadASN1Integer(&version) || !sd.ReadASN1(&digestAlgs, cbasn1.SET) || !sd.ReadASN1(&encap, cbasn1.SEQUENCE) ||
		!encap.ReadASN1ObjectIdentifier(&out.eContentType) {
		return nil, fmt.Errorf("token: malformed SignedData")
	}
	var eci, oct cryptobyte.String
	if encap.ReadASN1(&eci, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		// DER says primitive OCTET STRING; tolerate a constructed one made of pieces.
		if eci.PeekASN1Tag(cbasn1.OCTET_STRING) && eci.ReadASN1(&oct, cbasn1.OCTET_STRING) {
			out.eContent = []byte(oct)
		} else if eci.ReadASN1(&oct, cbasn1.OCTET_STRING.Constructed()) {
			for !oct.Empty() {
				var piece cryptobyte.String
				if !oct.ReadASN1(&piece, cbasn1.OCTET_STRING) {
					return nil, fmt.Errorf("token: malformed eContent")
				}
				out.eContent = append(out.eContent, piece...)
			}
		}
	}
	var certs cryptobyte.String
	var hasCerts bool
	if !sd.ReadOptionalASN1(&certs, &hasCerts, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, fmt.Errorf("token: malformed certificates")
	}
	for hasCerts && !certs.Empty() {
		var c cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&c, &tag) {
			return nil, fmt.Errorf("token: malformed certificates")
		}
		if tag != cbasn1.SEQUENCE {
			continue // attribute or other certificate formats: not ours to use
		}
		cert, err := x509.ParseCertificate(c)
		if err != nil {
			return nil, fmt.Errorf("token: certificate: %w", err)
		}
		out.certs = append(out.certs, cert)
	}
	sd.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific()) // crls
	var infos cryptobyte.String
	if !sd.ReadASN1(&infos, cbasn1.SET) {
		return nil, fmt.Errorf("token: no SignerInfos")
	}
	var si cryptobyte.String
	if !infos.ReadASN1(&si, cbasn1.SEQUENCE) || !infos.Empty() {
		return nil, fmt.Errorf("token: want exactly one SignerInfo")
	}
	var siVersion int64
	if !si.ReadASN1Integer(&siVersion) {
		return nil, fmt.Errorf("token: malformed SignerInfo")
	}
	info := &out.signer
	if si.PeekASN1Tag(cbasn1.SEQUENCE) {
		var ias, issuer cryptobyte.String
		info.serial = new(big.Int)
		if !si.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) || !ias.ReadASN1Integer(info.serial) {
			return nil, fmt.Errorf("token: malformed signer identifier")
		}
		info.issuerRaw = []byte(issuer)
	} else {
		var ski cryptobyte.String
		if !si.ReadASN1(&ski, cbasn1.Tag(0).ContextSpecific()) {
			return nil, fmt.Errorf("token: malformed signer identifier")
		}
		info.ski = []byte(ski)
	}
	var digAlg cryptobyte.String
	var digOID asn1.ObjectIdentifier
	if !si.ReadASN1(&digAlg, cbasn1.SEQUENCE) || !digAlg.ReadASN1ObjectIdentifier(&digOID) {
		return nil, fmt.Errorf("token: malformed digest algorithm")
	}
	h, ok := tsHashByOID[digOID.String()]
	if !ok {
		return nil, fmt.Errorf("token: unsupported digest %s", digOID)
	}
	info.digest = h
	var attrs cryptobyte.String
	if !si.ReadASN1Element(&attrs, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, fmt.Errorf("token: no signed attributes")
	}
	info.signedAttrs = []byte(attrs)
	var sigAlg, sig cryptobyte.String
	if !si.ReadASN1(&sigAlg, cbasn1.SEQUENCE) || !sigAlg.ReadASN1ObjectIdentifier(&info.sigAlg) ||
		!si.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return nil, fmt.Errorf("token: malformed signature")
	}
	info.signature = []byte(sig)
	var unsigned cryptobyte.String
	if si.PeekASN1Tag(cbasn1.Tag(1).Constructed().ContextSpecific()) &&
		si.ReadASN1Element(&unsigned, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		info.unsigned = []byte(unsigned)
	}
	return out, nil
}

// tsAttrs returns the signed attributes: OID → first value (DER).
func tsAttrs(signedAttrs []byte) (map[string][]byte, error) {
	s := cryptobyte.String(signedAttrs)
	var set cryptobyte.String
	if !s.ReadASN1(&set, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errTSNotDER
	}
	m := map[string][]byte{}
	for !set.Empty() {
		var attr, vals, v cryptobyte.String
		var oid asn1.ObjectIdentifier
		var tag cbasn1.Tag
		if !set.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) ||
			!attr.ReadASN1(&vals, cbasn1.SET) || !vals.ReadAnyASN1Element(&v, &tag) {
			return nil, errTSNotDER
		}
		m[oid.String()] = []byte(v)
	}
	return m, nil
}

// tsCheckSignature verifies sig over signed with the certificate's key.
func tsCheckSignature(cert *x509.Certificate, h crypto.Hash, sigAlg asn1.ObjectIdentifier, signed, sig []byte) error {
	hh := h.New()
	hh.Write(signed)
	digest := hh.Sum(nil)
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if sigAlg.Equal(oidTSRSAPSS) {
			return rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
		}
		return rsa.VerifyPKCS1v15(pub, h, digest, sig)
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(pub, digest, sig) {
			return errors.New("ECDSA signature does not verify")
		}
		return nil
	case ed25519.PublicKey:
		if !ed25519.Verify(pub, signed, sig) {
			return errors.New("Ed25519 signature does not verify")
		}
		return nil
	}
	return fmt.Errorf("unsupported public key %T", cert.PublicKey)
}

// tstInfo is TSTInfo (RFC 3161 §2.4.2), the fields we use.
type tstInfo struct {
	Policy       asn1.ObjectIdentifier
	ImprintAlg   asn1.ObjectIdentifier
	Imprint      []byte
	SerialNumber *big.Int
	GenTime      time.Time
	Nonce        *big.Int
}

// parseTSTInfo reads TSTInfo by hand: its optional fields are told apart by
// tag, which encoding/asn1's RawValue would not do.
func parseTSTInfo(der []byte) (*tstInfo, error) {
	s := cryptobyte.String(der)
	var seq, mi, alg, hashed cryptobyte.String
	var version int64
	info := &tstInfo{SerialNumber: new(big.Int)}
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() || !seq.ReadASN1Integer(&version) ||
		!seq.ReadASN1ObjectIdentifier(&info.Policy) || !seq.ReadASN1(&mi, cbasn1.SEQUENCE) ||
		!mi.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&info.ImprintAlg) ||
		!mi.ReadASN1(&hashed, cbasn1.OCTET_STRING) || !seq.ReadASN1Integer(info.SerialNumber) ||
		!seq.ReadASN1GeneralizedTime(&info.GenTime) {
		return nil, errors.New("malformed TSTInfo")
	}
	info.Imprint = []byte(hashed)
	seq.SkipOptionalASN1(cbasn1.SEQUENCE) // accuracy
	seq.SkipOptionalASN1(cbasn1.BOOLEAN)  // ordering
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		info.Nonce = new(big.Int)
		if !seq.ReadASN1Integer(info.Nonce) {
			return nil, errors.New("malformed TSTInfo nonce")
		}
	}
	return info, nil
}

func tstNonce(token []byte) *big.Int {
	sd, err := parseTSSignedData(token)
	if err != nil {
		return nil
	}
	info, err := parseTSTInfo(sd.eContent)
	if err != nil {
		return nil
	}
	return info.Nonce
}

// VerifyTimestampToken checks that token is a time-stamp token over data,
// signed by a certificate it carries (or found in roots' chain) that has the
// timeStamping EKU. With roots non-nil, the TSA chain must also build to them
// at the token's time (at is ignored then; zero means genTime).
func VerifyTimestampToken(token, data []byte, roots *x509.CertPool, at time.Time) (*Timestamp, error) {
	sd, err := parseTSSignedData(token)
	if err != nil {
		return nil, ltvErr(LTVTSAGarbage, "", err.Error(), err)
	}
	if !sd.eContentType.Equal(oidTSTInfo) || sd.eContent == nil {
		return nil, ltvErr(LTVTSAGarbage, "", "content is not a TSTInfo", nil)
	}
	info, err := parseTSTInfo(sd.eContent)
	if err != nil {
		return nil, ltvErr(LTVTSAGarbage, "", err.Error(), err)
	}
	h, ok := tsHashByOID[info.ImprintAlg.String()]
	if !ok || !h.Available() {
		return nil, ltvErr(LTVTSAMismatch, "", "unsupported imprint hash", nil)
	}
	hh := h.New()
	hh.Write(data)
	if !bytes.Equal(hh.Sum(nil), info.Imprint) {
		return nil, ltvErr(LTVTSAMismatch, "", "message imprint differs from the signature's hash", nil)
	}
	// The signer certificate.
	si := sd.signer
	var tsaCert *x509.Certificate
	for _, c := range sd.certs {
		if si.ski != nil && bytes.Equal(c.SubjectKeyId, si.ski) ||
			si.serial != nil && c.SerialNumber.Cmp(si.serial) == 0 && bytes.Equal(c.RawIssuer, si.issuerRaw) {
			tsaCert = c
			break
		}
	}
	if tsaCert == nil {
		return nil, ltvErr(LTVTSAInvalid, "", "the TSA certificate is not in the token", nil)
	}
	attrs, err := tsAttrs(si.signedAttrs)
	if err != nil {
		return nil, ltvErr(LTVTSAInvalid, "", "malformed signed attributes", err)
	}
	var ct asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(attrs[oidTSAttrContentType.String()], &ct); err != nil || !ct.Equal(oidTSTInfo) {
		return nil, ltvErr(LTVTSAInvalid, "", "content-type attribute is not TSTInfo", nil)
	}
	var md []byte
	if _, err := asn1.Unmarshal(attrs[oidTSAttrMessageDigest.String()], &md); err != nil {
		return nil, ltvErr(LTVTSAInvalid, "", "no message-digest attribute", nil)
	}
	hh = si.digest.New()
	hh.Write(sd.eContent)
	if !bytes.Equal(hh.Sum(nil), md) {
		return nil, ltvErr(LTVTSAInvalid, "", "message-digest does not match TSTInfo", nil)
	}
	if err := tsCheckESSCert(attrs, tsaCert); err != nil {
		return nil, ltvErr(LTVTSAInvalid, "", err.Error(), err)
	}
	// The signature is over the DER SET OF, not over the [0] IMPLICIT encoding.
	signed := append([]byte(nil), si.signedAttrs...)
	signed[0] = 0x31
	if err := tsCheckSignature(tsaCert, si.digest, si.sigAlg, signed, si.signature); err != nil {
		return nil, ltvErr(LTVTSAInvalid, "", "TSA signature: "+err.Error(), err)
	}
	if !tsHasTimeStampingEKU(tsaCert) {
		return nil, ltvErr(LTVTSAInvalid, "", "the TSA certificate lacks the timeStamping extended key usage", nil)
	}
	if roots != nil {
		inter := x509.NewCertPool()
		for _, c := range sd.certs {
			inter.AddCert(c)
		}
		if at.IsZero() {
			at = info.GenTime
		}
		if _, err := tsaCert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
			return nil, ltvErr(LTVTSAInvalid, "", "TSA certificate chain: "+err.Error(), err)
		}
	}
	return &Timestamp{Token: token, GenTime: info.GenTime, Serial: info.SerialNumber, Policy: info.Policy,
		Hash: h, Imprint: info.Imprint, Signer: tsaCert, Certs: sd.certs}, nil
}

// tsCheckESSCert checks the signing-certificate(-v2) attribute, when present,
// names tsaCert: RFC 3161 requires one of them; a token without either is refused.
func tsCheckESSCert(attrs map[string][]byte, cert *x509.Certificate) error {
	if v, ok := attrs[oidTSAttrSigningCertV2.String()]; ok {
		// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, ... }
		// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT sha256, certHash OCTET STRING, ... }
		s := cryptobyte.String(v)
		var scv2, ids, id cryptobyte.String
		if !s.ReadASN1(&scv2, cbasn1.SEQUENCE) || !scv2.ReadASN1(&ids, cbasn1.SEQUENCE) || !ids.ReadASN1(&id, cbasn1.SEQUENCE) {
			return errors.New("malformed signing-certificate-v2")
		}
		h := crypto.SHA256
		if id.PeekASN1Tag(cbasn1.SEQUENCE) {
			var alg cryptobyte.String
			var oid asn1.ObjectIdentifier
			if !id.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
				return errors.New("malformed signing-certificate-v2")
			}
			var ok bool
			if h, ok = tsHashByOID[oid.String()]; !ok {
				return errors.New("signing-certificate-v2: unsupported hash")
			}
		}
		var certHash cryptobyte.String
		if !id.ReadASN1(&certHash, cbasn1.OCTET_STRING) {
			return errors.New("malformed signing-certificate-v2")
		}
		hh := h.New()
		hh.Write(cert.Raw)
		if !bytes.Equal(hh.Sum(nil), certHash) {
			return errors.New("signing-certificate-v2 names another certificate")
		}
		return nil
	}
	if v, ok := attrs[oidTSAttrSigningCert.String()]; ok {
		s := cryptobyte.String(v)
		var sc, ids, id, certHash cryptobyte.String
		if !s.ReadASN1(&sc, cbasn1.SEQUENCE) || !sc.ReadASN1(&ids, cbasn1.SEQUENCE) || !ids.ReadASN1(&id, cbasn1.SEQUENCE) ||
			!id.ReadASN1(&certHash, cbasn1.OCTET_STRING) {
			return errors.New("malformed signing-certificate")
		}
		sum := sha1.Sum(cert.Raw)
		if !bytes.Equal(sum[:], certHash) {
			return errors.New("signing-certificate names another certificate")
		}
		return nil
	}
	return errors.New("no signing-certificate attribute")
}

func tsHasTimeStampingEKU(c *x509.Certificate) bool {
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageTimeStamping {
			return true
		}
	}
	for _, o := range c.UnknownExtKeyUsage {
		if o.Equal(oidTSEKUTimeStamping) {
			return true
		}
	}
	return false
}

// AppendSignatureTimestamp returns unsignedAttrs content (the DER of
// Attribute SEQUENCEs, possibly empty) with a signature-time-stamp-token
// attribute holding token appended. The CMS builder puts the result in the
// SignerInfo's [1] IMPLICIT SET.
func AppendSignatureTimestamp(unsignedAttrs, token []byte) []byte {
	var b cryptobyte.Builder
	b.AddBytes(unsignedAttrs)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(OIDSignatureTimeStampToken)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(token) })
	})
	return b.BytesOrPanic()
}
