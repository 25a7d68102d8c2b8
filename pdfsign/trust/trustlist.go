package trust

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The EU trusted lists (ETSI TS 119 612): the list of lists (LOTL) points to
// each member state's list; a list names the qualified CAs ("CA/QC" services)
// and their status. Their certificates are added to the trust anchors, so
// that a signer with a qualified certificate from any EU CA is recognised.
// Lists are fetched only when asked (RefreshTrustedLists) and kept in a
// cache; verification itself never goes online. Offline without a cache the
// answer is "not checked". The lists' XML signatures are not checked here:
// they are fetched over HTTPS from the EU's address only.

// euLOTL is the address of the EU list of trusted lists.
const euLOTL = "https://ec.europa.eu/tools/lotl/eu-lotl.xml"

// Trusted-list statuses (TrustedLists.Status).
const (
	TLNotChecked = "not_checked" // no list could be read (offline, never fetched)
	TLFresh      = "fresh"       // fetched now
	TLCached     = "cached"      // read from the cache
)

// TrustedListOptions say where the lists come from.
type TrustedListOptions struct {
	LOTL      string   // default: the EU list of trusted lists (euLOTL)
	Countries []string // scheme territories to take (default FR); "*" for all
	CacheDir  string   // where lists are kept (default DefaultDir()/tl)
	Client    *http.Client
}

// TrustedLists are the qualified CA certificates read from the lists.
type TrustedLists struct {
	Status string
	Certs  []*x509.Certificate
	Lists  []string // the territories read
}

func (o *TrustedListOptions) defaults() {
	if o.LOTL == "" {
		o.LOTL = euLOTL
	}
	if len(o.Countries) == 0 {
		o.Countries = []string{"FR"}
	}
	if o.CacheDir == "" && DefaultDir() != "" {
		o.CacheDir = filepath.Join(DefaultDir(), "tl")
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 30 * time.Second}
	}
}

// RefreshTrustedLists downloads the LOTL and the chosen countries' lists into
// the cache, then reads them. A download that fails leaves the cached copy.
func RefreshTrustedLists(ctx context.Context, opts TrustedListOptions) (*TrustedLists, error) {
	opts.defaults()
	lotl, err := tlFetch(ctx, opts.Client, opts.LOTL)
	if err != nil {
		return CachedTrustedLists(opts), err
	}
	ptrs, err := parseLOTL(lotl)
	if err != nil {
		return CachedTrustedLists(opts), err
	}
	tl := &TrustedLists{Status: TLFresh}
	var firstErr error
	for _, p := range ptrs {
		if !tlWanted(opts.Countries, p.territory) {
			continue
		}
		b, err := tlFetch(ctx, opts.Client, p.location)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		certs, err := parseTL(b)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if opts.CacheDir != "" {
			os.MkdirAll(opts.CacheDir, 0o700)
			os.WriteFile(filepath.Join(opts.CacheDir, p.territory+".xml"), b, 0o600)
		}
		tl.Certs = append(tl.Certs, certs...)
		tl.Lists = append(tl.Lists, p.territory)
	}
	if len(tl.Lists) == 0 {
		if firstErr == nil {
			firstErr = errors.New("no trusted list for " + strings.Join(opts.Countries, ", "))
		}
		return CachedTrustedLists(opts), firstErr
	}
	return tl, firstErr
}

// CachedTrustedLists reads the lists kept by an earlier refresh, offline.
func CachedTrustedLists(opts TrustedListOptions) *TrustedLists {
	opts.defaults()
	tl := &TrustedLists{Status: TLNotChecked}
	if opts.CacheDir == "" {
		return tl
	}
	ents, _ := os.ReadDir(opts.CacheDir)
	for _, e := range ents {
		name := strings.TrimSuffix(e.Name(), ".xml")
		if e.IsDir() || name == e.Name() || !tlWanted(opts.Countries, name) {
			continue
		}
		if fi, err := e.Info(); err != nil || !fi.Mode().IsRegular() || fi.Size() > tlMaxBytes {
			continue // not read at all: too large, or not a file
		}
		b, err := os.ReadFile(filepath.Join(opts.CacheDir, e.Name()))
		if err != nil {
			continue
		}
		if certs, err := parseTL(b); err == nil {
			tl.Certs = append(tl.Certs, certs...)
			tl.Lists = append(tl.Lists, name)
		}
	}
	if len(tl.Lists) > 0 {
		tl.Status = TLCached
	}
	return tl
}

