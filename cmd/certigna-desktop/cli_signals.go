package main

import (
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"golang.org/x/term"

	"github.com/certigna-desktop/app/internal/tempfiles"
)

// Whatever ends the process — Ctrl-C, the terminal closed (SIGHUP), a
// SIGTERM — our temporary files go with it: they are all registered in
// internal/tempfiles and removed here, then the process exits as the signal
// asks (128 + its number). A verb that handles Ctrl-C itself (sign: it
// cancels and says so) holds graceful; Ctrl-C is then left to it, and its
// own cleanup removes the file.

var graceful atomic.Int32

// handleInterrupt marks a section where the verb handles Ctrl-C itself; the
// returned function ends it.
func handleInterrupt() func() {
	graceful.Add(1)
	return func() { graceful.Add(-1) }
}

// cleanupOnSignals is installed by main (not by run: the in-process tests
// must not exit).
func cleanupOnSignals() {
	var restore func()
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		if st, err := term.GetState(fd); err == nil {
			restore = func() { term.Restore(fd, st) } // the PIN prompt turned echo off
		}
	}
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		for sig := range ch {
			if sig == os.Interrupt && graceful.Load() > 0 {
				continue
			}
			tempfiles.RemoveAll(true)
			if restore != nil {
				restore()
			}
			n := 1
			if s, ok := sig.(syscall.Signal); ok {
				n = int(s)
			}
			os.Exit(128 + n)
		}
	}()
}
