//go:build !unix

package instance

import "os"

// Windows: the directory is under %LOCALAPPDATA%, whose ACL admits only the
// user (and SYSTEM/administrators); Unix permission bits mean nothing there.
func checkOwner(os.FileInfo) error { return nil }

func userTag() string {
	if u := os.Getenv("USERNAME"); u != "" {
		return u
	}
	return "user"
}
