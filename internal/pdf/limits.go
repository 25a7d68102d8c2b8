package pdf

import (
	"errors"
	"fmt"
)

// Limits on the work a PDF may ask of the reader (issue #11). A hostile file
// of a few kilobytes can otherwise describe gigabytes of decoded streams,
// millions of cross-reference entries or endless reference chains. Each
// bound is relative to the file's size (what the file can honestly need)
// with a generous absolute floor, so that no real document comes near it.
// Hitting one is a *ReadError of kind "limit" whose Err is a *LimitError;
// pdfsign turns it into its KindLimit (CLI exit 7).

const (
	limitFloorStream  = 16 << 20  // one decoded stream (object stream, xref stream, DSS entry)
	limitFloorDecoded = 64 << 20  // decoded bytes in total, over the whole run
	limitFloorRead    = 256 << 20 // bytes read to parse objects, in total
	limitFloorEntries = 200_000   // cross-reference entries kept, all sections together
	limitFloorObjects = 200_000   // objects parsed (cache misses)
	limitFloorSteps   = 20_000_000
	limitFloorHashed  = 512 << 20 // bytes hashed to check signatures, in total
	limitFetchDepth   = 24        // nested fetches (a /Length inside an object stream inside …)
	limitSections     = 10_000    // cross-reference sections (incremental updates)
	limitSignatures   = 256       // distinct signatures verified in one file
	limitSigFields    = 1000      // signature fields (no real document has that many)
	limitCacheBytes   = 32 << 20  // decoded streams and object streams kept
	limitCacheOne     = 8 << 20   // largest decoded stream kept in the cache

	// DSSItemSteps: reading one DSS entry costs as much as this many steps.
	DSSItemSteps = 1000
)

const readLimit = "limit"

// LimitError says which bound a file hit; it is the Err of a "limit"
// *ReadError.
type LimitError struct {
	What  string // decoded, stream, read, entries, sections, objects, steps, depth, signatures, sig_fields, hashed, page_nodes, field_nodes
	Limit int64
}

func (e *LimitError) Error() string { return fmt.Sprintf("limit on %s reached (%d)", e.What, e.Limit) }

// IsLimit reports whether err is a bound reached.
func IsLimit(err error) bool {
	var re *ReadError
	return errors.As(err, &re) && re.Kind == readLimit
}

// limits counts the work of one reader.
type limits struct {
	decoded, decodedMax int64
	streamMax           int64
	read, readMax       int64
	entries, entriesMax int64
	objects, objectsMax int64
	steps, stepsMax     int64
	hashed, hashedMax   int64
	depth               int
	signatures          int
	sigFields           int
	err                 error // first bound reached

	loading map[int]bool // object streams being decoded (self-reference guard)

	// Decoded streams by data offset: each stream is decoded once while it
	// fits (a DSS may name one stream thousands of times).
	cache weighedCache[int64, []byte]
	// Parsed objects by where they are stored: every revision's State
	// reads the same unchanged objects, parse them once (bounded like the
	// decoded streams).
	objs       weighedCache[objKey, Object]
	lastWindow int64                  // bytes of the last object read (its cache weight)
	xrefStms   map[int64]*XrefSection // hybrid /XRefStm read once per offset
}

func newLimits(size int64) *limits {
	l := &limits{loading: map[int]bool{}, xrefStms: map[int64]*XrefSection{}}
	l.decodedMax = max(limitFloorDecoded, 8*size)
	l.streamMax = max(limitFloorStream, 4*size)
	l.readMax = max(limitFloorRead, 32*size)
	// An xref table entry takes 20 bytes of the file; a stream entry at
	// least a byte of compressed data for a few objects. A quarter of the
	// size leaves room for free entries and compression.
	l.entriesMax = max(limitFloorEntries, size/4)
	l.objectsMax = max(limitFloorObjects, size/16)
	l.stepsMax = max(limitFloorSteps, 4*size)
	// Each signature hashes about the file; a few dozen real signatures of
	// a large file stay far below.
	l.hashedMax = max(limitFloorHashed, 64*size)
	return l
}

// hit records the first bound reached: callers that swallow errors
// (lenient paths) cannot hide it, Reader.LimitErr returns it at the end.
func (l *limits) hit(what string, limit int64) error {
	err := &ReadError{Kind: readLimit, Err: &LimitError{What: what, Limit: limit}}
	if l.err == nil {
		l.err = err
	}
	return err
}

func (l *limits) add(counter *int64, n, max int64, what string) error {
	*counter += n
	if *counter > max {
		return l.hit(what, max)
	}
	return nil
}

// streamCap is the most one stream may decode to, given the caller's cap.
func (l *limits) streamCap(callerLimit int64) int64 {
	return max(min(l.streamMax, callerLimit, l.decodedMax-l.decoded), 0)
}

// weighedCache keeps values of at most limitCacheOne bytes each, up to
// limitCacheBytes in all; full, it starts again empty.
type weighedCache[K comparable, V any] struct {
	m     map[K]V
	bytes int64
}

func (c *weighedCache[K, V]) get(k K) (V, bool) {
	v, ok := c.m[k]
	return v, ok
}

func (c *weighedCache[K, V]) put(k K, v V, weight int64) {
	if weight > limitCacheOne {
		return
	}
	if c.m == nil || c.bytes+weight > limitCacheBytes {
		c.reset()
	}
	c.m[k] = v
	c.bytes += weight
}

func (c *weighedCache[K, V]) reset() {
	c.m = map[K]V{}
	c.bytes = 0
}

// objKey is where an object is stored: its file offset, or its object
// stream's file offset (inStm), and its number.
type objKey struct {
	off   int64
	num   int
	inStm bool
}

// LimitErr is the first bound this reader reached, or nil: the entry points
// return it even when a lenient path swallowed the error.
func (r *Reader) LimitErr() error { return r.lim.err }

// Step counts n cheap steps of a caller's walk (entries compared, DSS
// entries read…).
func (r *Reader) Step(n int) error { return r.lim.add(&r.lim.steps, int64(n), r.lim.stepsMax, "steps") }

// CountSigField counts a signature field met by a verifier.
func (r *Reader) CountSigField() error {
	r.lim.sigFields++
	if r.lim.sigFields > limitSigFields {
		return r.lim.hit("sig_fields", limitSigFields)
	}
	return nil
}

// CountSignature counts a distinct signature about to be verified.
func (r *Reader) CountSignature() error {
	r.lim.signatures++
	if r.lim.signatures > limitSignatures {
		return r.lim.hit("signatures", limitSignatures)
	}
	return nil
}

// CountHashed counts the bytes a signature check hashes (or parses).
func (r *Reader) CountHashed(n int64) error {
	return r.lim.add(&r.lim.hashed, n, r.lim.hashedMax, "hashed")
}

// Decoded is how many decoded bytes this reader produced (for tests).
func (r *Reader) Decoded() int64 { return r.lim.decoded }
