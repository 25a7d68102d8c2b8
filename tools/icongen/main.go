// Command icongen draws the Certigna Desktop icon: a USB token above a
// handwritten signature stroke, on a rounded blue square.
//
// The icon is drawn, not scaled: each size is rasterised from the same vector
// shapes, and the small sizes (≤ 24 px) use thicker strokes and fewer details
// so that the token and the signature stay readable at 16×16.
//
//	go run ./tools/icongen -png assets/icon.png            # the 512 px master (FyneApp.toml's Icon)
//	go run ./tools/icongen -dir build/icons                # icon-N.png for the hicolor sizes + certigna-desktop.ico
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"

	"golang.org/x/image/vector"
)

// Sizes written with -dir: the freedesktop hicolor sizes, which also cover
// what Windows asks an .ico for (16, 24, 32, 48, 256).
var sizes = []int{16, 24, 32, 48, 64, 128, 256, 512}

// icoSizes go into the Windows .ico (PNG-compressed entries, Vista and later).
var icoSizes = []int{16, 24, 32, 48, 64, 128, 256}

var (
	blue   = color.RGBA{0x1c, 0x4a, 0x8f, 0xff}
	white  = color.RGBA{0xff, 0xff, 0xff, 0xff}
	silver = color.RGBA{0xc8, 0xd2, 0xdf, 0xff}
	orange = color.RGBA{0xff, 0xa9, 0x1a, 0xff}
)

type pt struct{ x, y float64 }

func main() {
	pngOut := flag.String("png", "", "write the 512 px master icon to this file")
	dir := flag.String("dir", "", "write icon-N.png for every size and certigna-desktop.ico to this directory")
	flag.Parse()
	if *pngOut == "" && *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: icongen [-png FILE] [-dir DIR]")
		os.Exit(2)
	}
	if err := run(*pngOut, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "icongen:", err)
		os.Exit(1)
	}
}

func run(pngOut, dir string) error {
	if pngOut != "" {
		if err := os.WriteFile(pngOut, encodePNG(drawIcon(512)), 0o644); err != nil {
			return err
		}
	}
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, s := range sizes {
		name := filepath.Join(dir, fmt.Sprintf("icon-%d.png", s))
		if err := os.WriteFile(name, encodePNG(drawIcon(s)), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "certigna-desktop.ico"), encodeICO(icoSizes), 0o644)
}

// drawIcon renders the icon at size×size pixels. Coordinates below are in a
// 256-unit design grid.
func drawIcon(size int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	k := float64(size) / 256
	small := size <= 24
	fill := func(c color.Color, poly []pt) {
		z := vector.NewRasterizer(size, size)
		for i, p := range poly {
			if i == 0 {
				z.MoveTo(float32(p.x*k), float32(p.y*k))
			} else {
				z.LineTo(float32(p.x*k), float32(p.y*k))
			}
		}
		z.ClosePath()
		z.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{})
	}

	// Background: a rounded square, small margin so it does not look cropped.
	fill(blue, roundRect(10, 10, 246, 246, 50))

	// The token: a metal USB connector above a white body.
	if small {
		fill(silver, rect(100, 26, 156, 82))
		fill(white, roundRect(70, 72, 186, 170, 16))
	} else {
		fill(silver, rect(102, 30, 154, 80))
		fill(blue, rect(113, 44, 125, 56)) // the two contact windows
		fill(blue, rect(131, 44, 143, 56))
		fill(white, roundRect(78, 74, 178, 166, 20))
		fill(blue, circle(128, 118, 13)) // the chip's LED
		fill(orange, circle(128, 118, 7))
	}

	// The signature: one handwritten stroke under the token.
	if small {
		// Two humps only: the wiggle of the large drawing turns to mush at 16 px.
		fill(orange, stroke(bezierPath(
			pt{34, 214},
			[3]pt{{62, 170}, {94, 174}, {112, 204}},
			[3]pt{{126, 228}, {150, 220}, {170, 196}},
			[3]pt{{184, 180}, {206, 186}, {224, 198}},
		), 30))
	} else {
		w := 14.0
		if size <= 48 {
			w = 20
		}
		fill(orange, stroke(bezierPath(
			pt{42, 212},
			[3]pt{{60, 174}, {86, 172}, {94, 198}},
			[3]pt{{102, 224}, {120, 226}, {130, 202}},
			[3]pt{{140, 180}, {154, 180}, {160, 200}},
			[3]pt{{166, 216}, {186, 214}, {216, 194}},
		), w))
	}
	return img
}

