//go:build unix && !darwin

package main

import "syscall"

// maxRSSMB: getrusage's ru_maxrss is in kilobytes on Linux and the BSDs.
func maxRSSMB() (float64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return float64(ru.Maxrss) / 1024, true
}
