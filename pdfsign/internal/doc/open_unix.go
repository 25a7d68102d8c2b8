//go:build unix

package doc

import (
	"os"
	"syscall"
)

// openNoBlock opens read-only without blocking on a FIFO that has no writer
// (the type is checked right after); on a regular file O_NONBLOCK is a no-op.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
