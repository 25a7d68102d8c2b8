// Package tempfiles is the one registry of the temporary files the app
// creates beside its outputs (the signed copy being written, the probe of an
// output folder): each is registered when created and forgotten once renamed
// or removed, so that whatever ends the process early — a signal while the
// PIN is typed, the terminal closed — can remove what is left (RemoveAll,
// called by the CLI's and the window's signal handlers and at exit).
package tempfiles

import (
	"os"
	"sync"
)

var (
	mu    sync.Mutex
	files = map[string]struct{}{}
)

// Create is os.CreateTemp, registered.
func Create(dir, pattern string) (*os.File, error) {
	mu.Lock() // held across the creation: RemoveAll cannot miss a file being created
	defer mu.Unlock()
	f, err := os.CreateTemp(dir, pattern)
	if err == nil {
		files[f.Name()] = struct{}{}
	}
	return f, err
}

// Forget unregisters path: it was renamed to its final name or removed.
func Forget(path string) {
	mu.Lock()
	delete(files, path)
	mu.Unlock()
}

// Remove removes path and unregisters it.
func Remove(path string) {
	mu.Lock()
	defer mu.Unlock()
	os.Remove(path)
	delete(files, path)
}

// RemoveAll removes every registered file. It holds the registry until the
// process exits if final is true, so that no new temporary file appears
// between the cleanup and the exit.
func RemoveAll(final bool) {
	mu.Lock()
	for p := range files {
		os.Remove(p)
		delete(files, p)
	}
	if !final {
		mu.Unlock()
	}
}

// Pending lists the registered files (for tests).
func Pending() []string {
	mu.Lock()
	defer mu.Unlock()
	var out []string
	for p := range files {
		out = append(out, p)
	}
	return out
}
