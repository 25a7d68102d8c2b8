package sign

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// Once the token has signed, nothing that fails afterwards wastes the
// signature: the signed revision is kept under its normal name at the level
// reached (B-B without its timestamp, B-T without its DSS) and Sign says so
// with a *PendingError. Finish adds what is missing later, without the
// token: the timestamp goes into the existing CMS as an unsigned attribute,
// inside the /Contents reserve (outside the byte range: the signed bytes do
// not change), the DSS as a new revision.

// PendingError is Sign's error when the signature was written but a step
// after the token's signature failed (the TSA, the revocation servers): the
// file Output is kept at Level, and Finish can complete it. Err is the
// step's error (*LTVError mostly), so errors.As finds it.
type PendingError struct {
	Output string // the signed file, kept
	Level  string // its level: "B-B" or "B-T"
	TSA    bool   // the timestamp is missing
	LTV    bool   // the long-term validation data was asked for and is missing
	Err    error
}

func (e *PendingError) Error() string {
	return "pdfsign: signed file kept at " + e.Level + " (" + e.Output + "): " + e.Err.Error()
}

func (e *PendingError) Unwrap() error { return e.Err }

// Message is the step's failure, then what was kept and that it can be
// completed without the PIN.
func (e *PendingError) Message(lang string) string {
	key := "finish.kept_tsa"
	if !e.TSA {
		key = "finish.kept_ltv"
	}
	return assets.T(lang, key, map[string]any{"Err": assets.Message(e.Err, lang), "Output": e.Output, "Level": e.Level})
}

// FinishOptions say what Finish adds.
type FinishOptions struct {
	TSA *pdfsign.TSAConfig // add the signature timestamp, if the signature has none
	LTV bool               // add a DSS revision (after the timestamp)
	// NetTimeout bounds each request (TSA, OCSP, CRL); 0: their defaults.
	NetTimeout time.Duration
	// Force lets Finish replace an existing out (never needed in place).
	Force bool
}

// FinishResult says what Finish did.
type FinishResult struct {
	Output      string `json:"output"`
	Level       string `json:"level"`       // the last signature's level, as Verify sees it
	Timestamped bool   `json:"timestamped"` // a timestamp was added
	DSS         bool   `json:"dss"`         // a DSS revision was added
}

