package verify

import (
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/certigna-desktop/app/pdfsign"
)

// Sums fed in pieces of any size keeps one CRC-32C per pieceSize bytes,
// the last piece shorter, and none for an empty tail.
func TestSumsPieceByPiece(t *testing.T) {
	data := make([]byte, 3*pieceSize+12345)
	rand.NewChaCha8([32]byte{3}).Read(data)
	for _, n := range []int{3 * pieceSize, 3*pieceSize + 12345, pieceSize - 1, 1} {
		var s Sums
		rest := data[:n]
		r := rand.New(rand.NewPCG(1, uint64(n)))
		for len(rest) > 0 { // writes of odd sizes across the piece edges
			k := min(len(rest), 1+r.IntN(3<<20))
			s.Write(rest[:k])
			rest = rest[k:]
		}
		var want []uint32
		for off := 0; off < n; off += pieceSize {
			want = append(want, crc32.Checksum(data[off:min(off+pieceSize, n)], castagnoli))
		}
		got := s.crcs()
		if len(got) != len(want) || s.n != int64(n) {
			t.Fatalf("%d bytes: %d sums over %d bytes, want %d", n, len(got), s.n, len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%d bytes: piece %d's CRC differs", n, i)
			}
		}
	}
}

// The read-back, pieces compared on every core at once, accepts the bytes
// written and catches a change in any piece (the first, a middle one, the
// last, shorter one) and a file shorter than written. As in written_test.go,
// the bad write is a double: the file changed after the sums were kept.
func TestReadBackEveryPiece(t *testing.T) {
	data := make([]byte, 3*pieceSize+777)
	rand.NewChaCha8([32]byte{4}).Read(data)
	var s Sums
	s.Write(data)
	w := NewWritten(&s, [4]int64{}, 0, nil)
	path := filepath.Join(t.TempDir(), "written")
	check := func(b []byte) error {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		return w.readBack(f, int64(len(b)))
	}
	if err := check(data); err != nil {
		t.Fatalf("the bytes written: %v", err)
	}
	for _, at := range []int{0, pieceSize - 1, pieceSize, 2*pieceSize + 5, len(data) - 1} {
		b := append([]byte(nil), data...)
		b[at] ^= 0x20
		var e *pdfsign.Error
		if err := check(b); !errors.As(err, &e) || e.Kind != pdfsign.KindIO {
			t.Errorf("a byte changed at %d: %v, want an I/O error", at, err)
		}
	}
	var e *pdfsign.Error
	if err := check(data[:len(data)-1]); !errors.As(err, &e) || e.Kind != pdfsign.KindIO {
		t.Errorf("a file shorter than written: %v", err)
	}
	// More bytes after what was written (a DSS appended later) are not the
	// read-back's to compare.
	if err := check(append(append([]byte(nil), data...), "more"...)); err != nil {
		t.Errorf("bytes after those written: %v", err)
	}
}
