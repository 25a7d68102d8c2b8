//go:build windows || darwin

package ui

import (
	"context"
	"errors"
	"runtime"
	"strings"

	osdialog "github.com/sqweek/dialog"
)

// The Windows and macOS common dialogs (github.com/sqweek/dialog: pure Go on
// Windows, Cocoa's panels on macOS, which it runs on the main thread). They
// speak the system's language; the title and filter are the window's.

// systemFileChoosers are the file dialogs this system can show.
func systemFileChoosers() FileChooser { return FileChoosers{nativeChooser{}} }

type nativeChooser struct{}

func (nativeChooser) Choose(ctx context.Context, r FileRequest) (string, error) {
	type answer struct {
		path string
		err  error
	}
	ch := make(chan answer, 1)
	go func() {
		// the dialog's message loop belongs to the thread that opened it
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		p, err := nativeAsk(r)
		ch <- answer{p, err}
	}()
	select {
	case <-ctx.Done():
		// these dialogs cannot be closed from here: the answer is dropped
		return "", ctx.Err()
	case x := <-ch:
		if errors.Is(x.err, osdialog.ErrCancelled) {
			return "", nil
		}
		return x.path, x.err
	}
}

func nativeAsk(r FileRequest) (string, error) {
	if r.Kind == FileFolder {
		return osdialog.Directory().Title(r.Title).SetStartDir(r.Dir).Browse()
	}
	b := osdialog.File().Title(r.Title).SetStartDir(r.Dir)
	if len(r.Exts) > 0 {
		var exts []string
		for _, e := range r.Exts {
			exts = append(exts, strings.TrimPrefix(e, "."))
		}
		b = b.Filter(r.Filter, exts...)
	}
	if r.Kind == FileSave {
		return b.SetStartFile(r.Name).Save()
	}
	return b.Load()
}
