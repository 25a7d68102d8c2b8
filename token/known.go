package token

import (
	"strings"
)

// The known install locations of PKCS#11 middleware, per OS and processor.
// Each entry notes its source: "vendor doc" (the vendor's or project's own
// documentation), "public code" (third-party open-source signing tools'
// module lists, found with the search tool), "this machine" (checked here),
// or "unconfirmed" (named in issue #15 or inferred from a vendor's layout;
// kept because a missing file costs one stat). docs/token.md
// has the same table for people.
//
// Windows paths are built from %SystemRoot%, %ProgramFiles% and
// %ProgramFiles(x86)% — never a hard-coded C:\ —; SysWOW64 and Program Files
// (x86) hold the 32-bit copies: listed so that a machine with only the
// 32-bit driver hears "install the 64-bit version" rather than "nothing
// found".

type known struct {
	name   string
	vendor bool
	path   string // with {SYS} {WOW64} {PF} {PF86} {LIBARCH} placeholders
	source string // public source, or "unconfirmed: …"
}

var knownWindows = []known{
	// SafeNet Authentication Client (Thales): eToken and IDPrime.
	{"SafeNet Authentication Client (eToken)", true, `{SYS}\eTPKCS11.dll`, "public code: a Qt signing client's and a Python native-messaging signer's module lists (the vendor's guide was not checked)"},
	{"SafeNet Authentication Client (IDPrime)", true, `{SYS}\IDPrimePKCS11.dll`, "public code: a Qt signing client's and a Zig signing server's module lists"},
	{"SafeNet Authentication Client (IDPrime)", true, `{PF}\SafeNet\Authentication\SAC\x64\IDPrimePKCS1164.dll`, "public code: a Go signing tool's tests, a Qt signing client's module list"},
	{"SafeNet Authentication Client (eToken, 32-bit)", true, `{WOW64}\eTPKCS11.dll`, "unconfirmed: the 32-bit copy a 32-bit installer puts in SysWOW64"},
	{"SafeNet Authentication Client (IDPrime, 32-bit)", true, `{WOW64}\IDPrimePKCS11.dll`, "unconfirmed: the 32-bit copy a 32-bit installer puts in SysWOW64"},
	// Thales / Gemalto IDGo 800 and Classic Client.
	{"Gemalto IDGo 800", true, `{PF}\Gemalto\IDGo 800 PKCS#11\IDPrimePKCS1164.dll`, "unconfirmed: Gemalto IDGo 800 installer layout as reported by users"},
	{"Gemalto IDGo 800 (32-bit)", true, `{PF86}\Gemalto\IDGo 800 PKCS#11\IDPrimePKCS11.dll`, "unconfirmed: 32-bit counterpart of the above"},
	{"Thales/Gemalto Classic Client", true, `{PF}\Gemalto\Classic Client\BIN\gclib.dll`, "unconfirmed: Classic Client's PKCS#11 library gclib.dll (public smart card lists name it under GemSafe Libraries\\BIN)"},
	// IDEMIA (Oberthur) AWP.
	{"IDEMIA AWP", true, `{SYS}\OcsCryptoki.dll`, "unconfirmed: issue #15 and the project's notes name OcsCryptoki.dll"},
	{"IDEMIA AWP (wrapper)", true, `{SYS}\OcsPKCS11Wrapper.dll`, "public code: a Zig signing server's and a Qt signing client's module lists"},
	// Athena / IDProtect (NXP).
	{"Athena IDProtect", true, `{SYS}\asepkcs.dll`, "public code: alapierre/crypto-util digital-signature/readme.md (System32\\asepkcs.dll)"},
	// A.E.T. SafeSign Identity Client.
	{"SafeSign Identity Client", true, `{SYS}\aetpkss1.dll`, "public code: a Go signing tool's tests (System32\\aetpkss1.dll)"},
	// Bit4id.
	{"Bit4id", true, `{SYS}\bit4ipki.dll`, "public code: a Qt signing client's default module list"},
	// Feitian ePass2003 (EnterSafe).
	{"Feitian ePass2003", true, `{SYS}\eps2003csp11.dll`, "public code: e-invoicing tools for ePass2003 tokens (System32\\eps2003csp11.dll)"},
	// Generic.
	{"Yubico YKCS11", false, `{PF}\Yubico\Yubico PIV Tool\bin\libykcs11.dll`, "vendor doc: docs.yubico.com, PIV YKCS11 Module (folder Yubico PIV Tool\\bin, libykcs11.dll; its place under Program Files inferred)"},
	{"OpenSC", false, `{PF}\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`, "vendor doc: OpenSC wiki, Installing OpenSC PKCS#11 Module in Firefox"},
	{"OpenSC (32-bit)", false, `{PF86}\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`, "vendor doc: OpenSC wiki, same page (Windows 64 bit with 32-bit Firefox)"},
}

