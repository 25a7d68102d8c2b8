package browsers

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ModuleName is the name Register gives the module: what Firefox shows under
// Settings → Privacy & Security → Security Devices, and how Unregister knows
// the block is ours.
const ModuleName = "Token Certigna"

// BackupSuffix: Register copies pkcs11.txt to pkcs11.txt+BackupSuffix before
// changing it; a profile that had no pkcs11.txt gets an empty backup file.
const BackupSuffix = ".certigna-backup"

// block is one module of pkcs11.txt: its lines and its raw bytes, so that a
// removal leaves every other byte of the file as it was.
type block struct {
	start, end int // raw span in the file, trailing blank lines included
	keys       map[string]string
}

func (b block) get(k string) string { return b.keys[k] }

// internal: NSS's own module, first in every file (library= empty).
func (b block) internal() bool {
	return b.keys["library"] == "" && strings.Contains(b.keys["NSS"]+b.keys["parameters"], "internal") ||
		strings.HasPrefix(b.keys["name"], "NSS Internal")
}

// parseBlocks splits pkcs11.txt into its modules: runs of key=value lines
// separated by blank lines, as NSS's utilmod.c writes and reads them.
func parseBlocks(b []byte) []block {
	var out []block
	blank := true // a blank line (or the file's start) ends the current block
	for pos := 0; pos < len(b); {
		next := len(b)
		if i := bytes.IndexByte(b[pos:], '\n'); i >= 0 {
			next = pos + i + 1
		}
		line := strings.TrimRight(string(b[pos:next]), "\r\n")
		switch {
		case strings.TrimSpace(line) == "":
			blank = true
			if len(out) > 0 {
				out[len(out)-1].end = next
			}
		default:
			if blank {
				out = append(out, block{start: pos, keys: map[string]string{}})
				blank = false
			}
			cur := &out[len(out)-1]
			if k, v, ok := strings.Cut(line, "="); ok {
				if k = strings.TrimSpace(k); cur.keys[k] == "" {
					cur.keys[k] = v
				}
			}
			cur.end = next
		}
		pos = next
	}
	return out
}

// entry is what Register appends: the two lines `modutil -add NAME -libfile
// LIB` writes, and the blank line that ends every block.
func entry(module string) []byte {
	return []byte("library=" + module + "\nname=" + ModuleName + "\n\n")
}

// Change is what Register or Unregister did.
type Change struct {
	Store   Store
	Changed bool   // false: already in the state asked for (idempotent)
	Backup  string // the backup written before the change (Register)
}

// Register adds module to the store's pkcs11.txt unless it is already there
// (under any name). It refuses while the program runs, in a sandbox, or on
// an old-format profile. The file is backed up first.
func Register(s Store, module string) (Change, error) {
	ch := Change{Store: s}
	if module == "" {
		return ch, &Error{Kind: KindNoModule}
	}
	if strings.ContainsAny(module, "\r\n") {
		// One line per key in pkcs11.txt: such a path would write a second key.
		return ch, &Error{Kind: KindWrite, Path: module, Err: errors.New("line break in the module path")}
	}
	// Read the lock again: the program may have been started since Discover.
	s.Running, s.PID = relock(s)
	ch.Store = s
	if err := s.CanRegister(); err != nil {
		return ch, err
	}
	p := filepath.Join(s.Dir, "pkcs11.txt")
	// The name itself, a regular file, bounded as when listing: a link, a
	// FIFO or a huge file is refused with a message, nothing written.
	old, mode, err := readProfileFile(p, maxPKCS11Txt, false)
	if errors.Is(err, fs.ErrNotExist) {
		mode = 0o600 // as NSS creates it
	} else if err != nil {
		return ch, profileFileError(p, err)
	}
	for _, b := range parseBlocks(old) {
		if !b.internal() && samePath(b.get("library"), module, goosOf()) {
			ch.Store.Registered, ch.Store.Ours = true, b.get("name") == ModuleName
			return ch, nil // already there: nothing to do
		}
	}
	ch.Backup = p + BackupSuffix
	// A new file renamed over the backup's name: an existing backup that is
	// a link is replaced, never followed.
	if err := writeNew(ch.Backup, old, 0o600); err != nil {
		return ch, &Error{Kind: KindWrite, Path: ch.Backup, Err: err}
	}
	// Our block for another library (the driver moved since): replaced, as
	// NSS wants module names unique.
	nw, _ := removeOurs(old, func(lib string) bool { return !samePath(lib, module, goosOf()) })
	if len(nw) > 0 && !bytes.HasSuffix(nw, []byte("\n\n")) {
		// A hand-edited file without the final blank line: end the last block
		// so that ours does not merge into it. Unregister then keeps that
		// line; the backup holds the exact original.
		if !bytes.HasSuffix(nw, []byte("\n")) {
			nw = append(nw, '\n')
		}
		nw = append(nw, '\n')
	}
	nw = append(nw, entry(module)...)
	if err := writeNew(p, nw, mode); err != nil {
		return ch, &Error{Kind: KindWrite, Path: p, Err: err}
	}
	ch.Changed = true
	ch.Store.Registered, ch.Store.Ours, ch.Store.HasDB = true, true, true
	ch.Store.Modules = append(ch.Store.Modules, Module{Name: ModuleName, Library: module})
	return ch, nil
}

