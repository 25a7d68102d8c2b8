// Package pki holds the PKI primitives that signing and verifying share and
// no one else calls: revocation data (revocation.go fetches OCSP responses
// and CRLs and checks them, and decides a certificate's status from the
// data a document embeds) and a document's signatures as long-term
// validation reads them (ltv.go: FindSignatures, VRIKey, BuildChain). Being
// internal to pdfsign, it stays out of the public surface of pdfsign.
package pki
