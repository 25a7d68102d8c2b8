package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
)

// Every file dialog of the window goes through askFile: the system's own
// dialog when there is one (files_*.go: Windows and macOS common dialogs,
// the XDG portal, zenity, kdialog), asked off the UI goroutine, else Fyne's
// dialog, translated.

// FileKind is what a file dialog asks for.
type FileKind int

const (
	FileOpen   FileKind = iota // an existing file
	FileSave                   // a file name to write
	FileFolder                 // an existing folder
)

// FileRequest is one question to a file dialog, in the window's language.
type FileRequest struct {
	Kind   FileKind
	Title  string
	Accept string   // the accept button's label, where the dialog takes one
	Filter string   // the filter's name ("Documents PDF")
	Exts   []string // ".pdf"…; none: every file
	Dir    string   // the folder shown first
	Name   string   // the suggested name (FileSave)
	Lang   string   // the window's language, for helpers that follow the locale
}

// FileChooser is one system file dialog. Choose blocks until the person
// answers: the path chosen, or "" when they cancelled. ErrNoFileDialog
// means this dialog cannot be shown here (the next one is tried). Ending
// ctx closes the dialog where the system allows it.
type FileChooser interface {
	Choose(ctx context.Context, r FileRequest) (string, error)
}

// errNoFileDialog: no system file dialog here.
var errNoFileDialog = errors.New("no system file dialog")

// FileChoosers tries each dialog in order.
type FileChoosers []FileChooser

// Choose asks the first dialog that can be shown.
func (l FileChoosers) Choose(ctx context.Context, r FileRequest) (string, error) {
	for _, c := range l {
		p, err := c.Choose(ctx, r)
		if errors.Is(err, errNoFileDialog) {
			continue
		}
		return p, err
	}
	return "", errNoFileDialog
}

// askFile asks r through the system's dialog off the UI goroutine; then gets
// the path on the UI goroutine (nothing when cancelled); fallback runs when
// no system dialog could be shown or it failed. One dialog at a time: a
// second click while one is open does nothing.
func (a *App) askFile(r FileRequest, then func(path string), fallback func()) {
	if a.fileCancel != nil {
		return
	}
	if l, ok := a.opt.Files.(FileChoosers); ok && len(l) == 0 {
		fallback() // nothing to ask: at once
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.fileCancel = cancel
	r.Lang = a.lang
	files := a.opt.Files
	// not background(): a dialog waiting for the person is not work in
	// flight (Busy); Stop still waits for it, after closing it
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		p, err := files.Choose(ctx, r)
		stopped := ctx.Err() != nil
		a.do(func() {
			cancel()
			a.fileCancel = nil
			switch {
			case stopped: // the window closed it
			case err != nil:
				if !errors.Is(err, errNoFileDialog) {
					a.ops.Add("file_dialog_failed", err.Error())
				}
				fallback()
			case p != "":
				then(p)
			}
		})
	}()
}

// cancelFile closes the system file dialog the window has open, if any.
func (a *App) cancelFile() {
	if a.fileCancel != nil {
		a.fileCancel()
	}
}

// fyneFileDialog is the fallback: Fyne's dialog for r, translated (its
// own words follow the window's language, its places are named in it),
// as a list so that long names are cut at their end, not mid-word.
func (a *App) fyneFileDialog(r FileRequest, then func(path string)) {
	var d *dialog.FileDialog
	done := func(u fyne.URI) {
		if u != nil {
			then(u.Path())
		}
	}
	switch r.Kind {
	case FileSave:
		d = dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err == nil && w != nil {
				u := w.URI()
				w.Close()
				// Fyne created the file empty; the app writes it itself
				os.Remove(u.Path())
				done(u)
			}
		}, a.win)
		d.SetFileName(r.Name)
	case FileFolder:
		d = dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
			if err == nil && l != nil {
				done(l)
			}
		}, a.win)
	default:
		d = dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
			if err == nil && rc != nil {
				u := rc.URI()
				rc.Close()
				done(u)
			}
		}, a.win)
	}
	if len(r.Exts) > 0 {
		var exts []string
		for _, e := range r.Exts {
			exts = append(exts, strings.ToLower(e), strings.ToUpper(e))
		}
		d.SetFilter(storage.NewExtensionFileFilter(exts))
	}
	if r.Dir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(r.Dir)); err == nil {
			d.SetLocation(l)
		}
	}
	if r.Accept != "" {
		d.SetConfirmText(r.Accept)
	}
	d.SetDismissText(a.t("ui.cancel"))
	if r.Title != "" {
		d.SetTitleText(r.Title)
	}
	d.SetView(dialog.ListView)
	d.Resize(fyne.NewSize(700, 500))
	// Escape closes it, and only it: Fyne's takes no Escape, and the
	// window's would close the PDF chooser under it, and it with it
	a.showDialog(d, nil, nil, d.Dismiss, nil)
	a.namePlaces()
}

