package testtoken

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// privateCache is the directory RunInPrivateCache made ("" before it is called).
var privateCache string

// RunInPrivateCache runs the tests (m.Run) with the user cache directory
// pointed at a fresh temporary directory, for this test binary and every
// process it starts (the CLI, probe and worker children inherit the
// environment), then removes it: token takes its turns on lock files there
// (token/turns.go) and makes the demo token there, so a test run writes
// nothing into the cache of the person running it. Call it from TestMain,
// after the branches that run the binary as a child; it returns m.Run's code.
func RunInPrivateCache(m *testing.M) int {
	dir, err := os.MkdirTemp("", "certigna-test-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testtoken: no private cache directory:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	real, realErr := os.UserCacheDir()
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
		return 1
	}
	// The renderer's compiled code (render/engine.go, wazero's cache) stays
	// the person's: compiling PDFium takes seconds, tens under load, in every
	// test binary — a verify child then outlived its deadline. It is only a
	// cache of compiled code, shared by every run of this program already.
	if priv, err := os.UserCacheDir(); err == nil && realErr == nil {
		shared := filepath.Join(real, "certigna-desktop", "wazero")
		if os.MkdirAll(shared, 0o700) == nil && os.MkdirAll(filepath.Join(priv, "certigna-desktop"), 0o700) == nil {
			_ = os.Symlink(shared, filepath.Join(priv, "certigna-desktop", "wazero"))
		}
	}
	// tpm2-pkcs11, which discovery probes where p11-kit lists it, makes its
	// store in ~/.tpm2_pkcs11 unless told otherwise: the tests' goes here.
	if os.Getenv("TPM2_PKCS11_STORE") == "" {
		store := filepath.Join(dir, "tpm2_pkcs11")
		if os.Mkdir(store, 0o700) == nil {
			_ = os.Setenv("TPM2_PKCS11_STORE", store)
		}
	}
	privateCache = dir
	return m.Run()
}

// needPrivateCache fails a test whose binary did not run its tests in
// RunInPrivateCache: a token it opens would leave lock files in the real
// user's cache.
func needPrivateCache(t testing.TB) {
	t.Helper()
	if privateCache == "" {
		t.Fatal("this package's TestMain must run its tests with testtoken.RunInPrivateCache: every module a test opens takes a lock file in the user cache directory")
	}
}
