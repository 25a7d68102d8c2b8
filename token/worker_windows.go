//go:build windows

package token

import "os"

// workerOutput: on Windows the answers go to stdout as it is (a library
// printing there would corrupt the protocol: such a worker is reported as
// crashed, which is contained all the same).
func workerOutput() *os.File { return os.Stdout }
