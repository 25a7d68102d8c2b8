//go:build windows

package browsers

import (
	"errors"
	"os"
	"syscall"
)

// pidAlive is not needed on Windows (no lock symlink there): the "lock"
// symlink check never finds one.
func pidAlive(pid int) bool { return false }

// fileLocked: Firefox opens parent.lock without sharing while it runs, so
// opening it fails with a sharing violation (ERROR_SHARING_VIOLATION = 32).
// Untested here: built by the cross-compilation test only.
func fileLocked(p string) bool {
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err == nil {
		f.Close()
		return false
	}
	var errno syscall.Errno
	return errors.As(err, &errno) && errno == 32
}
