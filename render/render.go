// Package render draws PDF pages into images with PDFium compiled to
// WebAssembly (github.com/klippa-app/go-pdfium's webassembly mode, run by
// wazero): pure Go, no cgo, one static binary on every platform.
//
// It is the application's only PDF renderer (verification's render-and-compare,
// the page preview of the sign screen). It knows no PKCS#11 and no UI.
//
// Every document is untrusted. The sandbox sees no file (empty FS config; the
// document is handed over from memory through a reader), each document runs
// in its own module instance whose linear memory is capped, every call is
// bounded in time and cancellable (a cancelled context closes the instance),
// and a PDFium trap or a Go panic inside the binding becomes an error.
//
// The engine (wazero runtime + compiled PDFium) is created once per process,
// on first use; compiled code is cached in the user cache directory so that
// the next start of the application skips most of the compilation.
//
// Platform note: wazero's compiler writes executable memory. A hardened,
// notarised macOS app needs the com.apple.security.cs.allow-jit entitlement.
package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"strings"
	"sync"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/enums"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// Doc is one open document. Its methods may be called from several
// goroutines; calls are serialised (one instance runs one call at a time).
type Doc struct {
	mu       sync.Mutex
	inst     pdfium.Pdfium
	doc      references.FPDF_DOCUMENT
	pages    int
	lim      Limits
	rendered map[int]bool
	dead     bool // instance killed (cancel/timeout/trap) or closed
	src      *io.SectionReader
}

// Open loads pdf (never a path: the sandbox has no file system).
func Open(ctx context.Context, pdf []byte, lim Limits) (d *Doc, err error) {
	return OpenReader(ctx, bytes.NewReader(pdf), int64(len(pdf)), lim)
}

// OpenReader loads the size bytes of r (a file, or a prefix of one through
// io.NewSectionReader: a signed revision): PDFium reads the parts it needs
// through the reader, nothing is copied whole. r must stay readable until
// Close.
func OpenReader(ctx context.Context, r io.ReaderAt, size int64, lim Limits) (d *Doc, err error) {
	lim = lim.withDefaults()
	if size > lim.MaxBytes {
		return nil, ErrTooLarge
	}
	if size <= 0 {
		return nil, ErrUnreadble
	}
	e, err := getEngine()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	inst, err := e.pool.GetInstanceWithContext(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ErrCancelled
		}
		return nil, fmt.Errorf("render: instance: %w", err)
	}
	d = &Doc{inst: inst, lim: lim, rendered: map[int]bool{}, src: io.NewSectionReader(r, 0, size)}
	err = d.guard(ctx, func() error {
		// Through a reader: PDFium reads what it needs from our buffer
		// instead of a second copy of the whole file in its memory.
		res, err := inst.OpenDocument(&requests.OpenDocument{FileReader: d.src, FileReaderSize: size})
		if err != nil {
			return err
		}
		d.doc = res.Document
		n, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: d.doc})
		if err != nil {
			return err
		}
		d.pages = n.PageCount
		return nil
	})
	if err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// guard runs f with the instance, bounded by ctx and the Doc's timeout: when
// either ends first the instance is killed (wazero stops the code in flight)
// and the Doc is unusable afterwards. A panic in the binding is an error.
func (d *Doc) guard(ctx context.Context, f func() error) (err error) {
	if d.dead {
		return ErrClosed
	}
	ctx, cancel := context.WithTimeout(ctx, d.lim.Timeout)
	defer cancel()
	if ctx.Err() != nil {
		return ErrCancelled
	}
	done := make(chan struct{})
	killed := make(chan struct{})
	go func() {
		select {
		case <-done:
			close(killed)
		case <-ctx.Done():
			d.inst.Kill()
			close(killed)
		}
	}()
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%w: %v", ErrUnreadble, r)
			}
		}()
		err = f()
	}()
	close(done)
	<-killed
	if ctx.Err() != nil {
		d.dead = true
		return ErrCancelled
	}
	if err != nil && isTrap(err) {
		// A trap (out of memory, unreachable…) leaves PDFium's state
		// undefined: drop the instance.
		d.inst.Kill()
		d.dead = true
	}
	if err != nil && !ours(err) {
		err = fmt.Errorf("%w: %v", ErrUnreadble, err)
	}
	return err
}

