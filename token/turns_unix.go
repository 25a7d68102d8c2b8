//go:build unix

package token

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// openTurn opens (creating, 0600) the lock file at path without following a
// link (O_NOFOLLOW: ELOOP on Linux and macOS, EMLINK on FreeBSD) and
// without blocking on a FIFO put in its place.
func openTurn(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK) {
			return nil, errLinkedLock
		}
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, errLinkedLock
	}
	return f, nil
}

// tryLock takes the exclusive flock of f without waiting: held=false when
// another open file (another process) holds it.
func tryLock(f *os.File) (held bool, err error) {
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, unix.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, unix.EINTR):
			continue
		}
		return false, err
	}
}
