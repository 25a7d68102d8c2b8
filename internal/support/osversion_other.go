//go:build !linux && !windows

package support

import (
	"os/exec"
	"runtime"
	"strings"
)

// OSVersion names the operating system and its version, e.g. "macOS 14.5".
func OSVersion() string {
	if runtime.GOOS == "darwin" {
		if out, err := exec.Command("sw_vers", "-productVersion").Output(); err == nil {
			return "macOS " + strings.TrimSpace(string(out))
		}
		return "macOS"
	}
	return runtime.GOOS
}
