//go:build !unix && !windows

package main

// maxRSSMB: no peak RSS on this system.
func maxRSSMB() (float64, bool) { return 0, false }
