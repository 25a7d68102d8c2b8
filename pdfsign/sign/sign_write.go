package sign

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/internal/tempfiles"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// Writing the signed file in one pass: copy and hash the input into a
// temporary file beside the output, sign, patch /Contents, append, fsync,
// then publish without clobbering.

func signFile(in, out string, cfg *signConfig) (*Result, error) {
	inInfo, err := doc.CheckPaths(in, out, cfg.opts.Force)
	if err != nil {
		return nil, err
	}
	f, _, err := doc.OpenInput(in)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := inInfo.Size()
	r, err := doc.OpenForSigning(f, size)
	if err != nil {
		return nil, doc.WithPath(err, in)
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, size-1); err != nil {
		return nil, doc.NewErr(pdfsign.KindIO, in, err)
	}
	size = r.Size() // without the bytes before %PDF, if any (internal/pdf/oddfiles.go)
	// Size the placeholder from a CMS built with a signature value of the
	// key's maximal length; a failed fit (the timestamp step returning more than it
	// reserved) is retried once with the real size.
	reserve := cfg.unsignedReserve
	var extra int
	replanned := false
	for attempt := 0; ; attempt++ {
		dummy := make([]byte, cfg.hash.Size())
		sizing, err := cms.Build(&cfg.cms, dummy, true, reserve)
		if err != nil {
			return nil, &pdfsign.Error{Kind: pdfsign.KindCertificate, Err: err}
		}
		plan, err := planSignature(r, cfg, len(sizing)+64+extra)
		if err == nil {
			err = r.LimitErr() // a bound reached on a lenient path (limits.go)
		}
		if err != nil {
			return nil, doc.WithPath(err, in)
		}
		plan.base = r.Base()
		res, need, err := writeSigned(f, size, last[0], out, plan, cfg)
		if errors.Is(err, pdf.ErrNumbersMet) && !replanned {
			// The plan met a reference to its own new numbers: once
			// more, numbered above it (internal/pdf/numbering.go).
			replanned = true
			attempt--
			continue
		}
		if err != nil {
			return nil, doc.WithPath(err, out)
		}
		if need == 0 {
			return res, nil
		}
		if attempt > 0 {
			return nil, &pdfsign.Error{Kind: pdfsign.KindInternal, Path: out, Err: fmt.Errorf("signature of %d bytes does not fit", need)}
		}
		extra = need - plan.contentsN + 1024
	}
}