// Finish completes the last signature of path: with opts.TSA a signature
// timestamp (when it has none), with opts.LTV a DSS revision. The result is
// written to out ("" or path itself: path is replaced, atomically — the
// only case where a file given to this package is replaced, and only by
// the same document with the timestamp or the DSS added). No token, no
// PIN. On error nothing changes, except that when the timestamp was added
// and the DSS failed, the timestamped file is written and the error is a
// *PendingError saying so.
func Finish(ctx context.Context, path, out string, opts FinishOptions) (res *FinishResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, doc.PanicErr(path, p)
		}
		if err != nil {
			err = doc.WithPath(err, path)
		}
	}()
	inPlace := out == "" || out == path
	if inPlace {
		out = path
		// A link stays a link: the file it names is the one completed.
		if real, err := filepath.EvalSymlinks(path); err == nil {
			out = real
		}
	} else if _, err := doc.CheckPaths(path, out, opts.Force); err != nil {
		return nil, err
	}
	src, info, err := doc.OpenInput(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	r, err := pdf.NewReaderDecrypting(src, info.Size())
	if err != nil {
		return nil, err
	}
	sigs, err := pki.FindSignatures(r)
	if err != nil {
		return nil, err
	}
	if len(sigs) == 0 {
		return nil, doc.NewErr(pdfsign.KindNoSignature, path, nil)
	}
	last := sigs[0]
	for _, s := range sigs[1:] {
		if ltvEnd(s) > ltvEnd(last) {
			last = s
		}
	}
	// Only a valid signature is worth a timestamp (a TSA may bill it) or a DSS.
	before, err := verify.File(ctx, src, info.Size(), verify.Options{})
	if err != nil {
		return nil, err
	}
	rep := findReport(before, last)
	if rep == nil || !rep.Valid || last.CMS == nil || last.SubFilter == "ETSI.RFC3161" {
		return nil, doc.NewLTVError(pdfsign.LTVNotPending, "", "", nil)
	}
	needTS := opts.TSA != nil && len(last.Timestamps) == 0
	needDSS := opts.LTV && rep.Level != "B-LT"
	res = &FinishResult{Output: out, Level: rep.Level}
	if !needTS && !needDSS {
		return res, nil // nothing to add: the file stays as it is
	}
	var patched []byte // the new /Contents hex, written at ByteRange[1]+1
	if needTS {
		if patched, err = timestampLater(ctx, src, last, opts); err != nil {
			return nil, err
		}
	}

	tmp, err := newOutputTemp(out, src)
	if err != nil {
		return nil, err
	}
	defer tmp.discard()
	if n, err := io.Copy(tmp, io.NewSectionReader(src, 0, info.Size())); err != nil || n != info.Size() {
		return nil, doc.NewErr(pdfsign.KindIO, out, err)
	}
	if patched != nil {
		if _, err := tmp.WriteAt(patched, last.ByteRange[1]+1); err != nil {
			return nil, doc.NewErr(pdfsign.KindIO, out, err)
		}
		res.Timestamped = true
	}
	var pending error
	if needDSS {
		tsBefore := patched != nil
		if _, err := addLTV(ctx, tmp.File, ltvOptions{Revocation: pki.RevocationOptions{Timeout: opts.NetTimeout}}); err != nil {
			if !tsBefore || errors.Is(ctx.Err(), context.Canceled) {
				return nil, err // nothing gained: the file stays as it was
			}
			if terr := tmp.Truncate(info.Size()); terr != nil {
				return nil, doc.NewErr(pdfsign.KindIO, out, terr)
			}
			pending = err // the timestamp is worth keeping
		} else {
			res.DSS = true
		}
	}
	st, err := tmp.Stat()
	if err != nil {
		return nil, doc.NewErr(pdfsign.KindIO, out, err)
	}
	after, err := verify.File(ctx, tmp.File, st.Size(), verify.Options{})
	if err != nil {
		return nil, err
	}
	if s := findReport(after, last); s == nil || !s.Valid {
		return nil, &pdfsign.Error{Kind: pdfsign.KindInternal, Path: out, Err: errors.New("the completed signature does not verify")}
	} else {
		res.Level = s.Level
	}
	if err := tmp.Sync(); err != nil {
		return nil, doc.NewErr(pdfsign.KindIO, out, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, doc.NewErr(pdfsign.KindIO, out, err)
	}
	if inPlace {
		if err := os.Rename(tmp.Name(), out); err != nil {
			return nil, doc.NewErr(pdfsign.KindIO, out, err)
		}
		syncDir(filepath.Dir(out))
	} else if err := publish(tmp.Name(), out, opts.Force, false); err != nil {
		return nil, err
	}
	tmp.published()
	if pending != nil {
		return res, &PendingError{Output: out, Level: res.Level, LTV: true, Err: pending}
	}
	return res, nil
}

// findReport is the report of the signature s (same byte range).
func findReport(rep *verify.Report, s *pki.SigInfo) *verify.SignatureReport {
	if rep == nil {
		return nil
	}
	for i := range rep.Signatures {
		if int64sEqual(rep.Signatures[i].ByteRange, s.ByteRange) {
			return &rep.Signatures[i]
		}
	}
	return nil
}

func int64sEqual(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// timestampLater asks the TSA for a token over s's signature value and
// returns s's /Contents hex string rewritten with the token as an unsigned
// attribute, zero-padded to the same length.
func timestampLater(ctx context.Context, f *os.File, s *pki.SigInfo, opts FinishOptions) ([]byte, error) {
	br := s.ByteRange
	if len(br) != 4 || br[0] != 0 || br[2]-br[1] < 4 {
		return nil, doc.NewLTVDetail(pdfsign.LTVNotPending, "", "byte_range", nil, nil)
	}
	// The gap must be exactly this signature's hex string: <…>.
	var ends [1]byte
	if _, err := f.ReadAt(ends[:], br[1]); err != nil || ends[0] != '<' {
		return nil, doc.NewLTVDetail(pdfsign.LTVNotPending, "", "contents_place", nil, err)
	}
	if _, err := f.ReadAt(ends[:], br[2]-1); err != nil || ends[0] != '>' {
		return nil, doc.NewLTVDetail(pdfsign.LTVNotPending, "", "contents_place", nil, err)
	}
	room := int(br[2]-br[1]-2) / 2
	der := firstElement(s.Contents)
	if der == nil {
		return nil, doc.NewLTVDetail(pdfsign.LTVNotPending, "", "cms_unreadable", nil, nil)
	}
	cfg := *opts.TSA
	if cfg.Timeout == 0 {
		cfg.Timeout = opts.NetTimeout
	}
	ts, err := pki.RequestTimestamp(ctx, &cfg, s.CMS.SignerInfo.Signature)
	if err != nil {
		return nil, err
	}
	full, err := cms.AddUnsignedAttrs(der, []cms.Attribute{cms.MakeAttribute(cms.OIDAttrTimeStampToken, ts.Token)})
	if err != nil {
		return nil, doc.NewLTVError(pdfsign.LTVNotPending, "", err.Error(), err)
	}
	if len(full) > room {
		return nil, doc.NewLTVError(pdfsign.LTVNoRoom, "", "", nil)
	}
	out := bytes.Repeat([]byte{'0'}, 2*room)
	hex.Encode(out, full)
	return out, nil
}

// firstElement is the DER element at the start of b (without the /Contents
// padding after it), or nil.
func firstElement(b []byte) []byte {
	s := cryptobyte.String(b)
	var e cryptobyte.String
	if !s.ReadASN1Element(&e, cbasn1.SEQUENCE) {
		return nil
	}
	return e
}
