//go:build !unix

package doc

import "os"

func openNoBlock(path string) (*os.File, error) { return os.Open(path) }
