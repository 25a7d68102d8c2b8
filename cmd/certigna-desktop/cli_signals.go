package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/term"

	"github.com/certigna-desktop/app/internal/tempfiles"
)

// Whatever ends the process — Ctrl-C, the terminal closed (SIGHUP), a
// SIGTERM — our temporary files go with it: they are all registered in
// internal/tempfiles and removed here, then the process exits as the signal
// asks (128 + its number). A verb that handles Ctrl-C itself (sign: it
// cancels and says so) takes it through interruptContext; the handler then
// cancels that context instead of exiting, and the verb's own cleanup
// removes the file. One goroutine decides, so the two never race.

var sigs struct {
	sync.Mutex
	installed bool
	handlers  map[int]context.CancelFunc
	next      int
}

// interruptContext is a context canceled by Ctrl-C, for a verb that
// handles it itself. Without main's handler (the in-process tests), it is
// signal.NotifyContext.
func interruptContext() (context.Context, func()) {
	sigs.Lock()
	defer sigs.Unlock()
	if !sigs.installed {
		return signal.NotifyContext(context.Background(), os.Interrupt)
	}
	ctx, cancel := context.WithCancel(context.Background())
	id := sigs.next
	sigs.next++
	sigs.handlers[id] = cancel
	return ctx, func() {
		sigs.Lock()
		delete(sigs.handlers, id)
		sigs.Unlock()
		cancel()
	}
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
	sigs.Lock()
	sigs.installed, sigs.handlers = true, map[int]context.CancelFunc{}
	sigs.Unlock()
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		for sig := range ch {
			sigs.Lock()
			if sig == os.Interrupt && len(sigs.handlers) > 0 {
				for _, cancel := range sigs.handlers {
					cancel() // the verb stops, says so and removes its file
				}
				sigs.Unlock()
				continue
			}
			sigs.Unlock()
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
