package testtoken

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// privateCache is the directory PrivateCache made ("" before it is called).
var privateCache string

// PrivateCache points the user cache directory at a fresh temporary
// directory for this test binary and every process it starts (the CLI,
// probe and worker children inherit the environment): token takes its turns
// on lock files there (token/turns.go), and makes the demo token there, so a
// test run writes nothing into the cache of the person running it. Call it
// in TestMain, after the branches that run the binary as a child, and call
// the returned func after m.Run: it removes the directory.
func PrivateCache() (cleanup func()) {
	dir, err := os.MkdirTemp("", "certigna-test-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testtoken: no private cache directory:", err)
		os.Exit(1)
	}
	// The renderer's compiled code (render/engine.go, wazero's cache) stays
	// the person's: compiling PDFium takes seconds, tens under load, in every
	// test binary — a verify child then outlived its deadline. It is only a
	// cache of compiled code, shared by every run of this program already.
	if real, err := os.UserCacheDir(); err == nil {
		shared := filepath.Join(real, "certigna-desktop", "wazero")
		if os.MkdirAll(shared, 0o700) == nil && os.MkdirAll(filepath.Join(dir, "certigna-desktop"), 0o700) == nil {
			_ = os.Symlink(shared, filepath.Join(dir, "certigna-desktop", "wazero"))
		}
	}
	// os.UserCacheDir reads XDG_CACHE_HOME on Unix, LocalAppData on
	// Windows, HOME on macOS (HOME/Library/Caches).
	switch runtime.GOOS {
	case "windows":
		err = os.Setenv("LocalAppData", dir)
	case "darwin", "ios":
		err = os.Setenv("HOME", dir)
	default:
		err = os.Setenv("XDG_CACHE_HOME", dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testtoken:", err)
		os.Exit(1)
	}
	privateCache = dir
	return func() { _ = os.RemoveAll(dir) }
}

// needPrivateCache fails a test whose binary did not call PrivateCache: a
// token it opens would leave lock files in the real user's cache.
func needPrivateCache(t testing.TB) {
	t.Helper()
	if privateCache == "" {
		t.Fatal("this package's TestMain must call testtoken.PrivateCache: every module a test opens takes a lock file in the user cache directory")
	}
}
