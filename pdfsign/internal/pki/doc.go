// Package pki holds the PKI primitives that signing and verifying share and
// no one else calls: RFC 3161 time-stamp tokens (tsa.go requests them,
// timestamp.go checks them), revocation data (revocation.go fetches OCSP responses
// and CRLs and checks them, and decides a certificate's status from the
// data a document embeds) and a document's signatures as long-term
// validation reads them (ltv.go: FindSignatures, VRIKey, BuildChain), a
// parse error in words (errtext.go), a digest's name (hash.go). Being
// internal to pdfsign, it stays out of the public surface of pdfsign.
package pki
