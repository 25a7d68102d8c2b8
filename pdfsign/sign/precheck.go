package sign

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	certchain "github.com/certigna-desktop/app/internal/chain"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/internal/tempfiles"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// Checks that Check makes so that a signature cannot fail after the PIN for
// a reason knowable before it: the output's folder, the output name, the
// TSA's reachability, and (CheckChainLTV) a B-LT chain that names no
// revocation server.

// CheckInput is the part of Check about the input and the options, for a
// caller that checks the output itself (the window asks before replacing a
// file): the file is read as Sign will read it (reader bounds, catalog,
// DocMDP, page tree, stamp, an existing DSS with LTV) and the TSA is
// reached. Called before the PIN.
func CheckInput(in string, opts Options) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = doc.PanicErr(in, p)
		}
		if err != nil {
			err = doc.WithPath(err, in)
		}
	}()
	f, info, err := doc.OpenInput(in)
	if err != nil {
		return err
	}
	defer f.Close()
	if opts, _, err = prepareField(in, opts); err != nil { // the field to fill and its stamp (fields.go)
		return err
	}
	r, err := doc.OpenForSigning(f, info.Size()) // decrypted; repaired if readers would repair it (signable.go)
	if err != nil {
		return err
	}
	catalog, err := r.ResolveDict(r.Trailer.Get("Root"))
	if err != nil {
		return err
	}
	if catalog == nil {
		return doc.NewErr(pdfsign.KindDamaged, in, errors.New("catalog missing"))
	}
	if err := checkSignable(r, catalog, opts); err != nil { // DocMDP, permissions, field locks (signable.go)
		return err
	}
	pg, err := findPage(r, catalog, opts.Page)
	if err != nil {
		return err
	}
	if err := checkPlanReads(r, catalog, pg); err != nil {
		return err
	}
	if opts.LTV {
		if err := checkDSS(r, catalog); err != nil {
			return err
		}
	}
	if err := r.LimitErr(); err != nil {
		return err
	}
	if _, err = stampRect(pg, opts.Visible); err != nil { // stamp.go: a visible stamp must fit the page
		return err
	}
	// The signed file is verified once written: what Verify would refuse
	// in the input (too many signatures, a field tree it cannot read) is
	// refused now, before the PIN. Invalid signatures are no reason.
	if r.Repaired() {
		// A file readers repair: its signatures are read from the signed
		// copy, whose table is complete (internal/pdf/repair.go).
	} else if _, err := verify.File(context.Background(), f, info.Size(), verify.Options{}); err != nil {
		var e *pdfsign.Error
		if !errors.As(err, &e) || e.Kind != pdfsign.KindNoSignature {
			return err
		}
	}
	if opts.TSA != nil && !opts.AllowLower {
		return checkTSAReachable(opts.TSA)
	}
	return nil
}

// More kinds (see errors.go).
const (
	KindOutputDir  pdfsign.Kind = "output_dir"  // the output's folder cannot be written (read-only, missing, full)
	KindOutputLink pdfsign.Kind = "output_link" // the output is a symbolic link to nothing
)

// outputSlack: what a signature adds to the file (update, CMS, DSS),
// generously.
const outputSlack = 4 << 20

// checkOutputPlace: the output's folder takes a new file of the input's
// size, and the output name is not a dangling symbolic link (Sign would
// refuse it only once the PIN is used).
func checkOutputPlace(out string, inSize int64, force bool) error {
	if fi, err := os.Lstat(out); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if _, err := os.Stat(out); err != nil && !force {
			return doc.NewErr(KindOutputLink, out, nil)
		}
	}
	dir := filepath.Dir(out)
	// A real write is the only check that covers read-only mounts, ACLs
	// and quotas alike; the probe file is removed at once.
	probe, err := tempfiles.Create(dir, ".certigna-check-*.tmp")
	if err != nil {
		return doc.NewErr(KindOutputDir, dir, err)
	}
	probe.Close()
	tempfiles.Remove(probe.Name())
	if free, ok := freeSpace(dir); ok && free < inSize+outputSlack {
		return doc.NewErr(KindOutputDir, dir, fmt.Errorf("%d MB free, about %d MB needed", free>>20, (inSize+outputSlack)>>20))
	}
	return nil
}

// checkTSAReachable opens (and closes) a TCP connection to the TSA, or to
// the proxy that would carry the request: no time-stamp is asked (a TSA may
// bill each one), but a TSA that cannot be reached is known before the PIN.
func checkTSAReachable(cfg *pdfsign.TSAConfig) error {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" {
		return doc.NewLTVDetail(pdfsign.LTVTSAConfig, cfg.URL, "url_scheme", nil, err)
	}
	target := u
	if cfg.Client == nil {
		if p, err := http.ProxyFromEnvironment(&http.Request{URL: u}); err == nil && p != nil {
			target = p
		}
	}
	host := target.Host
	if target.Port() == "" {
		port := "80"
		if target.Scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(target.Hostname(), port)
	}
	timeout := dialTimeout
	if cfg.Timeout > 0 && cfg.Timeout < timeout {
		timeout = cfg.Timeout
	}
	c, err := net.DialTimeout("tcp", host, timeout)
	if err != nil {
		return doc.NewLTVError(pdfsign.LTVTSAUnreachable, u.Redacted(), "", err)
	}
	c.Close()
	return nil
}

// CheckChainLTV tells before the PIN whether a B-LT signature with leaf can
// get its revocation data: the leaf and each issuer found in pool (up to a
// self-signed root, which needs none) must name an OCSP responder or a CRL.
// Only what is known offline is judged; a server that does not answer is
// found out while signing.
func CheckChainLTV(leaf *x509.Certificate, pool []*x509.Certificate) error {
	if leaf == nil {
		return &pdfsign.Error{Kind: pdfsign.KindCertificate, Err: errors.New("no signer certificate")}
	}
	// the chain as far as pool goes; the rest is fetched from the AIA
	// while signing
	for _, c := range certchain.Build(context.Background(), leaf, pool, certchain.Options{}).Chain {
		if certchain.SelfSigned(c) {
			return nil
		}
		if len(c.OCSPServer) == 0 && len(c.CRLDistributionPoints) == 0 {
			return doc.NewLTVError(pdfsign.LTVNoRevInfo, "", pki.RevName(c), nil)
		}
	}
	return nil
}

// checkDSS reads an existing DSS the way a B-LT signature will extend it
// (dssBuild), so that a DSS too large for its file is refused before the
// PIN rather than after.
func checkDSS(r *pdf.Reader, catalog *pdf.Dict) error {
	dss, err := r.ResolveDict(catalog.Get("DSS"))
	if err != nil || dss == nil {
		return err
	}
	for _, key := range []string{"Certs", "OCSPs", "CRLs"} {
		if _, err := readDSSArray(r, dss, key, nil); err != nil {
			return err
		}
	}
	return nil
}

// checkPlanReads reads what planSignature reads besides the page tree: the
// AcroForm, its field list, each top-level field's name and the page's
// /Annots, so that a bound one of these reads would reach is met before the
// PIN, not after.
func checkPlanReads(r *pdf.Reader, catalog *pdf.Dict, pg *pageInfo) error {
	form, err := pdf.ReadForm(r, catalog)
	if err != nil {
		return err
	}
	if _, err := freeFieldName(r, form.Fields); err != nil {
		return err
	}
	if v, ok := pg.Dict.Get("Annots").(pdf.Ref); ok {
		if _, err := r.Resolve(v); err != nil {
			return err
		}
	}
	return nil
}
