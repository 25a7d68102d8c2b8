package pdf

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
)

// Stream data: finding a stream's end and decoding FlateDecode with PNG
// predictors, within a size limit.

// streamData reads and decodes a stream (FlateDecode with PNG/TIFF predictors,
// or no filter), at most limit decoded bytes.
// Each stream is decoded once while it fits the cache (by data offset),
// and every decoded byte counts towards the reader's bound (limits.go).
func (r *Reader) StreamData(st *Stream, limit int64) ([]byte, error) {
	if b, ok := r.lim.cache.get(st.Offset); ok {
		if int64(len(b)) > limit {
			return nil, fmt.Errorf("stream too large")
		}
		return b, nil
	}
	data, err := r.decodeStream(st, limit)
	if err == nil {
		r.lim.cache.put(st.Offset, data, int64(len(data)))
	}
	return data, err
}

func (r *Reader) decodeStream(st *Stream, limit int64) ([]byte, error) {
	callerLimit := limit
	limit = r.lim.streamCap(limit)
	// tooLarge: the caller's own cap (a damaged stream) or a work bound.
	tooLarge := func() error {
		if limit < callerLimit {
			if limit < r.lim.decodedMax-r.lim.decoded {
				return r.lim.hit("stream", limit)
			}
			return r.lim.hit("decoded", r.lim.decodedMax)
		}
		return fmt.Errorf("stream too large")
	}
	lo, err := r.Resolve(st.Dict.Get("Length"))
	if err != nil {
		return nil, err
	}
	length, ok := ToInt(lo)
	if !ok || length < 0 || length > r.size-st.Offset { // (no overflow on a huge /Length)
		// Find endstream instead, like lenient readers.
		length, err = r.findEndstream(st.Offset)
		if err != nil {
			return nil, err
		}
	}
	if length > limit {
		return nil, tooLarge()
	}
	if err := r.lim.add(&r.lim.read, length, r.lim.readMax, "read"); err != nil {
		return nil, err
	}
	raw := make([]byte, length)
	if _, err := r.f.ReadAt(raw, st.Offset); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if st.crypt != nil && r.crypt != nil {
		raw = r.crypt.decryptStream(st.crypt.num, st.crypt.gen, raw)
	}
	filters, err := r.Resolve(st.Dict.Get("Filter"))
	if err != nil {
		return nil, err
	}
	parms, err := r.Resolve(st.Dict.Get("DecodeParms"))
	if err != nil {
		return nil, err
	}
	var fl []Object
	var pl []Object
	switch v := filters.(type) {
	case Name:
		fl = []Object{v}
		pl = []Object{parms}
	case Array:
		fl = v
		if pa, ok := parms.(Array); ok {
			pl = pa
		}
	}
	data := raw
	for i, f := range fl {
		n, _ := f.(Name)
		var dp *Dict
		if i < len(pl) {
			var err error
			if dp, err = r.ResolveDict(pl[i]); IsLimit(err) {
				return nil, err
			}
		}
		switch n {
		case "FlateDecode", "Fl":
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				return nil, err
			}
			out, err := readAllLimited(zr, limit+1)
			if int64(len(out)) > limit {
				return nil, tooLarge()
			}
			if err := r.lim.add(&r.lim.decoded, int64(len(out)), r.lim.decodedMax, "decoded"); err != nil {
				return nil, err
			}
			limit = r.lim.streamCap(callerLimit)
			// A truncated deflate stream is common; keep what decoded.
			if err != nil && len(out) == 0 {
				return nil, err
			}
			data = out
			if data, err = unpredict(data, dp); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("filter %s not supported here", n)
		}
	}
	return data, nil
}

// readAllLimited reads at most n bytes of rd into one slice of the exact
// size (plus two spare bytes, see fetchCompressed), through chunks that
// grow up to 4 MB: a large stream costs twice its size at the peak, not the
// three times of a doubling buffer, and is then held without slack.
func readAllLimited(rd io.Reader, n int64) ([]byte, error) {
	var chunks [][]byte
	var total int64
	size := int64(64 << 10)
	var err error
	for total < n && err == nil {
		c := make([]byte, min(size, n-total))
		k := 0
		for k < len(c) && err == nil {
			var m int
			m, err = rd.Read(c[k:])
			k += m
		}
		chunks = append(chunks, c[:k])
		total += int64(k)
		size = min(size*2, 4<<20)
	}
	if errors.Is(err, io.EOF) {
		err = nil // the end of the data; other errors (a truncated stream) are the caller's to judge
	}
	out := make([]byte, 0, total+2)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, err
}

func (r *Reader) findEndstream(off int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for pos := off; pos < r.size; pos += int64(len(buf)) - 16 {
		if err := r.lim.add(&r.lim.read, int64(len(buf)), r.lim.readMax, "read"); err != nil {
			return 0, err
		}
		n, _ := r.f.ReadAt(buf, pos)
		if i := bytes.Index(buf[:n], []byte("endstream")); i >= 0 {
			l := pos + int64(i) - off
			return l, nil
		}
		if n < len(buf) {
			break
		}
	}
	return 0, fmt.Errorf("endstream not found")
}

// unpredict undoes PNG (10–15) and TIFF (2) predictors.
func unpredict(data []byte, dp *Dict) ([]byte, error) {
	if dp == nil {
		return data, nil
	}
	pred, _ := ToInt(dp.Get("Predictor"))
	if pred <= 1 {
		return data, nil
	}
	cols := int64(1)
	if c, ok := ToInt(dp.Get("Columns")); ok {
		cols = c
	}
	colors := int64(1)
	if c, ok := ToInt(dp.Get("Colors")); ok {
		colors = c
	}
	bpc := int64(8)
	if c, ok := ToInt(dp.Get("BitsPerComponent")); ok {
		bpc = c
	}
	if cols <= 0 || cols > 1<<20 || colors <= 0 || colors > 32 || bpc <= 0 || bpc > 16 {
		return nil, fmt.Errorf("bad predictor parameters")
	}
	bpp := int((colors*bpc + 7) / 8)
	row := int((cols*colors*bpc + 7) / 8)
	if pred == 2 {
		if bpc != 8 {
			return nil, fmt.Errorf("TIFF predictor with %d bits", bpc)
		}
		for i := 0; i+row <= len(data); i += row {
			for j := bpp; j < row; j++ {
				data[i+j] += data[i+j-bpp]
			}
		}
		return data, nil
	}
	if row >= len(data) {
		// Not one full row: nothing to undo (and no row buffer to allocate
		// from parameters the data cannot back).
		return data[:0], nil
	}
	out := make([]byte, 0, len(data))
	prev := make([]byte, row)
	for i := 0; i+row+1 <= len(data); i += row + 1 {
		ft := data[i]
		cur := append([]byte(nil), data[i+1:i+1+row]...)
		for j := 0; j < row; j++ {
			var a, b, c byte
			if j >= bpp {
				a = cur[j-bpp]
				c = prev[j-bpp]
			}
			b = prev[j]
			switch ft {
			case 0:
			case 1:
				cur[j] += a
			case 2:
				cur[j] += b
			case 3:
				cur[j] += byte((int(a) + int(b)) / 2)
			case 4:
				cur[j] += paeth(a, b, c)
			default:
				return nil, fmt.Errorf("bad PNG filter %d", ft)
			}
		}
		out = append(out, cur...)
		prev = cur
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
