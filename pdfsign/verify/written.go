package verify

import (
	"context"
	"crypto"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"runtime"
	"slices"
	"sync/atomic"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/pdfsign"
)

// Checking a file just signed without hashing it a second time. While Sign
// writes the output it keeps the CRC-32C of every byte it writes (about a
// fifth of a SHA-256 pass, measured here), piece by piece (Sums), and the
// digest of the new signature's byte range, which it computes anyway to
// sign it. ReadBack reads the file back from disk and compares its first
// bytes with those CRCs — a short or lost write, a wrong block: the disk
// does not hold the bytes that were hashed — then verifies the file as
// Verify does, except that the new signature's digest is the one kept
// instead of a second SHA-256 pass over the same bytes. Everything else is
// Verify's own check of what it read: the byte range against the file and
// /Contents, the CMS against the digest, the coverage of the whole
// document, later changes, every other signature hashed as usual. Only Sign
// makes a Written; Verify of any file hashes always.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// pieceSize is the span of each CRC of Sums. The read-back is the last
// step of a signature and nothing runs beside it; a pass over 100 MB is
// bound by memory, 15 ms on one core here and 8 on two, so the pieces are
// compared on every core at once.
const pieceSize = 8 << 20

// Sums is the CRC-32C of each pieceSize bytes written to it in turn (the
// last piece shorter): what the read-back compares.
type Sums struct {
	done []uint32
	cur  uint32
	n    int64 // bytes written
}

func (s *Sums) Write(p []byte) (int, error) {
	k := len(p)
	for len(p) > 0 {
		room := pieceSize - s.n%pieceSize
		b := p[:min(int64(len(p)), room)]
		s.cur = crc32.Update(s.cur, castagnoli, b)
		s.n += int64(len(b))
		p = p[len(b):]
		if s.n%pieceSize == 0 {
			s.done = append(s.done, s.cur)
			s.cur = 0
		}
	}
	return k, nil
}

// crcs are the pieces' CRCs so far.
func (s *Sums) crcs() []uint32 {
	if s.n%pieceSize == 0 {
		return slices.Clone(s.done)
	}
	return append(slices.Clone(s.done), s.cur)
}

// Written is what Sign wrote, known without reading the output back
// (Result.Written).
type Written struct {
	Size      int64    // bytes written by the signature step (a DSS or a document timestamp appended after it are verified as usual)
	crcs      []uint32 // their CRC-32C, piece by piece (Sums)
	ByteRange [4]int64 // the new signature's /ByteRange
	Hash      crypto.Hash
	Digest    []byte // the digest of that range: what the token signed
}

// NewWritten is what Sign wrote: sums were fed every byte of it, in order.
func NewWritten(sums *Sums, byteRange [4]int64, h crypto.Hash, digest []byte) *Written {
	return &Written{Size: sums.n, crcs: sums.crcs(), ByteRange: byteRange, Hash: h, Digest: digest}
}

// ReadBack verifies the file Sign just wrote at path: Verify, with the
// read-back check above. w nil: Verify.
func ReadBack(ctx context.Context, path string, opts Options, w *Written) (*Report, error) {
	opts.written = w
	return Verify(ctx, path, opts)
}

// verifyReadBack is File with, for ReadBack, the comparison of the bytes
// read back running beside it (the pass over the whole file while its
// structure and signatures are checked). A failed comparison is the answer
// whatever the verification said.
func verifyReadBack(ctx context.Context, f *os.File, size int64, opts Options) (*Report, error) {
	w := opts.written
	if w == nil {
		return File(ctx, f, size, opts)
	}
	done := make(chan error, 1) // buffered: the pass ends on its own even if File panics
	go func() { done <- w.readBack(f, size) }()
	rep, err := File(ctx, f, size, opts)
	if rerr := <-done; rerr != nil {
		return nil, rerr
	}
	return rep, err
}

// readBack checks that f's first w.Size bytes are those written: the
// pieces read and summed on every core at once.
func (w *Written) readBack(f io.ReaderAt, size int64) error {
	if size < w.Size {
		return &pdfsign.Error{Kind: pdfsign.KindIO, Err: assets.Reason{Key: "cause.readback_short"}}
	}
	pieces := int((w.Size + pieceSize - 1) / pieceSize)
	if len(w.crcs) != pieces {
		return &pdfsign.Error{Kind: pdfsign.KindInternal, Err: errors.New("the sums kept do not cover what was written")}
	}
	var next atomic.Int64
	errs := make(chan error, min(runtime.GOMAXPROCS(0), max(pieces, 1)))
	for range cap(errs) {
		go func() {
			buf := make([]byte, min(1<<20, max(w.Size, 1)))
			for {
				i := next.Add(1) - 1
				if i >= int64(pieces) {
					errs <- nil
					return
				}
				start := i * pieceSize
				var c crcOf
				if _, err := io.CopyBuffer(&c, io.NewSectionReader(f, start, min(pieceSize, w.Size-start)), buf); err != nil {
					next.Store(int64(pieces)) // the others stop at their next piece
					errs <- &pdfsign.Error{Kind: pdfsign.KindIO, Err: err}
					return
				}
				if uint32(c) != w.crcs[i] {
					next.Store(int64(pieces))
					errs <- &pdfsign.Error{Kind: pdfsign.KindIO, Err: assets.Reason{Key: "cause.readback_differs"}}
					return
				}
			}
		}()
	}
	var first error
	for range cap(errs) {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// crcOf is the CRC-32C of what is written to it.
type crcOf uint32

func (c *crcOf) Write(p []byte) (int, error) {
	*c = crcOf(crc32.Update(uint32(*c), castagnoli, p))
	return len(p), nil
}

// digestFor is the kept digest when br and h are the written signature's,
// nil otherwise (the caller hashes).
func (w *Written) digestFor(br []int64, h crypto.Hash) []byte {
	if w == nil || h != w.Hash || !slices.Equal(br, w.ByteRange[:]) {
		return nil
	}
	return w.Digest
}
