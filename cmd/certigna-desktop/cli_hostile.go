package main

import (
	"os"
	"runtime/debug"
)

// cliMemoryLimit is the Go heap size past which a CLI run collects garbage
// harder: a real document needs a few tens of MB; a hostile one is stopped
// by the reader's bounds (internal/pdf/limits.go), and this keeps the
// garbage of what it decoded meanwhile from piling up to the process's
// resident size. A soft limit: nothing fails at it.
const cliMemoryLimit = 160 << 20

func softMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cliMemoryLimit)
	}
}
