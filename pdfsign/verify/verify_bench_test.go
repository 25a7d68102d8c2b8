package verify_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/certigna-desktop/app/pdfsign/verify"
)

// BenchmarkVerify100MB verifies a signed 100 MB PDF (one big image stream),
// as signed and after a later form-fill revision (the change analysis runs),
// and reports the bytes allocated per verification against the file size:
// the signer's memory envelope is 64 MB for 100 MB (bench/sign.sh), and
// verification streams the hash just the same.
//
//	go test ./pdfsign -run '^$' -bench Verify100MB -benchtime 3x
func BenchmarkVerify100MB(b *testing.B) {
	dir := b.TempDir()
	d := basePDF("/Resources<</XObject<</Im1 11 0 R>>>>")
	const size = 100 << 20
	img := make([]byte, size)
	for i := range img {
		img[i] = byte(i*7 + i>>11)
	}
	d.next = 12
	d.update(map[int]string{11: fmt.Sprintf("<</Type/XObject/Subtype/Image/Width %d/Height 1024/ColorSpace/DeviceGray/BitsPerComponent 8/Length %d>>stream\n%s\nendstream", size/1024, size, img)})
	img = nil
	d.fieldSig(b, "Approval", 0, "", ourCMS, nil)
	signed := filepath.Join(dir, "signed.pdf")
	os.WriteFile(signed, d.b, 0o644)
	d.update(fill(d, 6, 8, "Alice", "Bob"))
	filled := filepath.Join(dir, "filled.pdf")
	os.WriteFile(filled, d.b, 0o644)
	d = nil
	// The floor: streaming SHA-256 of the same file.
	b.Run("sha256-reference", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			f, err := os.Open(signed)
			if err != nil {
				b.Fatal(err)
			}
			h := sha256.New()
			io.Copy(h, f)
			f.Close()
		}
	})
	for _, c := range []struct{ name, path string }{{"signed", signed}, {"then-fill", filled}} {
		b.Run(c.name, func(b *testing.B) {
			runtime.GC()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rep, err := verify.Verify(context.Background(), c.path, verify.Options{})
				if err != nil || !rep.OK {
					b.Fatalf("verify: %v %+v", err, rep)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&m1)
			perOp := float64(m1.TotalAlloc-m0.TotalAlloc) / float64(b.N)
			b.ReportMetric(perOp/(1<<20), "alloc-MB/op")
			b.ReportMetric(perOp/float64(size), "alloc/filesize")
		})
	}
}
