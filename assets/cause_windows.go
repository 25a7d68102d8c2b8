package assets

// Windows' own numbers for the failures of causeKey (winerror.h).
var (
	windowsDiskFull    = []uintptr{39, 112}             // ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
	windowsReadOnly    = []uintptr{19}                  // ERROR_WRITE_PROTECT
	windowsInUse       = []uintptr{32, 33}              // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION: open in another program
	windowsRefused     = []uintptr{10061}               // WSAECONNREFUSED
	windowsReset       = []uintptr{10053, 10054}        // WSAECONNABORTED, WSAECONNRESET
	windowsUnreachable = []uintptr{10050, 10051, 10065} // WSAENETDOWN, WSAENETUNREACH, WSAEHOSTUNREACH
	windowsTimeout     = []uintptr{10060}               // WSAETIMEDOUT
)