var knownDarwin = []known{
	{"SafeNet Authentication Client (eToken)", true, "/Library/Frameworks/eToken.framework/Versions/A/libeToken.dylib", "public code: a Java and a Python locator (Versions/Current/libeToken.dylib); issue #15"},
	{"SafeNet Authentication Client (IDPrime)", true, "/Library/Frameworks/eToken.framework/Versions/A/libIDPrimePKCS11.dylib", "public code: a Qt signing client's and a Zig signing server's module lists"},
	{"SafeNet Authentication Client (eToken)", true, "/usr/local/lib/libeTPkcs11.dylib", "public code: a Java and a Python locator"},
	{"SafeNet Authentication Client (IDPrime)", true, "/usr/local/lib/libIDPrimePKCS11.dylib", "public code: a Java locator, a Slovak signing app's driver list (Gemalto IDPrime 940)"},
	{"IDEMIA AWP", true, "/Library/AWP/lib/libOcsCryptoki.dylib", "public code: a Qt signing client's default module list"},
	{"IDEMIA AWP (wrapper)", true, "/Library/AWP/lib/libOcsPKCS11Wrapper.dylib", "public code: a Zig signing server's module list"},
	{"Athena IDProtect", true, "/usr/local/lib/libASEP11.dylib", "unconfirmed: Athena's library name libASEP11 (issue #15) in /usr/local/lib"},
	{"SafeSign Identity Client", true, "/usr/local/lib/libaetpkss.dylib", "unconfirmed: SafeSign's library name under /usr/local/lib"},
	{"SafeSign Identity Client", true, "/Applications/tokenadmin.app/Contents/Frameworks/libaetpkss.dylib", "public code: a Go signing tool's tests"},
	{"Bit4id", true, "/Library/bit4id/pkcs11/libbit4ipki.dylib", "public code: a Qt signing client's default module list"},
	{"Bit4id", true, "/usr/local/lib/libbit4xpki.dylib", "public code: a Python signing tool's module list"},
	{"Feitian ePass2003", true, "/usr/local/lib/libcastle.1.0.0.dylib", "public code: a Python signing tool's module list"},
	{"Yubico YKCS11", false, "/usr/local/lib/libykcs11.dylib", "unconfirmed: Yubico PIV Tool macOS installer prefix /usr/local"},
	{"Yubico YKCS11", false, "/opt/homebrew/lib/libykcs11.dylib", "unconfirmed: Homebrew (Apple silicon prefix) yubico-piv-tool"},
	{"OpenSC", false, "/Library/OpenSC/lib/opensc-pkcs11.so", "vendor doc: OpenSC wiki, macOS Quick Start"},
	{"OpenSC", false, "/usr/local/lib/opensc-pkcs11.so", "vendor doc: vendor doc: OpenSC wiki, macOS Quick Start (copies in /usr/local/lib)"},
	{"OpenSC (Homebrew)", false, "/opt/homebrew/lib/pkcs11/opensc-pkcs11.so", "unconfirmed: OpenSC wiki gives Cellar/opensc/VERSION/lib/pkcs11/ for brew; the link under /opt/homebrew is inferred"},
	{"OpenSC (Homebrew)", false, "/usr/local/lib/pkcs11/opensc-pkcs11.so", "unconfirmed: same, Intel Homebrew prefix"},
	{"OpenSC (MacPorts)", false, "/opt/local/lib/opensc-pkcs11.so", "unconfirmed: MacPorts prefix /opt/local"},
}

