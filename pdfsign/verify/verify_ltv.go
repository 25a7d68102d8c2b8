package verify

import (
	"context"
	"crypto/x509"
	"time"

	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
	"github.com/certigna-desktop/app/pdfsign/trust"
)

// The long-term step of Verify (B-T, B-LT): the timestamp
// token is checked against the signature value (imprint, TSA signature,
// EKU, TSA chain when roots are given), the revocation status of the signer's
// and the TSA's chains is decided from the data embedded in the document
// (DSS, with the signature's VRI entry when there is one) — never fetched —
// and the level is set to what is proven: B-B, B-T or B-LT.

// LTVReport is the timestamp and long-term-validation part of a
// SignatureReport.
type LTVReport struct {
	Timestamp    time.Time `json:"timestamp,omitzero"` // genTime of the verified signature timestamp
	TimestampTSA string    `json:"timestamp_tsa,omitempty"`
	TimestampOK  bool      `json:"timestamp_ok"`
	DSS          bool      `json:"dss"` // the document has a DSS with certificates or revocation data
	VRI          bool      `json:"vri"` // … and a VRI entry for this signature
	// Revocation is what the embedded data says about every certificate of
	// the signer's and the TSA's chains: "good", "revoked" or "unknown"
	// (missing data or an incomplete chain).
	Revocation string `json:"revocation"`
	// TrustReason says why Trust is untrusted (see the TrustReason constants).
	TrustReason string `json:"trust_reason,omitempty"`
}

// checkLTV verifies the signature's timestamp and judges its chains from the
// validation data embedded in the document: s.LTV, trust and problems.
func checkLTV(s *SignatureReport, r *pdf.Reader, contents []byte, opts Options) {
	lr := &LTVReport{Revocation: "unknown"}
	s.LTV = lr
	// Without a verified timestamp nothing proves when the signature was
	// made (/M is the signer's claim): the chain is judged as of now.
	at := time.Now()
	var tsaChainSrc []*x509.Certificate
	var tsaCert *x509.Certificate
	for _, tok := range s.cms.SignerInfo.Unsigned[cms.OIDAttrTimeStampToken.String()] {
		ts, err := pki.VerifyTimestampTokenWith(tok, s.cms.SignerInfo.Signature, nil, time.Time{}, opts.docCerts)
		if err != nil {
			s.problem("ltv_timestamp_invalid", "warning", err.Error())
			continue
		}
		lr.Timestamp, lr.TimestampTSA, lr.TimestampOK = ts.GenTime, ts.Signer.Subject.CommonName, true
		tsaCert, tsaChainSrc = ts.Signer, ts.Certs
		// The timestamp proves the signature existed then: judge the chain then.
		at = ts.GenTime
		if opts.Roots != nil {
			if tv := trust.CheckChain(ts.Signer, ts.Certs, opts.Roots, ts.GenTime); !tv.Trusted {
				s.problem("ltv_tsa_untrusted", "warning", tv.Detail)
			}
		}
		break
	}

	// Embedded validation data: the DSS (VRI entry first), and the CMS's own certificates.
	dssCerts, ocsps, crls, vri := ReadDSS(r, pki.VRIKey(contents))
	lr.DSS = len(dssCerts)+len(ocsps)+len(crls) > 0
	lr.VRI = vri
	pool := append(append(append([]*x509.Certificate(nil), s.cms.Certs...), dssCerts...), tsaChainSrc...)
	if s.signerCert == nil {
		return
	}
	// Nothing is downloaded here: a chain the document does not complete stays incomplete.
	sc, _ := pki.BuildChain(context.Background(), s.signerCert, pool, nil)
	chains := [][]*x509.Certificate{sc}
	if tsaCert != nil {
		tc, _ := pki.BuildChain(context.Background(), tsaCert, pool, nil)
		chains = append(chains, tc)
	}
	status := pki.RevGood
	for _, chain := range chains {
		top := chain[len(chain)-1]
		if !pki.RevSelfSigned(top) && opts.Roots == nil {
			if status == pki.RevGood {
				status = pki.RevUnknown // the chain does not reach a root we can see
			}
		}
		for i := 0; i+1 < len(chain); i++ {
			switch pki.CheckEmbeddedRevocation(chain[i], chain[i+1], ocsps, crls, at) {
			case pki.RevRevoked:
				status = pki.RevRevoked
				s.problem("ltv_revoked", "warning", pki.RevName(chain[i]))
			case pki.RevUnknown:
				if status != pki.RevRevoked {
					status = pki.RevUnknown
				}
			}
		}
		if status == pki.RevRevoked {
			break
		}
	}
	switch status {
	case pki.RevGood:
		lr.Revocation = "good"
	case pki.RevRevoked:
		lr.Revocation = "revoked"
	}

	// Trust: why not, in a word; a revoked chain is not trusted.
	if opts.Roots != nil {
		tv := trust.CheckChain(s.signerCert, pool, opts.Roots, at)
		switch {
		case !tv.Trusted:
			lr.TrustReason = tv.Reason
			s.Trust = TrustUntrusted
			if s.TrustError == "" {
				s.TrustError = tv.Detail
			}
		case lr.Revocation == "revoked":
			lr.TrustReason = trust.ReasonRevoked
			s.Trust, s.TrustError = TrustUntrusted, "revoked"
		default:
			// The DSS may hold the intermediate CAs the CMS lacks: with them
			// the chain reaches a trusted root after all.
			lr.TrustReason = trust.ReasonOK
			if s.Trust == TrustUntrusted {
				s.Trust, s.TrustError = TrustTrusted, ""
				kept := s.Problems[:0]
				for _, pb := range s.Problems {
					if pb.Code != "untrusted" {
						kept = append(kept, pb)
					}
				}
				s.Problems = kept
			}
		}
	}
}

