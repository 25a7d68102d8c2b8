//go:build !linux

package pdfsign

import "os"

// startWriteback: elsewhere the final fsync does all the work.
func startWriteback(*os.File, int64, int64) {}
