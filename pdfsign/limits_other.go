//go:build !unix

package pdfsign

import "os"

func openNoBlock(path string) (*os.File, error) { return os.Open(path) }
