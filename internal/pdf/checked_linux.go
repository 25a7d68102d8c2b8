package pdf

import (
	"os"
	"syscall"
)

// fileID is what fstat says of a file: a write changes its change time
// (and size or modification time), a replacement its inode.
type fileID struct {
	dev, ino     uint64
	size         int64
	mtime, ctime syscall.Timespec
}

func fileIdentity(f *os.File) (fileID, bool) {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return fileID{}, false
	}
	return fileID{dev: uint64(st.Dev), ino: st.Ino, size: st.Size, mtime: st.Mtim, ctime: st.Ctim}, true
}