// ltvReadDSS returns the DSS's certificates, OCSP responses and CRLs. When
// the DSS has a VRI entry for VriKey, its own lists are returned (with the
// global ones after them) and vri is true.
func ReadDSS(r *pdf.Reader, vriKey string) (certs []*x509.Certificate, ocsps, crls [][]byte, vri bool) {
	root, err := r.ResolveDict(r.Trailer.Get("Root"))
	if err != nil || root == nil {
		return
	}
	dss, err := r.ResolveDict(root.Get("DSS"))
	if err != nil || dss == nil {
		return
	}
	streams := func(o pdf.Object) [][]byte {
		o, err := r.Resolve(o)
		if err != nil {
			return nil
		}
		arr, _ := o.(pdf.Array)
		var out [][]byte
		once := map[pdf.Ref]bool{} // a stream named many times is read once
		for i, e := range arr {
			if i > 10000 {
				break
			}
			if ref, ok := e.(pdf.Ref); ok {
				if once[ref] {
					continue
				}
				once[ref] = true
			}
			if r.Step(pdf.DSSItemSteps) != nil {
				break // Verify returns the limit error
			}
			so, err := r.Resolve(e)
			if err != nil {
				continue
			}
			if st, ok := so.(*pdf.Stream); ok {
				if b, err := r.StreamData(st, 16<<20); err == nil {
					out = append(out, b)
				}
			}
		}
		return out
	}
	var certDER [][]byte
	if vd, err := r.ResolveDict(dss.Get("VRI")); err == nil && vd != nil {
		if e, err := r.ResolveDict(vd.Get(vriKey)); err == nil && e != nil {
			vri = true
			certDER = append(certDER, streams(e.Get("Cert"))...)
			ocsps = append(ocsps, streams(e.Get("OCSP"))...)
			crls = append(crls, streams(e.Get("CRL"))...)
		}
	}
	certDER = append(certDER, streams(dss.Get("Certs"))...)
	ocsps = append(ocsps, streams(dss.Get("OCSPs"))...)
	crls = append(crls, streams(dss.Get("CRLs"))...)
	for _, b := range certDER {
		if c, err := x509.ParseCertificate(b); err == nil {
			certs = append(certs, c)
		}
	}
	return
}
