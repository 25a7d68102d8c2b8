//go:build !windows

package assets

// Elsewhere the syscall.E* numbers of causeKey say it all.
var windowsDiskFull, windowsReadOnly, windowsInUse, windowsRefused, windowsReset, windowsUnreachable, windowsTimeout []uintptr