// fyneLang makes Fyne's own words (its file dialog's) follow the window's
// language: on Linux Fyne reads LANGUAGE, LC_ALL, LC_MESSAGES and LANG
// when translations are added, so they are set for that moment only (the
// process's locale, which the CLI's language and children follow, is put
// back). Elsewhere Fyne reads the system's language, and the system's
// dialog is used anyway.
func fyneLang(l string) {
	if runtime.GOOS != "linux" {
		return
	}
	vars := []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}
	old := map[string]*string{}
	for _, v := range vars {
		if x, ok := os.LookupEnv(v); ok {
			old[v] = &x
		}
	}
	defer func() {
		for _, v := range vars {
			if x := old[v]; x != nil {
				os.Setenv(v, *x)
			} else {
				os.Unsetenv(v)
			}
		}
	}()
	// LC_MESSAGES too: LANGUAGE alone is ignored under the C locale
	os.Unsetenv("LC_ALL")
	os.Setenv("LC_MESSAGES", map[string]string{"fr": "fr_FR.UTF-8"}[l]+map[string]string{"en": "en_GB.UTF-8"}[l])
	os.Setenv("LANGUAGE", l)
	_ = lang.AddTranslationsForLocale([]byte("{}"), fyne.Locale(l))
}

// placeKeys are the places Fyne's dialog lists, by the English names it
// gives them (it has no translation for them).
var placeKeys = map[string]string{
	"Home": "ui.files.home", "Computer": "ui.files.computer", "Documents": "ui.files.documents",
	"Desktop": "ui.files.desktop", "Downloads": "ui.files.downloads", "Music": "ui.files.music",
	"Pictures": "ui.files.pictures", "Videos": "ui.files.videos", "Movies": "ui.files.videos",
}

// namePlaces renames, in the window's language, the places of the Fyne
// file dialog on top: its list of places is the first list in it.
func (a *App) namePlaces() {
	top := a.win.Canvas().Overlays().Top()
	l := findList(top)
	if l == nil {
		return
	}
	update := l.UpdateItem
	l.UpdateItem = func(id widget.ListItemID, item fyne.CanvasObject) {
		update(id, item)
		if c, ok := item.(*fyne.Container); ok {
			for _, o := range c.Objects {
				if lb, ok := o.(*widget.Label); ok {
					if k, ok := placeKeys[lb.Text]; ok {
						lb.SetText(a.t(k))
					}
				}
			}
		}
	}
	l.Refresh()
}

// findList is the first list in o, through the containers Fyne's dialog
// is built of.
func findList(o fyne.CanvasObject) *widget.List {
	switch x := o.(type) {
	case *widget.List:
		return x
	case *widget.PopUp:
		return findList(x.Content)
	case *container.Split:
		if l := findList(x.Leading); l != nil {
			return l
		}
		return findList(x.Trailing)
	case *container.Scroll:
		return findList(x.Content)
	case *fyne.Container:
		for _, c := range x.Objects {
			if l := findList(c); l != nil {
				return l
			}
		}
	}
	return nil
}

// pdfRequest is the question for a PDF to open.
func (a *App) pdfRequest() FileRequest {
	return FileRequest{Kind: FileOpen, Title: a.t("ui.choose.title"), Accept: a.t("ui.choose.open"),
		Filter: a.t("ui.files.pdf_filter"), Exts: []string{".pdf"}, Dir: a.documentsDir()}
}

// hasExt tells whether p ends with one of exts, whatever the case.
func hasExt(p string, exts []string) bool {
	for _, e := range exts {
		if strings.EqualFold(filepath.Ext(p), e) {
			return true
		}
	}
	return len(exts) == 0
}