// Unregister removes the blocks Register added for module (our name, that
// library) and nothing else. If the file then equals the backup, the backup
// is deleted; if the profile had no pkcs11.txt before, the file is removed.
func Unregister(s Store, module string) (Change, error) {
	ch := Change{Store: s}
	s.Running, s.PID = relock(s)
	ch.Store = s
	if s.Running {
		return ch, &Error{Kind: KindRunning, Path: s.Dir, App: s.AppName()}
	}
	p := filepath.Join(s.Dir, "pkcs11.txt")
	old, mode, err := readProfileFile(p, maxPKCS11Txt, false)
	if errors.Is(err, fs.ErrNotExist) {
		return ch, nil
	} else if err != nil {
		return ch, profileFileError(p, err)
	}
	nw, removed := removeOurs(old, func(lib string) bool { return module == "" || samePath(lib, module, goosOf()) })
	if !removed {
		return ch, nil
	}
	backup := p + BackupSuffix
	// A backup that is a link, not a regular file or too large counts as
	// none: it is neither compared nor removed.
	bk, _, bkErr := readProfileFile(backup, maxPKCS11Txt, false)
	if bkErr == nil && len(bk) == 0 && len(bytes.TrimSpace(nw)) == 0 {
		// There was no pkcs11.txt before us: leave none.
		if err := os.Remove(p); err != nil {
			return ch, &Error{Kind: KindWrite, Path: p, Err: err}
		}
	} else if err := writeNew(p, nw, mode); err != nil {
		return ch, &Error{Kind: KindWrite, Path: p, Err: err}
	}
	if bkErr == nil && (bytes.Equal(bk, nw) || len(bk) == 0 && len(bytes.TrimSpace(nw)) == 0) {
		_ = os.Remove(backup) // nothing left that the backup would restore
	}
	ch.Changed = true
	ch.Store.Registered, ch.Store.Ours = false, false
	var mods []Module
	for _, m := range ch.Store.Modules {
		if m.Name != ModuleName {
			mods = append(mods, m)
		}
	}
	ch.Store.Modules = mods
	return ch, nil
}

// removeOurs cuts the blocks named ModuleName whose library matches, and
// only their bytes.
func removeOurs(old []byte, match func(lib string) bool) ([]byte, bool) {
	nw := []byte{}
	last, removed := 0, false
	for _, b := range parseBlocks(old) {
		if b.get("name") == ModuleName && !b.internal() && match(b.get("library")) {
			nw = append(nw, old[last:b.start]...)
			last, removed = b.end, true
		}
	}
	return append(nw, old[last:]...), removed
}

// relock reads the store's lock again just before writing.
func relock(s Store) (bool, int) {
	if s.App == SharedNSS {
		return chromeRunning(Options{Home: homeOfNSSDB(s.Dir)}.filled())
	}
	return profileLocked(s.Dir)
}

// homeOfNSSDB is HOME for HOME/.pki/nssdb.
func homeOfNSSDB(dir string) string { return filepath.Dir(filepath.Dir(dir)) }

func goosOf() string { return runtime.GOOS }
