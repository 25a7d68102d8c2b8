//go:build unix

package browsers

import (
	"errors"
	"os"
	"syscall"
)

// openNoBlock opens p for reading without blocking on a FIFO or a device
// (O_NONBLOCK) and, unless follow, without following a link (O_NOFOLLOW:
// ELOOP on Linux and macOS, EMLINK on FreeBSD).
func openNoBlock(p string, follow bool) (*os.File, error) {
	flags := os.O_RDONLY | syscall.O_NONBLOCK
	if !follow {
		flags |= syscall.O_NOFOLLOW
	}
	f, err := os.OpenFile(p, flags, 0)
	if err != nil && !follow && (errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK)) {
		if fi, e := os.Lstat(p); e == nil && fi.Mode()&os.ModeSymlink != 0 {
			return nil, errLinked
		}
	}
	return f, err
}
