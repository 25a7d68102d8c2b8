package main

import "fmt"

// peakRSS is this process's peak resident set so far, for people: "n/a"
// where the system does not tell (maxRSSMB, one file per system).
func peakRSS() string {
	mb, ok := maxRSSMB()
	if !ok {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MB", mb)
}
