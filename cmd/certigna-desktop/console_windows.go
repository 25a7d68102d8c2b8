//go:build windows

package main

import (
	"os"
	"syscall"
)

// The Windows build is a GUI program (-H windowsgui): started from cmd.exe it
// has no standard handles, so a CLI verb would print nothing. When a verb is
// given and the handles are not redirected, attach to the parent's console.
func init() {
	if len(os.Args) < 2 {
		return // the window: no console wanted
	}
	kernel32 := syscall.NewLazyDLL("kernel32.dll")
	const attachParentProcess = ^uintptr(0) // (DWORD)-1
	if r, _, _ := kernel32.NewProc("AttachConsole").Call(attachParentProcess); r == 0 {
		return // no parent console (double-click, or already redirected)
	}
	reopen := func(std int, name string, flag int, f **os.File) {
		if h, err := syscall.GetStdHandle(std); err == nil && h != 0 && h != syscall.InvalidHandle {
			return // redirected by the caller: keep it
		}
		if c, err := os.OpenFile(name, flag, 0); err == nil {
			*f = c
		}
	}
	reopen(syscall.STD_OUTPUT_HANDLE, "CONOUT$", os.O_WRONLY, &os.Stdout)
	reopen(syscall.STD_ERROR_HANDLE, "CONOUT$", os.O_WRONLY, &os.Stderr)
	reopen(syscall.STD_INPUT_HANDLE, "CONIN$", os.O_RDWR, &os.Stdin)
}
