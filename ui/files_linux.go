package ui

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The system's file dialogs on Linux, best first: the XDG desktop portal
// (the desktop's own dialog, in its language, also inside Flatpak), then
// kdialog on KDE or zenity elsewhere, then the other one.

// systemFileChoosers are the file dialogs this system can show, best first.
func systemFileChoosers() FileChooser {
	return linuxChoosers(os.Getenv, exec.LookPath)
}

// linuxChoosers picks the dialogs from the environment: the portal when a
// session bus is there; zenity and kdialog when installed and a display is
// there, kdialog first on KDE.
func linuxChoosers(env func(string) string, look func(string) (string, error)) FileChoosers {
	var l FileChoosers
	if addr := sessionBus(env); addr != "" {
		l = append(l, portalChooser{addr: addr})
	}
	if env("DISPLAY") == "" && env("WAYLAND_DISPLAY") == "" {
		return l
	}
	helpers := []string{"zenity", "kdialog"}
	if strings.Contains(strings.ToUpper(env("XDG_CURRENT_DESKTOP")), "KDE") {
		helpers = []string{"kdialog", "zenity"}
	}
	for _, h := range helpers {
		if p, err := look(h); err == nil {
			l = append(l, helperChooser{name: h, path: p})
		}
	}
	return l
}

// sessionBus is the session bus's address, "" when there is none (never
// started for us: a bus started here would have no portal).
func sessionBus(env func(string) string) string {
	if a := env("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return a
	}
	if d := env("XDG_RUNTIME_DIR"); d != "" {
		if st, err := os.Stat(filepath.Join(d, "bus")); err == nil && st.Mode()&os.ModeSocket != 0 {
			return "unix:path=" + filepath.Join(d, "bus")
		}
	}
	return ""
}

// helperChooser runs zenity or kdialog: their words follow LANGUAGE, set to
// the window's language.
type helperChooser struct{ name, path string }

func (h helperChooser) Choose(ctx context.Context, r FileRequest) (string, error) {
	cmd := exec.CommandContext(ctx, h.path, helperArgs(h.name, r)...)
	cmd.Env = append(os.Environ(), "LANGUAGE="+r.Lang)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return strings.TrimRight(out.String(), "\r\n"), nil
	case errors.As(err, &exit) && exit.ExitCode() == 1 && !strings.Contains(strings.ToLower(errOut.String()), "display"):
		return "", nil // the person cancelled
	}
	// it could not show its dialog (no display, broken install): the next
	return "", errNoFileDialog
}

// helperArgs are zenity's or kdialog's arguments for r.
func helperArgs(name string, r FileRequest) []string {
	start := r.Dir
	if r.Kind == FileSave && r.Name != "" {
		start = filepath.Join(r.Dir, r.Name)
	}
	var globs []string
	for _, e := range r.Exts {
		globs = append(globs, "*"+strings.ToLower(e), "*"+strings.ToUpper(e))
	}
	if name == "kdialog" {
		a := []string{"--title", r.Title}
		switch r.Kind {
		case FileFolder:
			return append(a, "--getexistingdirectory", start)
		case FileSave:
			a = append(a, "--getsavefilename", start)
		default:
			a = append(a, "--getopenfilename", start)
		}
		if len(globs) > 0 {
			a = append(a, strings.Join(globs, " ")+"|"+r.Filter)
		}
		return a
	}
	a := []string{"--file-selection", "--title=" + r.Title}
	switch r.Kind {
	case FileFolder:
		a = append(a, "--directory")
	case FileSave:
		a = append(a, "--save", "--confirm-overwrite")
	}
	if start != "" {
		if r.Kind != FileSave {
			start += string(filepath.Separator) // open inside the folder
		}
		a = append(a, "--filename="+start)
	}
	if len(globs) > 0 && r.Kind != FileFolder {
		a = append(a, "--file-filter="+r.Filter+" | "+strings.Join(globs, " "))
	}
	return a
}
