package sign

import (
	"context"
	"crypto"
	"hash"
	"io"
	"os"
	"sync"

	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// Copying ahead. Most of a big file's signing time is the copy and hash of
// the input (bench/sign.sh), and none of it needs the token: CopyAhead
// starts it at once, beside the check of the input and while the token is
// found and its certificate read, and Sign takes the copy over
// (Options.Ahead) instead of making its own. The copy's temporary file is
// made only where Check would let the output be written (its path and
// output place checks come first). Sign uses it only for the very file it
// reads — the same device, inode, size, modification and change times on
// the descriptor Sign opened, as the copy's descriptor saw them before and
// after copying — for the same output, the same hash, and a file with
// nothing before %PDF; otherwise it removes it and copies as usual. No PIN
// is involved: a copy no signature takes is removed by Discard.

// Ahead is a copy of an input made before its signature.
type Ahead struct {
	in, out string
	hash    crypto.Hash
	cancel  context.CancelFunc
	done    chan struct{} // closed when the copy has ended

	mu  sync.Mutex
	tmp *outputTemp // nil when the copy failed, or once taken or discarded
	id  os.FileInfo // the input as the copy saw it
	h   hash.Hash
	sum *verify.Sums
}

// CopyAhead starts copying in beside out (its temporary file) for a
// signature with opts. Either Sign takes it (Options.Ahead) or Discard
// removes it; a failed copy is only a copy Sign does not take.
func CopyAhead(ctx context.Context, in, out string, opts Options) *Ahead {
	if out == "" {
		out = DefaultOutput(in)
	}
	ctx, cancel := context.WithCancel(ctx)
	a := &Ahead{in: in, out: out, hash: signatureHash(opts), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		a.copy(ctx, opts.Force)
	}()
	return a
}

func (a *Ahead) copy(ctx context.Context, force bool) {
	// The checks of Check that guard the output's place, first: nothing is
	// written where Check would refuse to write (CopyAhead may run beside
	// Check, or before it).
	info, err := doc.CheckPaths(a.in, a.out, force)
	if err != nil || checkOutputPlace(a.out, info.Size(), force) != nil {
		return
	}
	f, before, err := doc.OpenInput(a.in)
	if err != nil {
		return
	}
	defer f.Close()
	tmp, err := newOutputTemp(a.out, f)
	if err != nil {
		return
	}
	size := before.Size()
	h, sum, n, err := copyInput(tmp.File, &ctxReader{ctx, io.NewSectionReader(f, 0, size)}, size, a.hash)
	after, serr := f.Stat()
	if err != nil || serr != nil || n != size || !sameVersion(before, after) {
		tmp.discard()
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if ctx.Err() != nil { // discarded meanwhile
		tmp.discard()
		return
	}
	a.tmp, a.id, a.h, a.sum = tmp, after, h, sum
}

// take is the copy for Sign when it is of in as Sign reads it (from base,
// size bytes) into out, hashed with h: its temporary file (now Sign's to
// publish or discard), its hash and sums, all at the end of the input.
// Nil when there is no such copy: it is removed at once (Sign's own copy
// may need its room on the disk) and Sign copies itself.
func (a *Ahead) take(in *os.File, base, size int64, out string, h crypto.Hash) (*outputTemp, hash.Hash, *verify.Sums) {
	if a == nil {
		return nil, nil, nil
	}
	if base != 0 || out != a.out || h != a.hash {
		a.Discard()
		return nil, nil, nil
	}
	<-a.done
	a.mu.Lock()
	tmp := a.tmp
	a.tmp = nil
	a.mu.Unlock()
	if tmp == nil {
		return nil, nil, nil
	}
	if st, err := in.Stat(); err != nil || a.id.Size() != size || !sameVersion(a.id, st) {
		tmp.discard()
		return nil, nil, nil
	}
	return tmp, a.h, a.sum
}

// Discard stops the copy and removes it unless Sign took it. Safe to call
// more than once, and on nil.
func (a *Ahead) Discard() {
	if a == nil {
		return
	}
	a.cancel()
	<-a.done
	a.mu.Lock()
	tmp := a.tmp
	a.tmp = nil
	a.mu.Unlock()
	if tmp != nil {
		tmp.discard()
	}
}

// sameVersion: a and b are one file, unchanged between them (os.SameFile,
// size, modification time, and where the system has one the change time,
// which every write moves).
func sameVersion(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime()) && changeTime(a) == changeTime(b)
}

// ctxReader stops a copy once ctx is done (Discard).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
