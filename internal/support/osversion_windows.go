package support

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// OSVersion names Windows and its build, e.g. "Windows 10.0 (build 22631)"
// (Windows 11 reports 10.0 with a build from 22000).
func OSVersion() string {
	v := windows.RtlGetVersion()
	return fmt.Sprintf("Windows %d.%d (build %d)", v.MajorVersion, v.MinorVersion, v.BuildNumber)
}
