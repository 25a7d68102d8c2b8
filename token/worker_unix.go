//go:build unix

package token

import (
	"os"

	"golang.org/x/sys/unix"
)

// workerOutput is where the worker writes its answers: a copy of the
// original stdout, while descriptor 1 itself now goes to stderr (discarded by
// the app), so that a library printing on stdout (a vendor banner) cannot
// corrupt the protocol.
func workerOutput() *os.File {
	fd, err := unix.Dup(1)
	if err != nil {
		return os.Stdout
	}
	if err := unix.Dup2(2, 1); err != nil {
		unix.Close(fd)
		return os.Stdout
	}
	unix.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), "worker-out")
}
