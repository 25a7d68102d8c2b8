package sign

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
)

// The Document Security Store (ISO 32000-2 §12.8.4.3, ETSI EN 319 142-1
// B-LT): a further incremental update after the signature, so the signed
// bytes stay untouched, holding the certificates, OCSP responses and CRLs
// a validator needs years later, plus one VRI entry per signature.

// ltvOptions tune addLTV.
type ltvOptions struct {
	Revocation pki.RevocationOptions
	// ExtraCerts help build chains the CMS does not carry in full (e.g. the
	// token's chain, or the trust store's roots).
	ExtraCerts []*x509.Certificate
	// All covers every signature of the document; by default only the last one.
	All bool
	// Now is the /TU time of the VRI entries; zero: time.Now().
	Now time.Time
	// NoVRI leaves out the per-signature /VRI dictionary, which PAdES
	// baseline makes optional and which pdfcpu v0.15 reports as unsupported.
	NoVRI bool
}

// ltvResult says what the DSS revision holds.
type ltvResult struct {
	Data *pki.RevocationData
	VRI  []string // keys of the VRI entries written
}

// addLTV gathers revocation data for the document's last signature (its
// signer chain and the chains of its timestamp tokens) and appends a DSS
// revision to f, which must be open for reading and writing. Nothing is
// written when the data cannot be had. The caller owns atomicity (Sign works
// on a temporary file that is renamed only at the end).
func addLTV(ctx context.Context, f *os.File, opts ltvOptions) (*ltvResult, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, doc.NewErr(pdfsign.KindIO, f.Name(), err)
	}
	r, err := pdf.NewReaderDecrypting(f, st.Size())
	if err != nil {
		return nil, doc.WithPath(err, f.Name())
	}
	sigs, err := pki.FindSignatures(r)
	if err != nil {
		return nil, doc.WithPath(err, f.Name())
	}
	if len(sigs) == 0 {
		return nil, doc.NewErr(pdfsign.KindNoSignature, f.Name(), nil)
	}
	if !opts.All {
		last := sigs[0]
		for _, s := range sigs[1:] {
			if ltvEnd(s) > ltvEnd(last) {
				last = s
			}
		}
		sigs = []*pki.SigInfo{last}
	}
	client := opts.Revocation.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	var chains [][]*x509.Certificate
	for _, s := range sigs {
		if s.CMS == nil || (s.Signer == nil && s.SubFilter != "ETSI.RFC3161") {
			return nil, doc.NewLTVDetail(pdfsign.LTVDSS, "", "a_cms_unreadable", nil, nil)
		}
		pool := append(append([]*x509.Certificate(nil), s.CMS.Certs...), opts.ExtraCerts...)
		var leaves []*x509.Certificate
		if s.Signer != nil {
			leaves = append(leaves, s.Signer)
		}
		for _, tok := range s.Timestamps {
			if sd, err := cms.Parse(tok); err == nil {
				if tsa := sd.SignerCert(); tsa != nil {
					leaves = append(leaves, tsa)
					pool = append(pool, sd.Certs...)
				}
			}
		}
		for _, leaf := range leaves {
			chain, err := pki.BuildChain(ctx, leaf, pool, client)
			if err != nil {
				return nil, err // an issuer certificate could not be downloaded
			}
			chains = append(chains, chain)
		}
	}
	data, err := pki.FetchRevocation(ctx, chains, opts.Revocation)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	res := &ltvResult{Data: data}
	if !opts.NoVRI {
		for _, s := range sigs {
			res.VRI = append(res.VRI, pki.VRIKey(s.Contents))
		}
	}
	if _, err := pdf.AppendIncrement(f, func(r *pdf.Reader, u *pdf.Increment) error {
		return dssBuild(r, u, res.VRI, data, now)
	}); err != nil {
		var pe *pdfsign.Error
		if err := doc.WithPath(err, f.Name()); errors.As(err, &pe) {
			return nil, err
		}
		return nil, doc.NewLTVError(pdfsign.LTVDSS, "", err.Error(), err)
	}
	return res, nil
}

func ltvEnd(s *pki.SigInfo) int64 {
	if len(s.ByteRange) == 4 {
		return s.ByteRange[2] + s.ByteRange[3]
	}
	return 0
}

