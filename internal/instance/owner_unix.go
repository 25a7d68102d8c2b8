//go:build unix

package instance

import (
	"os"
	"strconv"
	"syscall"
)

func checkOwner(fi os.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) != os.Getuid() || fi.Mode().Perm()&0o077 != 0 {
		return errNotPrivate
	}
	return nil
}

func userTag() string { return strconv.Itoa(os.Getuid()) }
