//go:build linux

package support

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strings"
	"syscall"
)

// OSVersion names the operating system and its version, e.g. "Debian
// GNU/Linux 12 (bookworm), kernel 6.1.0".
func OSVersion() string {
	name := runtime.GOOS
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "PRETTY_NAME="); ok {
				name = strings.Trim(v, `"'`)
			}
		}
	}
	var u syscall.Utsname
	if err := syscall.Uname(&u); err == nil {
		var rel []byte
		for _, c := range u.Release {
			if c == 0 {
				break
			}
			rel = append(rel, byte(c))
		}
		name += ", kernel " + string(rel)
	}
	return name
}
