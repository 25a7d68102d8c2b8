// Package sign signs PDF documents with PAdES baseline signatures, written
// as incremental updates.
//
// Sign is a sequence of steps, each in its own file: options (sign.go), the
// checks callers make before the PIN (sign_check.go, precheck.go),
// timestamp (sign_timestamp.go → pdfsign/internal/pki's tsa.go, the only place the TSA
// is called), visible stamp (sign_stamp.go → stamp.go, font.go, place.go),
// the field (fields*.go), plan (sign_plan.go), one-pass write
// (sign_write.go), DSS (sign_dss.go → dss.go and pdfsign/internal/pki's
// revocation.go, ltv.go: with chain.go's CompleteChain before the PIN, the
// only places OCSP, CRL and issuer certificates are fetched), publish
// (sign_write.go). What was written is read back and verified with
// pdfsign/verify (written.go there); Finish (finish.go) adds a timestamp or
// a DSS to a signature made earlier.
package sign
