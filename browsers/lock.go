package browsers

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// profileLocked says whether a Firefox/Thunderbird profile is in use. On
// Linux and macOS the program makes the symlink "lock" → "IP:+PID" and holds
// an fcntl lock on ".parentlock"; on Windows it keeps "parent.lock" open
// without sharing. The symlink may outlive a crash, so it counts only while
// its process lives; the OS drops the other two locks when the program ends.
func profileLocked(dir string) (bool, int) {
	if target, err := os.Readlink(filepath.Join(dir, "lock")); err == nil {
		if i := strings.LastIndex(target, ":+"); i >= 0 {
			if pid, err := strconv.Atoi(target[i+2:]); err == nil && pid > 0 && pidAlive(pid) {
				return true, pid
			}
		}
	}
	if fileLocked(filepath.Join(dir, ".parentlock")) || fileLocked(filepath.Join(dir, "parent.lock")) {
		return true, 0
	}
	return false, 0
}

// chromeRunning: Chrome, Chromium and Edge keep the symlink SingletonLock →
// "HOSTNAME-PID" in their profile folder while they run; they read
// ~/.pki/nssdb while running, so it is not written then.
func chromeRunning(o Options) (bool, int) {
	host, _ := os.Hostname()
	for _, d := range []string{"google-chrome", "google-chrome-beta", "chromium", "microsoft-edge", "BraveSoftware/Brave-Browser", "vivaldi"} {
		target, err := os.Readlink(filepath.Join(o.XDG, filepath.FromSlash(d), "SingletonLock"))
		if err != nil {
			continue
		}
		i := strings.LastIndex(target, "-")
		if i < 0 {
			continue
		}
		pid, err := strconv.Atoi(target[i+1:])
		if err != nil || pid <= 0 {
			continue
		}
		if target[:i] != host || pidAlive(pid) { // another host's lock (shared home): believe it
			return true, pid
		}
	}
	return false, 0
}
