// Package pdfsign signs PDF documents with PAdES baseline signatures and
// verifies the signatures of any PDF.
//
// The design follows pyHanko's split into three parts:
//
//   - a streaming reader (reader.go) that follows the cross-reference chain
//     (classic tables, xref streams, object streams, hybrid and linearized
//     files, earlier updates) and fetches only the objects asked for — the
//     catalog, the AcroForm, one page and its /Annots when signing — so that
//     a 100 MB file costs a few MB of memory;
//   - an incremental writer (increment.go) that appends new and rewritten
//     objects, an xref section of the input's kind (table or stream) chained
//     with /Prev, and a trailer keeping every previous key (/Info, /ID, …);
//   - a CMS builder (cms.go, cryptobyte) for any crypto.Signer, and a CMS
//     parser/checker (cmsparse.go) for signatures made by other tools.
//
// Sign hashes the input while copying it to a temporary file beside the
// output (one read pass), builds the CMS, patches /Contents in memory, then
// fsyncs and renames: on any error no output is left behind.
//
// # Internal hooks (for the B-T, B-LT and visible-stamp work)
//
// These are unexported on purpose: they are the seams other files of this
// package plug into, not API.
//
//   - signHooks []func(cfg *signConfig) error (sign.go): run by Sign after
//     the options are checked and before the file is read. Register from an
//     init() in tsa*.go / ltv*.go / appearance*.go and fill in, from
//     cfg.opts (TSA, LTV, Visible…):
//   - cfg.cms.unsignedAttrs func(sigValue []byte) ([]attribute, error):
//     called by buildCMS right after the token signed, with the signature
//     value; return DER Attributes (use makeAttribute(oid, valueDER)) — e.g.
//     the signature-time-stamp-token (OID 1.2.840.113549.1.9.16.2.14). They
//     go into the SignerInfo's unsignedAttrs [1], DER-sorted.
//   - cfg.unsignedReserve int: bytes to reserve in /Contents for those
//     attributes (the placeholder is sized from a CMS built with a maximal
//     signature value plus this reserve). If the real CMS is larger anyway,
//     Sign redoes the update once with the measured size (the token signs
//     twice in that case), so underestimating costs time, not a failure.
//   - cfg.appearance func(pg *pageInfo, u *increment) (rect [4]float64, ap
//     *Dict, err error): makes the widget visible. pg has the page's Ref,
//     MediaBox/CropBox (inherited), Rotate and dictionary; add the form
//     XObject(s) and fonts with u.alloc(), u.put(ref, obj) and
//     u.putStream(ref, dict, data), and return the /Rect and the /AP
//     dictionary (e.g. <</N ref>>). The widget then gets /F 4 (Print).
//   - cfg.finish func(f *os.File, res *Result) error: runs on the complete
//     signed temporary file (read/write) before fsync and rename. Append a
//     DSS (B-LT) or a document timestamp there with appendIncrement(f,
//     func(r *reader, u *increment) error) — it reads the file's xref chain
//     (r.fetch, r.resolve, r.resolveDict, r.trailer), lets you add objects
//     (u.put / u.putStream; rewriting the catalog: fetch r.trailer "Root",
//     Clone, Set "DSS", u.put(rootRef, catalog)) and writes the revision
//     with an xref of the same kind and /Prev. An error discards the output.
//   - verifyHooks []func(v *verifyContext, s *SignatureReport) error
//     (verify.go): run for each signature after the built-in checks; v has
//     the reader, the open file, the options and the signature dictionary
//     (v.sigV). s.cms gives the parsed CMS (s.cms.si.unsigned holds the
//     unsigned attributes by OID string). Use it to check the timestamp
//     token and the DSS and to raise s.Level to B-T/B-LT/B-LTA, adding
//     s.problem(code, severity, detail) findings (translate codes as
//     "pdf.problem.CODE").
package pdfsign
