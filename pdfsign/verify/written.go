package verify

import (
	"context"
	"crypto"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"slices"

	"github.com/certigna-desktop/app/pdfsign"
)

// Checking a file just signed without hashing it a second time. While Sign
// writes the output it keeps the CRC-32C of every byte it writes (about a
// fifth of a SHA-256 pass, measured here) and the digest of the new
// signature's byte range, which it computes anyway to sign it.
// ReadBack reads the file back from disk and compares its first bytes
// with that CRC — a short or lost write, a wrong block: the disk does not
// hold the bytes that were hashed — then verifies the file as Verify does,
// except that the new signature's digest is the one kept instead of a
// second SHA-256 pass over the same bytes. Everything else is Verify's own
// check of what it read: the byte range against the file and /Contents,
// the CMS against the digest, the coverage of the whole document, later
// changes, every other signature hashed as usual. Only Sign makes a
// Written (its fields are unexported); Verify of any file hashes always.

var Castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Written is what Sign wrote, known without reading the output back
// (Result.Written).
type Written struct {
	Size      int64    // bytes written by the signature step (a DSS or a document timestamp appended after it are verified as usual)
	CRC       uint32   // their CRC-32C
	ByteRange [4]int64 // the new signature's /ByteRange
	Hash      crypto.Hash
	Digest    []byte // the digest of that range: what the token signed
}

// ReadBack verifies the file Sign just wrote at path: Verify, with the
// read-back check above. w nil: Verify.
func ReadBack(ctx context.Context, path string, opts Options, w *Written) (*Report, error) {
	opts.written = w
	return Verify(ctx, path, opts)
}

// verifyReadBack is File with, for ReadBack, the comparison
// of the bytes read back running beside it (on a second core: the pass
// over the whole file while its structure and signatures are checked). A
// failed comparison is the answer whatever the verification said.
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

// readBack checks that f's first w.size bytes are those written.
func (w *Written) readBack(f io.ReaderAt, size int64) error {
	if size < w.Size {
		return &pdfsign.Error{Kind: pdfsign.KindIO, Err: errors.New("the file read back from the disk is shorter than what was written")}
	}
	c := crc32.New(Castagnoli)
	if _, err := io.CopyBuffer(c, io.NewSectionReader(f, 0, w.Size), make([]byte, min(1<<20, max(w.Size, 1)))); err != nil {
		return &pdfsign.Error{Kind: pdfsign.KindIO, Err: err}
	}
	if c.Sum32() != w.CRC {
		return &pdfsign.Error{Kind: pdfsign.KindIO, Err: errors.New("the file read back from the disk differs from what was written")}
	}
	return nil
}

// digestFor is the kept digest when br and h are the written signature's,
// nil otherwise (the caller hashes).
func (w *Written) digestFor(br []int64, h crypto.Hash) []byte {
	if w == nil || h != w.Hash || !slices.Equal(br, w.ByteRange[:]) {
		return nil
	}
	return w.Digest
}
