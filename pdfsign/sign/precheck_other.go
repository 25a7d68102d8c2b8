//go:build !linux

package sign

// freeSpace is unknown here: the write itself reports a full disk.
func freeSpace(dir string) (int64, bool) { return 0, false }