func rect(x0, y0, x1, y1 float64) []pt {
	return []pt{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}
}

// arc returns points on a circle from angle a0 to a1 (radians).
func arc(c pt, r, a0, a1 float64, n int) []pt {
	out := make([]pt, 0, n+1)
	for i := 0; i <= n; i++ {
		a := a0 + (a1-a0)*float64(i)/float64(n)
		out = append(out, pt{c.x + r*math.Cos(a), c.y + r*math.Sin(a)})
	}
	return out
}

func circle(cx, cy, r float64) []pt { return arc(pt{cx, cy}, r, 0, 2*math.Pi, 64) }

func roundRect(x0, y0, x1, y1, r float64) []pt {
	var p []pt
	p = append(p, arc(pt{x1 - r, y0 + r}, r, -math.Pi/2, 0, 16)...)
	p = append(p, arc(pt{x1 - r, y1 - r}, r, 0, math.Pi/2, 16)...)
	p = append(p, arc(pt{x0 + r, y1 - r}, r, math.Pi/2, math.Pi, 16)...)
	p = append(p, arc(pt{x0 + r, y0 + r}, r, math.Pi, 3*math.Pi/2, 16)...)
	return p
}

// bezierPath flattens a chain of cubic Bézier segments into a polyline.
func bezierPath(start pt, segs ...[3]pt) []pt {
	out := []pt{start}
	p0 := start
	for _, s := range segs {
		for i := 1; i <= 32; i++ {
			t := float64(i) / 32
			u := 1 - t
			out = append(out, pt{
				u*u*u*p0.x + 3*u*u*t*s[0].x + 3*u*t*t*s[1].x + t*t*t*s[2].x,
				u*u*u*p0.y + 3*u*u*t*s[0].y + 3*u*t*t*s[1].y + t*t*t*s[2].y,
			})
		}
		p0 = s[2]
	}
	return out
}

// stroke outlines a polyline of width w with round caps as one simple
// polygon, so antialiasing is exact (no seams between pieces). The curves
// used here bend gently compared with w, so the offset sides never cross.
func stroke(line []pt, w float64) []pt {
	n := len(line)
	normal := func(i int) pt {
		a, b := line[max(i-1, 0)], line[min(i+1, n-1)]
		dx, dy := b.x-a.x, b.y-a.y
		l := math.Hypot(dx, dy)
		return pt{-dy / l, dx / l}
	}
	h := w / 2
	var left, right []pt
	for i, p := range line {
		nm := normal(i)
		left = append(left, pt{p.x + nm.x*h, p.y + nm.y*h})
		right = append(right, pt{p.x - nm.x*h, p.y - nm.y*h})
	}
	ne, n0 := normal(n-1), normal(0)
	ae, a0 := math.Atan2(ne.y, ne.x), math.Atan2(n0.y, n0.x)
	poly := append([]pt{}, left...)
	poly = append(poly, arc(line[n-1], h, ae, ae-math.Pi, 16)...) // end cap
	for i := n - 1; i >= 0; i-- {
		poly = append(poly, right[i])
	}
	return append(poly, arc(line[0], h, a0+math.Pi, a0, 16)...) // start cap
}

func encodePNG(img image.Image) []byte {
	var b bytes.Buffer
	// Encoding an in-memory RGBA image cannot fail.
	_ = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, img)
	return b.Bytes()
}

// encodeICO packs PNG images into an .ico: a 6-byte header, one 16-byte
// directory entry per image, then the PNG data.
func encodeICO(sizes []int) []byte {
	var pngs [][]byte
	for _, s := range sizes {
		pngs = append(pngs, encodePNG(drawIcon(s)))
	}
	var b bytes.Buffer
	le := binary.LittleEndian
	_ = binary.Write(&b, le, [3]uint16{0, 1, uint16(len(sizes))})
	offset := 6 + 16*len(sizes)
	for i, s := range sizes {
		dim := uint8(s)
		if s >= 256 {
			dim = 0 // 0 means 256 in the directory
		}
		b.Write([]byte{dim, dim, 0, 0})
		_ = binary.Write(&b, le, [2]uint16{1, 32}) // planes, bits per pixel
		_ = binary.Write(&b, le, [2]uint32{uint32(len(pngs[i])), uint32(offset)})
		offset += len(pngs[i])
	}
	for _, p := range pngs {
		b.Write(p)
	}
	return b.Bytes()
}