var knownLinux = []known{
	{"SafeNet Authentication Client (eToken)", true, "/usr/lib/libeTPkcs11.so", "public code: a Python native-messaging signer's module list"},
	{"SafeNet Authentication Client (eToken)", true, "/usr/lib/libeToken.so", "public code: a Go signing tool's tests; issue #15"},
	{"SafeNet Authentication Client (IDPrime)", true, "/usr/lib/libIDPrimePKCS11.so", "public code: a Qt signing client's default module list; issue #15"},
	{"SafeNet Authentication Client (IDPrime)", true, "/usr/lib/pkcs11/libIDPrimePKCS11.so", "unconfirmed: SAC's pkcs11 subdirectory"},
	{"SafeNet Authentication Client (eToken)", true, "/usr/lib/pkcs11/libeTPkcs11.so", "public code: a Qt signing client's default module list"},
	{"SafeNet Authentication Client (eToken)", true, "/usr/lib64/pkcs11/libeTPkcs11.so", "public code: a Qt signing client's default module list (RPM systems)"},
	{"SafeNet Authentication Client (IDPrime)", true, "/usr/lib64/libIDPrimePKCS11.so", "public code: a Qt signing client's default module list (RPM systems)"},
	{"Thales/Gemalto Classic Client", true, "/usr/lib/pkcs11/libgclib.so", "public code: a Python native-messaging signer's module list"},
	{"IDEMIA AWP", true, "/usr/local/AWP/lib/libOcsCryptoki.so", "unconfirmed: AWP's /usr/local/AWP prefix"},
	{"IDEMIA AWP", true, "/usr/lib/libOcsCryptoki.so", "unconfirmed: issue #15 names libOcsCryptoki.so"},
	{"Athena IDProtect", true, "/usr/lib/libASEP11.so", "unconfirmed: issue #15 names libASEP11.so"},
	{"Athena IDProtect", true, "/usr/local/lib/libASEP11.so", "unconfirmed: same library under /usr/local"},
	{"SafeSign Identity Client", true, "/usr/lib/libaetpkss.so", "public code: a Go signing tool's tests"},
	{"SafeSign Identity Client", true, "/usr/local/lib/libaetpkss.so", "unconfirmed: same library under /usr/local"},
	{"Bit4id", true, "/usr/lib/libbit4ipki.so", "public code: a Qt signing client's default module list"},
	{"Bit4id", true, "/usr/lib64/libbit4ipki.so", "public code: a Qt signing client's default module list (RPM systems)"},
	{"Feitian ePass2003", true, "/usr/lib/libcastle.so.1.0.0", "unconfirmed: public Python signing tool looks for /usr/lib/libcastle*.so*"},
	{"Yubico YKCS11", false, "/usr/lib/{LIBARCH}/libykcs11.so", "unconfirmed: Debian/Ubuntu package ykcs11 installs in the multiarch directory (file name not checked)"},
	{"Yubico YKCS11", false, "/usr/local/lib/libykcs11.so", "vendor doc: docs.yubico.com, PIV YKCS11 Module (default install location)"},
	{"OpenSC", false, "/usr/lib/{LIBARCH}/opensc-pkcs11.so", "this machine: Debian bookworm package opensc-pkcs11"},
	{"OpenSC", false, "/usr/lib/{LIBARCH}/pkcs11/opensc-pkcs11.so", "this machine: Debian bookworm package opensc-pkcs11"},
	{"OpenSC", false, "/usr/lib64/opensc-pkcs11.so", "public code: a Qt signing client's list; public guides (ssh -o PKCS11Provider=/usr/lib64/opensc-pkcs11.so)"},
	{"OpenSC", false, "/usr/lib64/pkcs11/opensc-pkcs11.so", "unconfirmed: Fedora/RHEL p11-kit module directory"},
	{"OpenSC", false, "/usr/lib/opensc-pkcs11.so", "vendor doc: vendor doc: OpenSC wiki, Installing OpenSC PKCS#11 Module in Firefox (Linux: /usr/lib/)"},
	{"OpenSC", false, "/usr/local/lib/opensc-pkcs11.so", "unconfirmed: OpenSC built from source (default prefix /usr/local)"},
}

var debianArch = map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu", "386": "i386-linux-gnu", "arm": "arm-linux-gnueabihf"}

// knownFor expands the table for goos/goarch; getenv reads the Windows
// folders (tests pass their own).
func knownFor(goos, goarch string, getenv func(string) string) []KnownModule {
	var table []known
	switch goos {
	case "windows":
		table = knownWindows
	case "darwin":
		table = knownDarwin
	default:
		table = knownLinux
	}
	var out []KnownModule
	for _, k := range table {
		if p, ok := expand(k.path, goarch, getenv); ok {
			out = append(out, KnownModule{Path: p, Source: "known", Vendor: k.vendor, Name: k.name})
		}
	}
	return out
}

func expand(p, goarch string, getenv func(string) string) (string, bool) {
	for ph, val := range map[string]func() string{
		"{SYS}":     func() string { return join(getenv("SystemRoot"), "System32") },
		"{WOW64}":   func() string { return join(getenv("SystemRoot"), "SysWOW64") },
		"{PF}":      func() string { return getenv("ProgramFiles") },
		"{PF86}":    func() string { return getenv("ProgramFiles(x86)") },
		"{LIBARCH}": func() string { return debianArch[goarch] },
	} {
		if strings.Contains(p, ph) {
			v := val()
			if v == "" {
				return "", false // that folder does not exist on this system (or its variable is unset)
			}
			p = strings.ReplaceAll(p, ph, v)
		}
	}
	return p, true
}

func join(dir, name string) string {
	if dir == "" {
		return ""
	}
	return strings.TrimRight(dir, `\`) + `\` + name
}
