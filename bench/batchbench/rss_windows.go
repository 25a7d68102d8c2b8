package main

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// processMemoryCounters is psapi's PROCESS_MEMORY_COUNTERS (x/sys/windows
// has the DLL but not this call).
type processMemoryCounters struct {
	cb                         uint32
	pageFaultCount             uint32
	peakWorkingSetSize         uintptr
	workingSetSize             uintptr
	quotaPeakPagedPoolUsage    uintptr
	quotaPagedPoolUsage        uintptr
	quotaPeakNonPagedPoolUsage uintptr
	quotaNonPagedPoolUsage     uintptr
	pagefileUsage              uintptr
	peakPagefileUsage          uintptr
}

var procGetProcessMemoryInfo = windows.NewLazySystemDLL("psapi.dll").NewProc("GetProcessMemoryInfo")

// maxRSSMB: the peak working set, Windows' nearest to a peak RSS.
func maxRSSMB() (float64, bool) {
	var c processMemoryCounters
	c.cb = uint32(unsafe.Sizeof(c))
	if procGetProcessMemoryInfo.Find() != nil {
		return 0, false
	}
	r, _, _ := procGetProcessMemoryInfo.Call(uintptr(windows.CurrentProcess()), uintptr(unsafe.Pointer(&c)), uintptr(c.cb))
	if r == 0 {
		return 0, false
	}
	return float64(c.peakWorkingSetSize) / (1 << 20), true
}