func ours(err error) bool {
	for _, e := range []error{ErrTooLarge, ErrTooMany, ErrCancelled, ErrBadPage, ErrClosed, ErrUnreadble} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func isTrap(err error) bool {
	s := err.Error()
	for _, w := range []string{"wasm error", "panic occurred", "module closed", "exit_code"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// Pages is the number of pages.
func (d *Doc) Pages() int { return d.pages }

// PageBox is the size of page i (0-based) as displayed: the CropBox turned by
// /Rotate (PDFium's page size), and the rotation in degrees (0, 90, 180, 270).
func (d *Doc) PageBox(i int) (widthPt, heightPt float64, rotate int, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if i < 0 || i >= d.pages {
		return 0, 0, 0, ErrBadPage
	}
	err = d.guard(context.Background(), func() error {
		w, h, r, err := d.box(i)
		widthPt, heightPt, rotate = w, h, r
		return err
	})
	return
}

func (d *Doc) box(i int) (w, h float64, rotate int, err error) {
	page := requests.Page{ByIndex: &requests.PageByIndex{Document: d.doc, Index: i}}
	sz, err := d.inst.GetPageSize(&requests.GetPageSize{Page: page})
	if err != nil {
		return 0, 0, 0, err
	}
	rot, err := d.inst.FPDFPage_GetRotation(&requests.FPDFPage_GetRotation{Page: page})
	if err != nil {
		return 0, 0, 0, err
	}
	return sz.Width, sz.Height, int(rot.PageRotation) * 90, nil
}

// PixelSize is the size in pixels of page i rendered at dpi (what Render
// returns), for callers that pick a dpi to fit a frame.
func PixelSize(widthPt, heightPt, dpi float64) (int, int) {
	return int(math.Ceil(widthPt * dpi / 72)), int(math.Ceil(heightPt * dpi / 72))
}

// Render draws page i (0-based) at dpi, annotations included (as a viewer
// shows them, appearance streams of widgets too), on white, opaque.
func (d *Doc) Render(ctx context.Context, i int, dpi float64) (*image.RGBA, error) {
	return d.render(ctx, i, dpi, true)
}

// RenderContent draws page i without any annotation or form field: the page
// content alone (what lies under the annotations).
func (d *Doc) RenderContent(ctx context.Context, i int, dpi float64) (*image.RGBA, error) {
	return d.render(ctx, i, dpi, false)
}

func (d *Doc) render(ctx context.Context, i int, dpi float64, annots bool) (*image.RGBA, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if i < 0 || i >= d.pages {
		return nil, ErrBadPage
	}
	if !(dpi > 0 && dpi <= 2400) {
		return nil, ErrTooLarge
	}
	if !d.rendered[i] && len(d.rendered) >= d.lim.MaxPages {
		return nil, ErrTooMany
	}
	var out *image.RGBA
	err := d.guard(ctx, func() error {
		w, h, _, err := d.box(i)
		if err != nil {
			return err
		}
		pw, ph := PixelSize(w, h, dpi)
		if pw < 1 || ph < 1 || pw > 1<<16 || ph > 1<<16 || pw*ph > d.lim.MaxPixels {
			return ErrTooLarge
		}
		req := &requests.RenderPageInPixels{
			Page:   requests.Page{ByIndex: &requests.PageByIndex{Document: d.doc, Index: i}},
			Width:  pw,
			Height: ph,
		}
		if annots {
			req.RenderFlags = enums.FPDF_RENDER_FLAG_ANNOT
			req.RenderForm = true
			req.Document = &d.doc
		}
		res, err := d.inst.RenderPageInPixels(req)
		if err != nil {
			return err
		}
		defer res.Cleanup()
		src, ok := res.Result.RenderedImage.(*image.RGBA)
		if !ok || src == nil {
			return errors.New("no image")
		}
		// The pixels live in the instance's memory until Cleanup: copy,
		// flattening transparency onto white like a viewer's page.
		out = image.NewRGBA(src.Rect)
		flattenOnWhite(out.Pix, src.Pix, res.Result.HasTransparency)
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.rendered[i] = true
	return out, nil
}

func flattenOnWhite(dst, src []byte, alpha bool) {
	n := copy(dst, src)
	if !alpha {
		for k := 3; k < n; k += 4 {
			dst[k] = 255
		}
		return
	}
	for k := 0; k+3 < n; k += 4 {
		a := uint32(dst[k+3])
		if a == 255 {
			continue
		}
		for c := 0; c < 3; c++ {
			dst[k+c] = byte((uint32(dst[k+c])*a + 255*(255-a) + 127) / 255)
		}
		dst[k+3] = 255
	}
}

// Close releases the instance (its whole memory). Safe to call twice.
func (d *Doc) Close() error {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.inst == nil {
		return nil
	}
	inst := d.inst
	d.inst = nil
	wasDead := d.dead
	d.dead = true
	if wasDead {
		// Kill already returned the worker; Close would report "already
		// closed".
		inst.Kill()
		return nil
	}
	func() {
		defer func() { recover() }()
		if d.doc != "" {
			inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: d.doc})
		}
	}()
	return inst.Close()
}
