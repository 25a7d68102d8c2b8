// Package pdfsign is what signing and verifying PDF documents share: the
// errors a person can cause (Error and its kinds, LTVError and its steps,
// with their texts), the kinds of the bounds against hostile files
// (limits.go), safe text (safetext.go), the TSA settings (tsa.go) and the
// sample document (sample.go). What only the jobs use is internal: reading
// a document, its paths and signature fields, making an Error
// (pdfsign/internal/doc); RFC 3161 time-stamp tokens, revocation data, the
// signatures and chains of the DSS (pdfsign/internal/pki).
//
// The jobs are its subpackages, each importing the ones below it:
// pdfsign/trust (trust stores, the EU trusted lists, the chain check),
// pdfsign/verify (Verify, the change analysis, the report and its verdict)
// and pdfsign/sign (Sign, Check, Finish, fields, the visible stamp, the
// DSS, the chain a signature embeds; it reads back what it wrote with
// verify). None of them knows PKCS#11 (the key is a crypto.Signer) nor the
// UI.
package pdfsign