// AddTo puts the lists' CA certificates among the store's anchors.
func (tl *TrustedLists) AddTo(t *Store) {
	for _, c := range tl.Certs {
		t.AddCert(c)
	}
}

func tlWanted(countries []string, territory string) bool {
	for _, c := range countries {
		if c == "*" || strings.EqualFold(c, territory) {
			return true
		}
	}
	return false
}

func tlFetch(ctx context.Context, c *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, tlMaxBytes+1))
	if err == nil && len(b) > tlMaxBytes {
		return nil, fmt.Errorf("%s: more than %d MB", url, tlMaxBytes>>20)
	}
	return b, err
}

// Bounds on a trusted list (issue #11): the cache is a local folder, the
// lists come from the network. Real lists are a few MB, a dozen elements
// deep; Go's XML decoder allocates tens of times a hostile file's size
// (deep nesting, thousands of attributes) and keeps every open element.
const (
	tlMaxBytes = 16 << 20
	tlMaxDepth = 64
	tlMaxAttrs = 64
)

// xmlBounded unmarshals b into v, refusing deep nesting and elements with
// too many attributes before the decoder builds them up.
func xmlBounded(b []byte, v any) error {
	if len(b) > tlMaxBytes {
		return fmt.Errorf("more than %d MB", tlMaxBytes>>20)
	}
	d := xml.NewTokenDecoder(&xmlLimiter{d: xml.NewDecoder(bytes.NewReader(b))})
	return d.Decode(v)
}

type xmlLimiter struct {
	d     *xml.Decoder
	depth int
}

func (l *xmlLimiter) Token() (xml.Token, error) {
	t, err := l.d.RawToken()
	switch e := t.(type) {
	case xml.StartElement:
		l.depth++
		if l.depth > tlMaxDepth || len(e.Attr) > tlMaxAttrs {
			return nil, fmt.Errorf("XML nested more than %d deep or with more than %d attributes", tlMaxDepth, tlMaxAttrs)
		}
	case xml.EndElement:
		l.depth--
	}
	return t, err
}

type tlPointer struct{ location, territory string }

// parseLOTL returns the pointers to the XML lists.
func parseLOTL(b []byte) ([]tlPointer, error) {
	var doc struct {
		Pointers []struct {
			Location string `xml:"TSLLocation"`
			Info     []struct {
				Territory string `xml:"SchemeTerritory"`
				Mime      string `xml:"MimeType"`
			} `xml:"AdditionalInformation>OtherInformation"`
		} `xml:"SchemeInformation>PointersToOtherTSL>OtherTSLPointer"`
	}
	if err := xmlBounded(b, &doc); err != nil {
		return nil, fmt.Errorf("LOTL: %w", err)
	}
	var out []tlPointer
	for _, p := range doc.Pointers {
		var terr, mime string
		for _, i := range p.Info {
			if i.Territory != "" {
				terr = i.Territory
			}
			if i.Mime != "" {
				mime = i.Mime
			}
		}
		loc := strings.TrimSpace(p.Location)
		if terr == "" || loc == "" || (mime != "" && !strings.Contains(mime, "xml")) {
			continue
		}
		out = append(out, tlPointer{loc, terr})
	}
	return out, nil
}

// parseTL returns the certificates of the qualified CA services whose
// current status is granted (or the older accredited/under supervision).
func parseTL(b []byte) ([]*x509.Certificate, error) {
	var doc struct {
		Services []struct {
			Type   string   `xml:"ServiceInformation>ServiceTypeIdentifier"`
			Status string   `xml:"ServiceInformation>ServiceStatus"`
			Certs  []string `xml:"ServiceInformation>ServiceDigitalIdentity>DigitalId>X509Certificate"`
		} `xml:"TrustServiceProviderList>TrustServiceProvider>TSPServices>TSPService"`
	}
	if err := xmlBounded(b, &doc); err != nil {
		return nil, fmt.Errorf("trusted list: %w", err)
	}
	var out []*x509.Certificate
	for _, s := range doc.Services {
		if !strings.HasSuffix(strings.TrimSpace(s.Type), "/Svctype/CA/QC") {
			continue
		}
		st := strings.TrimSpace(s.Status)
		if !strings.HasSuffix(st, "/granted") && !strings.HasSuffix(st, "/accredited") && !strings.HasSuffix(st, "/undersupervision") {
			continue
		}
		for _, c := range s.Certs {
			der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c), ""))
			if err != nil {
				continue
			}
			if cert, err := x509.ParseCertificate(der); err == nil {
				out = append(out, cert)
			}
		}
	}
	return out, nil
}
