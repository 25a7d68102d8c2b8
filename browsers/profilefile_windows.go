//go:build windows

package browsers

import "os"

// openNoBlock: Windows has no FIFO in a profile folder; a link (symbolic
// link or junction) is refused from its Lstat when not following.
func openNoBlock(p string, follow bool) (*os.File, error) {
	if !follow {
		fi, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		if fi.Mode()&(os.ModeSymlink|os.ModeIrregular) != 0 {
			return nil, errLinked
		}
	}
	return os.Open(p)
}
