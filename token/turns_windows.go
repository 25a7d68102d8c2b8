//go:build windows

package token

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// openTurn opens (creating) the lock file at path, refusing a link in its
// place: Windows has no O_NOFOLLOW, so the path is checked just before
// (making a link there needs a privilege or developer mode).
func openTurn(path string) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, errLinkedLock
	}
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}

// tryLock takes an exclusive LockFileEx lock of f's first byte without
// waiting: held=false when another handle (another process) holds it.
func tryLock(f *os.File) (held bool, err error) {
	var ol windows.Overlapped
	err = windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION):
		return false, nil
	}
	return false, err
}
