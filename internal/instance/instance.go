// Package instance keeps one window per user: the first launch listens on a
// per-user local socket; a second launch (double-click on a PDF, "Signer avec
// Certigna") hands its files to it and exits.
//
// The socket lives in a directory only the user can enter (0700, owned by
// the user, not a symlink; checked, not assumed: another local user could
// have created it first in a shared temp dir) and is itself 0600. Windows
// (10 1803 and later) has AF_UNIX sockets too; there the directory is under
// %LOCALAPPDATA%, which only the user may open.
package instance

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// ErrRunning: another instance listens; hand it the files with Send.
var ErrRunning = errors.New("instance: already running")

// maxMessage bounds one hand-over (thousands of paths fit).
const maxMessage = 1 << 20

type message struct {
	Files []string `json:"files"`
}

// DefaultDir is the per-user directory of the socket: $XDG_RUNTIME_DIR (Linux),
// %LOCALAPPDATA% (Windows), else the user cache dir, else the temp dir with
// the user ID in the name.
func DefaultDir() string {
	const name = "certigna-desktop"
	if runtime.GOOS == "windows" {
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, name)
		}
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" && runtime.GOOS != "windows" {
		return filepath.Join(d, name)
	}
	if runtime.GOOS == "darwin" {
		if d, err := os.UserCacheDir(); err == nil {
			return filepath.Join(d, name)
		}
	}
	return filepath.Join(os.TempDir(), name+"-"+userTag())
}

// Server is the first instance's listener.
type Server struct {
	ln     net.Listener
	path   string
	wg     sync.WaitGroup
	closed chan struct{}
}

// Listen claims dir's socket and calls open (on its own goroutine) with the
// files of every later launch — an empty list means "show the window".
// ErrRunning when another instance has it.
func Listen(dir, session string, open func(files []string)) (*Server, error) {
	if err := privateDir(dir); err != nil {
		return nil, err
	}
	path := socketPath(dir, session)
	ln, err := net.Listen("unix", path)
	if err != nil {
		// In use: running, or left by a crash. Ask it.
		if c, derr := net.DialTimeout("unix", path, 2*time.Second); derr == nil {
			c.Close()
			return nil, ErrRunning
		}
		if rerr := os.Remove(path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			return nil, err
		}
		if ln, err = net.Listen("unix", path); err != nil {
			return nil, err
		}
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o600); err != nil {
			ln.Close()
			return nil, err
		}
	}
	s := &Server{ln: ln, path: path, closed: make(chan struct{})}
	s.wg.Add(1)
	go s.serve(open)
	return s, nil
}

func (s *Server) serve(open func([]string)) {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			select {
			case <-s.closed:
				return
			default:
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			var m message
			if err := json.NewDecoder(io.LimitReader(c, maxMessage)).Decode(&m); err != nil {
				return
			}
			files := m.Files[:0]
			for _, f := range m.Files {
				if filepath.IsAbs(f) { // the sender resolves them against its own directory
					files = append(files, f)
				}
			}
			io.WriteString(c, "ok\n")
			open(files)
		}()
	}
}

// Close stops listening and removes the socket.
func (s *Server) Close() error {
	close(s.closed)
	err := s.ln.Close()
	s.wg.Wait()
	os.Remove(s.path)
	return err
}

// Send hands files (made absolute here) to the running instance; nil when it
// took them.
func Send(dir, session string, files []string) error {
	if err := privateDir(dir); err != nil {
		return err
	}
	abs := make([]string, 0, len(files))
	for _, f := range files {
		a, err := filepath.Abs(f)
		if err != nil {
			return err
		}
		abs = append(abs, a)
	}
	c, err := net.DialTimeout("unix", socketPath(dir, session), 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if err := json.NewEncoder(c).Encode(message{Files: abs}); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || line != "ok\n" {
		return errors.New("instance: no answer from the running window")
	}
	return nil
}

// Session names the graphical session on Linux and the BSDs: a launch on
// another X display (another seat, a remote session, a test's Xvfb) gets its
// own window instead of handing its files to one it cannot see.
func Session() string {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return ""
	}
	d := os.Getenv("WAYLAND_DISPLAY")
	if d == "" {
		d = os.Getenv("DISPLAY")
	}
	return d
}

func socketPath(dir, session string) string {
	name := "instance"
	if session != "" {
		b := []byte(session)
		for i, c := range b {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				b[i] = '_'
			}
		}
		name += "-" + string(b)
	}
	return filepath.Join(dir, name+".sock")
}

// errNotPrivate: the directory exists but someone else could reach into it.
var errNotPrivate = errors.New("instance: socket directory is not private to this user")

// privateDir creates dir 0700 or checks that the existing one is a real
// directory, owned by this user, closed to others.
func privateDir(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() || fi.Mode()&os.ModeSymlink != 0 {
		return errNotPrivate
	}
	return checkOwner(fi)
}
