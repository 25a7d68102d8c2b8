package render

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// The engine: PDFium compiled once per process (its code cached on disk),
// the bounds every document runs within, and the pool of instances.

// Limits bound what one document may cost. Zero fields take the defaults.
type Limits struct {
	// Timeout bounds each call (Open, each Render), on top of the caller's
	// context.
	Timeout time.Duration
	// MaxPages is the number of distinct pages one Doc may render.
	MaxPages int
	// MaxPixels bounds width×height of one rendered image.
	MaxPixels int
	// MaxBytes bounds the size of the PDF handed to Open.
	MaxBytes int64
}

// Defaults: a page at 150 dpi on A0 is ~25 M pixels; the PDF reader of
// pdfsign accepts files of a few hundred MB.
const (
	DefaultTimeout   = 20 * time.Second
	DefaultMaxPages  = 64
	DefaultMaxPixels = 40_000_000
	DefaultMaxBytes  = 512 << 20
)

// MemoryLimit is the cap of one instance's WebAssembly memory (engine-wide:
// wazero applies it to every module of the runtime). PDFium in wasm32 cannot
// address more than 4 GiB anyway.
const MemoryLimit = 1 << 30

// maxInstances bounds the documents open at once (each one is an instance
// with its own memory); Open waits for a free one until its deadline.
const maxInstances = 4

// Errors a caller may want to tell apart. Their text is for logs, not people.
var (
	ErrTooLarge  = errors.New("render: document or image beyond the limits")
	ErrTooMany   = errors.New("render: too many pages rendered for this document")
	ErrCancelled = errors.New("render: cancelled or out of time")
	ErrBadPage   = errors.New("render: no such page")
	ErrClosed    = errors.New("render: document closed")
	ErrUnreadble = errors.New("render: the renderer could not read this PDF")
)

func (l Limits) withDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	if l.MaxPages <= 0 {
		l.MaxPages = DefaultMaxPages
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	return l
}

type engine struct {
	pool pdfium.Pool
}

var (
	engMu   sync.Mutex
	eng     *engine
	engErr  error
	engTime time.Duration
)

// getEngine compiles PDFium once. A failure is kept (compiling again would
// fail the same way and cost seconds each time).
func getEngine() (*engine, error) {
	engMu.Lock()
	defer engMu.Unlock()
	if eng != nil || engErr != nil {
		return eng, engErr
	}
	start := time.Now()
	eng, engErr = newEngine()
	engTime = time.Since(start)
	return eng, engErr
}

// Warm starts the engine in advance (e.g. in the background when a window
// opens) so that the first Open does not pay for the compilation.
func Warm() error {
	_, err := getEngine()
	return err
}

// StartupTime is how long the engine took to start (zero before it did).
func StartupTime() time.Duration {
	engMu.Lock()
	defer engMu.Unlock()
	return engTime
}

func newEngine() (e *engine, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("render: engine start: %v", r)
		}
	}()
	rc := wazero.NewRuntimeConfig().
		// The bundled PDFium lowers setjmp/longjmp to wasm exceptions.
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithMemoryLimitPages(MemoryLimit / 65536).
		// A cancelled worker context stops wasm code in flight.
		WithCloseOnContextDone(true)
	if dir := cacheDir(); dir != "" {
		if cc, err := wazero.NewCompilationCacheWithDir(dir); err == nil {
			rc = rc.WithCompilationCache(cc)
		}
	}
	pool, err := webassembly.Init(webassembly.Config{
		MinIdle:  0,
		MaxIdle:  0,
		MaxTotal: maxInstances,
		// Empty: nothing of the host file system is visible in the sandbox
		// (the default would mount "/").
		FSConfig:      wazero.NewFSConfig(),
		RuntimeConfig: rc,
		Stdout:        io.Discard,
		Stderr:        io.Discard,
		// A fresh instance per document: nothing left from a hostile one.
		ReuseWorkers: false,
	})
	if err != nil {
		return nil, fmt.Errorf("render: engine start: %w", err)
	}
	return &engine{pool: pool}, nil
}

// cacheDir is where wazero keeps compiled code; "" disables the cache
// (CERTIGNA_RENDER_NOCACHE=1, or no user cache directory).
func cacheDir() string {
	if os.Getenv("CERTIGNA_RENDER_NOCACHE") != "" {
		return ""
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	dir := filepath.Join(base, "certigna-desktop", "wazero")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	return dir
}