// writeSigned writes the signed file. It returns need > 0 (and no file) when
// the CMS turned out larger than the placeholder.
func writeSigned(in *os.File, size int64, lastByte byte, out string, plan *sigPlan, cfg *signConfig) (res *Result, need int, err error) {
	s, err := plan.u.Bytes(size, lastByte)
	if err != nil {
		return nil, 0, err
	}
	cPos := s.Marks[markContents] // absolute offset of '<'
	gapEnd := cPos + int64(2*plan.contentsN) + 2
	total := size + int64(len(s.Data))
	br := [4]int64{0, cPos, gapEnd, total - gapEnd}
	brText := fmt.Sprintf("[%d %d %d %d]", br[0], br[1], br[2], br[3])
	if len(brText) > byteRangeLen {
		return nil, 0, &pdfsign.Error{Kind: pdfsign.KindInternal, Err: errors.New("byte range too wide")}
	}
	brText = brText[:len(brText)-1] + strings.Repeat(" ", byteRangeLen-len(brText)) + "]"
	rel := func(abs int64) int64 { return abs - size }
	copy(s.Data[rel(s.Marks[markByteRange]):], brText)

	// Copied already (ahead.go), or copied now; the temporary file in use
	// when returning is removed unless published.
	tmp, h, sum := cfg.opts.Ahead.take(in, plan.base, size, out, cfg.hash)
	defer func() { tmp.discard() }()
	if tmp == nil {
		if tmp, err = newOutputTemp(out, in); err != nil {
			return nil, 0, err
		}
		var n int64
		if h, sum, n, err = copyInput(tmp.File, io.NewSectionReader(in, plan.base, size), size, cfg.hash); err != nil {
			return nil, 0, doc.NewErr(pdfsign.KindIO, out, err)
		}
		if n != size {
			return nil, 0, doc.NewErr(pdfsign.KindIO, in.Name(), assets.Reason{Key: "cause.input_changed"})
		}
	}
	if err := cfg.ctx.Err(); err != nil { // the last moment before the token signs
		return nil, 0, &pdfsign.Error{Kind: pdfsign.KindCanceled, Err: err}
	}
	h.Write(s.Data[:rel(cPos)])
	h.Write(s.Data[rel(gapEnd):])
	digest := h.Sum(nil)
	der, err := cms.Build(&cfg.cms, digest, false, 0)
	switch {
	case errors.Is(err, cms.ErrSignerFailed):
		return nil, 0, &pdfsign.Error{Kind: pdfsign.KindSigner, Err: err}
	case errors.Is(err, cms.ErrKeyMismatch):
		return nil, 0, &pdfsign.Error{Kind: pdfsign.KindCertificate, Err: err}
	case err != nil:
		return nil, 0, err
	}
	if len(der) > plan.contentsN {
		return nil, len(der), nil
	}
	hex.Encode(s.Data[rel(cPos)+1:], der)
	if _, err := tmp.Write(s.Data); err != nil {
		return nil, 0, doc.NewErr(pdfsign.KindIO, out, err)
	}
	sum.Write(s.Data)
	res = &Result{
		Output: out, Field: plan.field, Page: plan.page.Number, ByteRange: br,
		ContentsSize: plan.contentsN, CMSSize: len(der), Hash: pki.HashName(cfg.hash),
		SigningTime: cfg.when, Level: "B-B", SignerCN: cfg.cms.Cert.Subject.CommonName,
		Written: verify.NewWritten(sum, br, cfg.hash, digest),
	}
	if cfg.finish != nil {
		if err := cfg.finish(tmp.File, res); err != nil {
			return nil, 0, err
		}
	}
	if err := tmp.Sync(); err != nil {
		return nil, 0, doc.NewErr(pdfsign.KindIO, out, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, 0, doc.NewErr(pdfsign.KindIO, out, err)
	}
	if err := publish(tmp.Name(), out, cfg.opts.Force, cfg.opts.DeferDirSync); err != nil {
		return nil, 0, err
	}
	tmp.published()
	return res, 0, nil
}

// outputTemp is the file an output is written to before it is published:
// beside out (a rename stays on one file system), registered so that a
// signal removes it, with like's permissions (CreateTemp makes 0600).
// Deferred discard removes it unless published was called (nothing on nil).
type outputTemp struct {
	*os.File
	done bool
}

func newOutputTemp(out string, like *os.File) (*outputTemp, error) {
	f, err := tempfiles.Create(filepath.Dir(out), "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		return nil, doc.NewErr(pdfsign.KindIO, out, err)
	}
	keepMode(f, like)
	return &outputTemp{File: f}, nil
}

// published: the file bears its final name now, no longer ours to remove.
func (t *outputTemp) published() {
	t.done = true
	tempfiles.Forget(t.Name())
}

func (t *outputTemp) discard() {
	if t != nil && !t.done {
		t.Close()
		tempfiles.Remove(t.Name())
	}
}

// keepMode gives the signed copy the input's permissions (CreateTemp makes
// it 0600, owner only, which surprises whoever shares the folder).
func keepMode(tmp, in *os.File) {
	if st, err := in.Stat(); err == nil {
		tmp.Chmod(st.Mode().Perm())
	}
}

// publish moves the finished temporary file to out: without Force through a
// hard link, which fails if out appeared meanwhile (no clobbering).
func publish(tmp, out string, force, noDirSync bool) error {
	syncDir := syncDir
	if noDirSync {
		syncDir = func(string) {}
	}
	if !force {
		if err := os.Link(tmp, out); err == nil {
			os.Remove(tmp)
			syncDir(filepath.Dir(out))
			return nil
		} else if errors.Is(err, os.ErrExist) {
			os.Remove(tmp)
			return doc.NewErr(pdfsign.KindOutputExists, out, nil)
		}
		// No hard links on this file system: check, then rename.
		if _, err := os.Stat(out); err == nil {
			os.Remove(tmp)
			return doc.NewErr(pdfsign.KindOutputExists, out, nil)
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return doc.NewErr(pdfsign.KindIO, out, err)
	}
	syncDir(filepath.Dir(out))
	return nil
}

// SyncDir makes the names just created in dir durable (see
// Options.DeferDirSync).
func SyncDir(dir string) { syncDir(dir) }

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