// dssBuild adds the DSS objects and a new catalog pointing at them to u. An
// existing DSS (an earlier LTV revision) is kept and extended; data already
// there is not stored twice.
func dssBuild(r *pdf.Reader, u *pdf.Increment, vriKeys []string, data *pki.RevocationData, now time.Time) error {
	rootRef, ok := r.Trailer.Get("Root").(pdf.Ref)
	if !ok {
		return doc.Damagedf("trailer has no /Root")
	}
	root, err := r.ResolveDict(rootRef)
	if err != nil || root == nil {
		return doc.Damagedf("catalog unreadable")
	}
	root = root.Clone()
	old, err := r.ResolveDict(root.Get("DSS"))
	if err != nil {
		return err
	}
	dss := &pdf.Dict{}
	if old != nil {
		dss = old.Clone()
	}
	dss.Set("Type", pdf.Name("DSS"))

	// add puts each DER blob in the DSS array key, reusing an existing
	// stream with the same bytes, and returns the refs in order.
	add := func(key string, ders [][]byte) ([]pdf.Object, error) {
		existing := map[[32]byte]pdf.Ref{}
		arr, err := readDSSArray(r, dss, key, func(ref pdf.Ref, b []byte) { existing[sha256.Sum256(b)] = ref })
		if err != nil {
			return nil, err
		}
		var refs []pdf.Object
		for _, der := range ders {
			sum := sha256.Sum256(der)
			ref, ok := existing[sum]
			if !ok {
				ref = u.Alloc()
				u.PutStream(ref, &pdf.Dict{}, der)
				existing[sum] = ref
				arr = append(arr, ref)
			}
			refs = append(refs, ref)
		}
		if len(arr) > 0 {
			dss.Set(key, arr)
		}
		return refs, nil
	}
	certDERs := make([][]byte, len(data.Certs))
	for i, c := range data.Certs {
		certDERs[i] = c.Raw
	}
	certRefs, err := add("Certs", certDERs)
	if err != nil {
		return err
	}
	ocspRefs, err := add("OCSPs", data.OCSPs)
	if err != nil {
		return err
	}
	crlRefs, err := add("CRLs", data.CRLs)
	if err != nil {
		return err
	}
	if len(vriKeys) == 0 {
		dssRef := u.Alloc()
		u.Put(dssRef, dss)
		root.Set("DSS", dssRef)
		u.Put(rootRef, root)
		return nil
	}
	vo, err := r.ResolveDict(dss.Get("VRI"))
	if err != nil {
		return err
	}
	vri := &pdf.Dict{}
	if vo != nil {
		vri = vo.Clone()
	}
	for _, k := range vriKeys {
		e := &pdf.Dict{}
		if len(certRefs) > 0 {
			e.Set("Cert", pdf.Array(certRefs))
		}
		if len(ocspRefs) > 0 {
			e.Set("OCSP", pdf.Array(ocspRefs))
		}
		if len(crlRefs) > 0 {
			e.Set("CRL", pdf.Array(crlRefs))
		}
		e.Set("TU", pdf.String{B: []byte(now.UTC().Format("D:20060102150405Z"))})
		vri.Set(k, e)
	}
	vriRef := u.Alloc()
	u.Put(vriRef, vri)
	dss.Set("VRI", vriRef)
	dssRef := u.Alloc()
	u.Put(dssRef, dss)
	root.Set("DSS", dssRef)
	u.Put(rootRef, root)
	return nil
}

// extendLTV writes to out a copy of the signed PDF in with a DSS revision
// for its last signature (or all, with opts.All): for a B-T file saved while
// the revocation servers were unreachable. Same output safety as Sign: never
// over the input, an existing out only with force, a temporary file renamed
// at the end, nothing left behind on error.
func extendLTV(ctx context.Context, in, out string, force bool, opts ltvOptions) (*ltvResult, error) {
	inInfo, err := doc.CheckPaths(in, out, force)
	if err != nil {
		return nil, err
	}
	src, _, err := doc.OpenInput(in)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	tmp, err := newOutputTemp(out, src)
	if err != nil {
		return nil, err
	}
	defer tmp.discard()
	if n, err := io.Copy(tmp, src); err != nil || n != inInfo.Size() {
		return nil, doc.NewErr(pdfsign.KindIO, out, err)
	}
	res, err := addLTV(ctx, tmp.File, opts)
	if err != nil {
		return nil, doc.WithPath(err, in)
	}
	if err := tmp.Sync(); err != nil {
		return nil, doc.NewErr(pdfsign.KindIO, out, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, doc.NewErr(pdfsign.KindIO, out, err)
	}
	if err := publish(tmp.Name(), out, force, false); err != nil {
		return nil, err
	}
	tmp.published()
	return res, nil
}

// readDSSArray reads one DSS array (Certs, OCSPs, CRLs) and the data of its
// streams, each distinct stream once (a stream named many times is hashed
// once) at DSSItemSteps each: adding to the DSS after the PIN and checking
// it before read it alike. A stream that cannot be decoded is passed over,
// unless it is over a bound. It returns a copy of the array.
func readDSSArray(r *pdf.Reader, dss *pdf.Dict, key string, data func(ref pdf.Ref, b []byte)) (pdf.Array, error) {
	ao, err := r.Resolve(dss.Get(key))
	if err != nil {
		return nil, err
	}
	arr, _ := ao.(pdf.Array)
	arr = append(pdf.Array(nil), arr...)
	once := map[pdf.Ref]bool{}
	for _, e := range arr {
		ref, ok := e.(pdf.Ref)
		if !ok || once[ref] {
			continue
		}
		once[ref] = true
		if err := r.Step(pdf.DSSItemSteps); err != nil {
			return nil, err
		}
		o, err := r.Fetch(ref.Num)
		if err != nil {
			return nil, err
		}
		if st, ok := o.(*pdf.Stream); ok {
			b, err := r.StreamData(st, 16<<20)
			if pdf.IsLimit(err) {
				return nil, err
			}
			if err == nil && data != nil {
				data(ref, b)
			}
		}
	}
	return arr, nil
}
