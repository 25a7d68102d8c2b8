// Package pdfsign signs PDF documents with PAdES baseline signatures and
// verifies the signatures of any PDF. It knows nothing of PKCS#11 (the
// token's key is a crypto.Signer) nor of the UI.
//
// The rooms it builds on: internal/pdf reads a PDF through its
// cross-reference chain (only the objects asked for) and appends incremental
// updates; internal/cms builds and parses CMS SignedData.
//
// Sign is a sequence of steps, each in its own file (see Sign): options
// (sign.go), the checks callers make before the PIN (sign_check.go,
// precheck.go), timestamp (sign_timestamp.go → tsa.go, the only place the TSA
// is called), visible stamp (sign_stamp.go → stamp.go), input checks
// (sign_check.go), plan (sign_plan.go), one-pass write (sign_write.go), DSS
// (sign_dss.go → dss.go, revocation.go, ltv.go: the only places OCSP, CRL
// and issuer certificates are fetched), publish (sign_write.go).
//
// Verify is too (see Verify and checkOne): fields (verify_fields.go),
// revisions (verify_changes.go), byte range and CMS (verify_signature.go),
// timestamp and embedded revocation data (verify_ltv.go), level
// (padesLevel), then what changed after each signature and whether it was
// allowed (changes*.go) and the levels that need every signature
// (levels.go). Verify never uses the network.
package pdfsign
