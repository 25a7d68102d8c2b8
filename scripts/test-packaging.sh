#!/usr/bin/env bash
# Packaging test, called by scripts/test.sh. Builds the installers with
# scripts/package.sh (into build/test-packaging/dist, signed with a throwaway
# certificate) and checks them:
#   Signing: exe, MSI and SHA256SUMS are signed through PKCS#11 with a key on a
#            SoftHSM2 token (scripts/lib/signing-token.sh: the release's hardware
#            token stand-in) and timestamped by a local RFC 3161 server
#   Windows: PE32+ GUI exe with icon, version info and manifest; exe and MSI
#            Authenticode signatures and timestamps verify (and a tampered copy
#            does not); MSI tables (shortcuts, upgrade code, MajorUpgrade rows,
#            product version, per-machine 64-bit install under Program Files,
#            French, Windows 10 launch condition, "Ouvrir avec" and "Signer avec
#            Certigna Desktop" for .pdf without taking the default)
#   macOS:   a bundle made by fyne package from a stand-in binary, its
#            Info.plist completed by packaging/macos/infoplist.py, read by plistlib
#   Wine:    scripts/wine-smoke.sh: --version, window + screenshot, MSI install,
#            upgrades by a same-version rebuild and a newer MSI, downgrade refused, uninstall
#   Linux:   tarball layout; dpkg-deb --info / --contents; lintian without errors;
#            apt-get install of the .deb, the installed binary prints its version,
#            gio / xdg-mime list it for PDFs while the default PDF app stays, removal
#   SHA256SUMS covers every artefact.
# Prints PASS/FAIL/SKIP lines; exits 1 on any FAIL. A part is skipped only when
# its tools are missing and cannot be installed; under CI=true that is a FAIL.
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
T=$ROOT/build/test-packaging
DIST=$T/dist
mkdir -p "$T"
T0=$(date +%s)

FAILS=0 SKIPS=0
pass() { printf 'PASS packaging: %s\n' "$*"; }
fail() { printf 'FAIL packaging: %s\n' "$*"; FAILS=$((FAILS + 1)); }
skip() {
	if [[ ${CI:-} == true ]]; then
		fail "$* (a skip is a failure under CI=true)"
	else
		printf 'SKIP packaging: %s\n' "$*"
		SKIPS=$((SKIPS + 1))
	fi
}
# check DESCRIPTION CMD...: PASS if CMD succeeds.
check() {
	local what=$1; shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

meta() {
	awk -v key="$1" '/^\[/ { d = ($0 == "[Details]"); next }
		d { k = $0; sub(/[ \t]*=.*/, "", k); if (k == key) { v = $0; sub(/^[^=]*=[ \t]*/, "", v); gsub(/"/, "", v); print v; exit } }' FyneApp.toml
}
NAME=$(meta Name) APP_ID=$(meta ID) VERSION=$(meta Version) BUILD=$(meta Build)
EXPECTED="$NAME $VERSION (build $BUILD)"
UPGRADE_CODE=$(sed -nE 's/.*UpgradeCode="([0-9A-Fa-f-]+)".*/{\1}/p' packaging/windows/certigna-desktop.wxs | head -1)

# have PART TOOL:PACKAGE...: true when every tool is there, installing the
# missing ones from Debian when we can (root + apt-get).
have() {
	local part=$1 tp missing=() pkgs=()
	shift
	for tp in "$@"; do
		command -v "${tp%%:*}" >/dev/null || { missing+=("${tp%%:*}"); pkgs+=("${tp#*:}"); }
	done
	((${#missing[@]} == 0)) && return 0
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		echo "test-packaging: installing ${pkgs[*]} for the $part part"
		flock /tmp/apt.lock apt-get install -y --no-install-recommends "${pkgs[@]}" >"$T/apt-$part.log" 2>&1
		missing=()
		for tp in "$@"; do command -v "${tp%%:*}" >/dev/null || missing+=("${tp%%:*}"); done
		((${#missing[@]} == 0)) && return 0
	fi
	skip "$part: missing ${missing[*]} and cannot install it (see scripts/packages/package.txt)"
	return 1
}

WIN=0 LIN=0 WINE=0
have windows x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64 x86_64-w64-mingw32-windres:binutils-mingw-w64-x86-64 \
	wixl:wixl msiinfo:msitools msibuild:msitools osslsigncode:osslsigncode openssl:openssl python3:python3 && WIN=1
((WIN)) && have wine wine:wine Xvfb:xvfb xdotool:xdotool import:imagemagick convert:imagemagick && WINE=1
have linux dpkg-deb:dpkg fakeroot:fakeroot xz:xz-utils dpkg-shlibdeps:dpkg-dev && LIN=1
SIGNTOK=0
have signing softhsm2-util:softhsm2 pkcs11-tool:opensc openssl:openssl python3:python3 && SIGNTOK=1
ENGINE=/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so
if ((SIGNTOK)) && [[ ! -f $ENGINE ]]; then
	[[ $(id -u) == 0 ]] && flock /tmp/apt.lock apt-get install -y --no-install-recommends libengine-pkcs11-openssl >"$T/apt-engine.log" 2>&1
	[[ -f $ENGINE ]] || { skip "signing: OpenSSL's pkcs11 engine is missing (libengine-pkcs11-openssl)"; SIGNTOK=0; }
fi

targets=()
((WIN)) && targets+=(windows)
((LIN)) && targets+=(linux)
if ((${#targets[@]} == 0)); then
	fail "nothing to build"
	exit 1
fi

# ------------------------------------------------------------------- icon --
if go run ./tools/icongen -png "$T/icon.png" -dir "$T/icons" && cmp -s assets/icon.png "$T/icon.png"; then
	pass "assets/icon.png is what tools/icongen draws"
else
	fail "assets/icon.png differs from tools/icongen's output (run: go run ./tools/icongen -png assets/icon.png)"
fi
check "icon .ico holds 16, 24, 32, 48, 64, 128 and 256 px images" \
	bash -c 'file -b "$1" | grep -q "7 icons, 16x16" && [[ $(LC_ALL=C grep -oa "IHDR" "$1" | wc -l) == 7 ]]' _ "$T/icons/certigna-desktop.ico"

# ------------------------------------------------------------------ build --
# The release signs with a key on a hardware token through PKCS#11, with a timestamp: so does this test, with a
# SoftHSM2 token and a local time-stamping server (without them: package.sh's throwaway certificate).
CERT=$ROOT/build/packaging/sign/test-cert.pem SIGNER="Certigna Desktop TEST signing"
REQUIRE=
if ((SIGNTOK)); then
	# shellcheck source=lib/signing-token.sh
	source scripts/lib/signing-token.sh
	trap signing_token_stop EXIT
	if signing_token_setup "$T/signing-token" >"$T/signing-token.log" 2>&1; then
		CERT=$SIGNING_TOKEN_CA SIGNER="Certigna Desktop TEST publisher (SoftHSM2)" REQUIRE=1
		pass "code-signing key made on a SoftHSM2 token, certificate issued, local TSA at $CERTIGNA_SIGN_TIMESTAMP_URL"
	else
		fail "could not set up the signing token (build/test-packaging/signing-token.log)"
		SIGNTOK=0
	fi
fi
toml_before=$(sha256sum FyneApp.toml)
t=$(date +%s)
if CERTIGNA_DIST=$DIST CERTIGNA_XZ_LEVEL=1 CERTIGNA_REQUIRE_RELEASE_SIGNING=$REQUIRE scripts/package.sh "${targets[@]}" >"$T/package.log" 2>&1; then
	pass "scripts/package.sh ${targets[*]} in $(($(date +%s) - t)) s (log: build/test-packaging/package.log)"
else
	fail "scripts/package.sh ${targets[*]} failed: $(tail -5 "$T/package.log" | tr '\n' ' ')"
	exit 1
fi
check "FyneApp.toml left untouched by fyne package" test "$(sha256sum FyneApp.toml)" = "$toml_before"
TIMINGS=$(grep -E '^==> .*: [0-9]+ s$' "$T/package.log" | sed 's/^==> /  /')

EXE=$DIST/certigna-desktop-$VERSION-windows-amd64.exe
MSI=$DIST/certigna-desktop-$VERSION-windows-amd64.msi
TAR=$DIST/certigna-desktop-$VERSION-linux-amd64.tar.xz
DEB=$DIST/certigna-desktop_$VERSION-${BUILD}_amd64.deb

# ---------------------------------------------------------------- windows --
# pe_resources FILE: the resource types in a PE file (3 icon, 14 icon group, 16 version, 24 manifest).
pe_resources() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
pe = struct.unpack_from("<I", d, 0x3c)[0]
nsec, optsize = struct.unpack_from("<H", d, pe + 6)[0], struct.unpack_from("<H", d, pe + 20)[0]
opt = pe + 24
rva = struct.unpack_from("<I", d, opt + 112 + 2 * 8)[0]  # data directory 2: resources (PE32+)
for i in range(nsec):
    s = opt + optsize + 40 * i
    vaddr, raw = struct.unpack_from("<I", d, s + 12)[0], struct.unpack_from("<I", d, s + 20)[0]
    vsize = struct.unpack_from("<I", d, s + 8)[0]
    if vaddr <= rva < vaddr + vsize:
        base = raw + rva - vaddr
        named, ids = struct.unpack_from("<HH", d, base + 12)
        print(" ".join(str(struct.unpack_from("<I", d, base + 16 + 8 * (named + j))[0]) for j in range(ids)))
EOF
}

verify_ok() { osslsigncode verify -CAfile "$CERT" -TSA-CAfile "$CERT" -in "$1" 2>&1 | grep -q "^Signature verification: ok"; }
signer_is_test_cert() { osslsigncode verify -CAfile "$CERT" -TSA-CAfile "$CERT" -in "$1" 2>&1 | grep -qF "$SIGNER"; }
both_signed_by_test_cert() { signer_is_test_cert "$EXE" && signer_is_test_cert "$MSI"; }
timestamped() { # an RFC 3161 timestamp from the local TSA, and it verifies
	local out
	out=$(osslsigncode verify -CAfile "$CERT" -TSA-CAfile "$CERT" -in "$1" 2>&1)
	grep -q "Timestamp Server Signature verification: ok" <<<"$out" && grep -q "Certigna Desktop TEST TSA" <<<"$out"
}
# msi_signed_offset MSI: the file offset of the middle byte of the MSI's
# largest stream other than its signature. A byte flipped at half the file can
# land in a free or padding sector, which no MSI signature covers; a byte inside
# a stream's data always is covered. Parses the compound file (MS-CFB): header,
# FAT (with DIFAT), directory; streams below the mini-stream cutoff are skipped.
msi_signed_offset() {
	python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:8] == bytes.fromhex("d0cf11e0a1b11ae1"), "not a compound file"
ss = 1 << struct.unpack_from("<H", d, 0x1E)[0]
sec = lambda n: (n + 1) * ss
nfat, dir0, cutoff, difat0, ndifat = (struct.unpack_from("<I", d, o)[0] for o in (0x2C, 0x30, 0x38, 0x44, 0x48))
fatsecs = [x for x in struct.unpack_from("<109I", d, 0x4C)]
n = difat0
for _ in range(ndifat):
    ents = struct.unpack_from("<%dI" % (ss // 4), d, sec(n))
    fatsecs += ents[:-1]
    n = ents[-1]
fat = []
for s in fatsecs[:nfat]:
    fat += struct.unpack_from("<%dI" % (ss // 4), d, sec(s))
def chain(n):
    while n < 0xFFFFFFFA:
        yield n
        n = fat[n]
dirdata = b"".join(d[sec(n):sec(n) + ss] for n in chain(dir0))
best = None
for i in range(0, len(dirdata), 128):
    e = dirdata[i:i + 128]
    nlen, typ = struct.unpack_from("<HB", e, 0x40)
    name = e[:max(nlen - 2, 0)].decode("utf-16-le", "replace")
    start, size = struct.unpack_from("<IQ", e, 0x74)
    if ss == 512:
        size &= 0xFFFFFFFF
    if typ == 2 and size >= cutoff and "DigitalSignature" not in name and (best is None or size > best[1]):
        best = (start, size)
assert best, "no stream in regular sectors"
start, size = best
pos = size // 2
secs = list(chain(start))
print(sec(secs[pos // ss]) + pos % ss)
EOF
}
tampered_fails() { # flip one byte of a copy: the signature must no longer verify
	local c=$T/tampered.$2 size off b
	cp "$1" "$c"
	size=$(stat -c %s "$c")
	off=$((size / 2))
	# An MSI: a byte inside a signed stream (see msi_signed_offset).
	if [[ $2 == msi ]]; then off=$(msi_signed_offset "$c") || return 1; fi
	# Flip the byte (xor 0xff), so it changes whatever it was.
	b=$(od -An -tu1 -j "$off" -N1 "$c" | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 255)))" | dd of="$c" bs=1 seek="$off" conv=notrunc status=none
	cmp -s "$1" "$c" && { echo "tamper: nothing changed at $off" >&2; return 1; }
	! verify_ok "$c"
}
msi_prop() { msiinfo export "$MSI" Property | tr -d '\r' | awk -F'\t' -v k="$1" '$1 == k { print $2 }'; }
msi_table() { msiinfo export "$MSI" "$1" | tr -d '\r'; }

if ((WIN)); then
	check "exe is a PE32+ GUI x86-64 binary" grep -q "PE32+ executable (GUI) x86-64" <<<"$(file -b "$EXE")"
	res=$(pe_resources "$EXE")
	check "exe resources: icon, icon group, version info, manifest (types: $res)" \
		bash -c '[[ " $1 " == *" 3 "* && " $1 " == *" 14 "* && " $1 " == *" 16 "* && " $1 " == *" 24 "* ]]' _ "$res"
	check "exe version info says '$NAME' / '$VERSION (build $BUILD)'" \
		bash -c 'strings -el "$1" | grep -qx "$2" && strings -el "$1" | grep -qxF "$3"' _ "$EXE" "$NAME" "$VERSION (build $BUILD)"
	check "exe manifest: asInvoker, per-monitor DPI" \
		bash -c 'grep -qa "requestedExecutionLevel level=\"asInvoker\"" "$1" && grep -qa PerMonitorV2 "$1"' _ "$EXE"
	check "exe Authenticode signature verifies (osslsigncode verify)" verify_ok "$EXE"
	check "MSI Authenticode signature verifies (osslsigncode verify)" verify_ok "$MSI"
	check "exe and MSI are signed by '$SIGNER'" both_signed_by_test_cert
	if ((SIGNTOK)); then
		check "exe signature carries a verified RFC 3161 timestamp" timestamped "$EXE"
		check "MSI signature carries a verified RFC 3161 timestamp" timestamped "$MSI"
	fi
	check "a tampered exe fails verification" tampered_fails "$EXE" exe
	check "a tampered MSI fails verification" tampered_fails "$MSI" msi

	check "MSI ProductVersion = $VERSION.$BUILD" test "$(msi_prop ProductVersion)" = "$VERSION.$BUILD"
	check "MSI UpgradeCode = $UPGRADE_CODE (fixed in the .wxs)" test "$(msi_prop UpgradeCode)" = "$UPGRADE_CODE"
	check "MSI ProductName / Manufacturer" test "$(msi_prop ProductName)/$(msi_prop Manufacturer)" = "$NAME/Certigna"
	check "MSI is per-machine (ALLUSERS=1) and x64" \
		bash -c '[[ $1 == 1 ]] && msiinfo suminfo "$2" | grep -q "Template: x64"' _ "$(msi_prop ALLUSERS)" "$MSI"
	check "MSI Add/Remove Programs entry has our icon and URL" \
		test "$(msi_prop ARPPRODUCTICON) $(msi_prop ARPURLINFOABOUT)" = "CertignaIcon.ico https://www.certigna.com"
	check "MSI Shortcut table: 'Certigna Desktop' in ProgramMenuFolder → [INSTALLDIR]certigna-desktop.exe" \
		bash -c 'awk -F"\t" "\$2==\"ProgramMenuFolder\" && \$3==\"Certigna Desktop\" && \$5==\"[INSTALLDIR]certigna-desktop.exe\" {f=1} END {exit !f}" <<<"$1"' _ "$(msi_table Shortcut)"
	check "MSI Directory: INSTALLDIR 'Certigna Desktop' under ProgramFiles64Folder" \
		grep -qP '^INSTALLDIR\tProgramFiles64Folder\tCertigna Desktop$' <<<"$(msi_table Directory)"
	check "MSI Upgrade table: older and same versions are replaced, newer ones refused" \
		bash -c 'grep -qP "^\Q$1\E\t\t\Q$2\E\t\t513\t\tWIX_UPGRADE_DETECTED$" <<<"$3" && grep -qP "^\Q$1\E\t\Q$2\E\t\t\t2\t\tWIX_DOWNGRADE_DETECTED$" <<<"$3"' \
		_ "$UPGRADE_CODE" "$VERSION.$BUILD" "$(msi_table Upgrade)"
	check "MSI LaunchCondition refuses a downgrade" \
		grep -q "^NOT WIX_DOWNGRADE_DETECTED"$'\t' <<<"$(msi_table LaunchCondition)"
	check "MSI runs RemoveExistingProducts (major upgrade)" grep -q "^RemoveExistingProducts" <<<"$(msi_table InstallExecuteSequence)"
	check "MSI installs certigna-desktop.exe as a 64-bit component" \
		bash -c 'grep -q "certigna-desktop.exe" <<<"$1" && awk -F"\t" "\$1==\"MainExecutable\" && int(\$4/256)%2==1 {f=1} END {exit !f}" <<<"$2"' \
		_ "$(msi_table File)" "$(msi_table Component)"

	check "MSI is French (ProductLanguage 1036)" test "$(msi_prop ProductLanguage)" = 1036
	check "MSI LaunchCondition: Windows 10 or later (build number read from the registry)" bash -c '
		grep -qF "Installed OR (VersionNT >= 603 AND WINDOWSBUILD >= 10240)	Certigna Desktop nécessite Windows 10" <<<"$1" &&
		grep -qP "^WINDOWSBUILD\tWindowsBuildSearch$" <<<"$2" &&
		grep -qF "WindowsBuildSearch	2	SOFTWARE\Microsoft\Windows NT\CurrentVersion	CurrentBuildNumber	" <<<"$3"' \
		_ "$(msi_table LaunchCondition)" "$(msi_table AppSearch)" "$(msi_table RegLocator)"
	check "MSI desktop shortcut, left out with DESKTOPSHORTCUT=0 (default 1)" bash -c '
		awk -F"\t" "\$2==\"DesktopFolder\" && \$3==\"Certigna Desktop\" {f=1} END {exit !f}" <<<"$1" &&
		grep -qF "	DESKTOPSHORTCUT = \"1\"	" <<<"$2" && [[ $3 == 1 ]]' \
		_ "$(msi_table Shortcut)" "$(msi_table Component)" "$(msi_prop DESKTOPSHORTCUT)"
	reg=$(msi_table Registry)
	check "MSI verb 'Signer avec Certigna Desktop' on every .pdf (SystemFileAssociations), several files at once" bash -c '
		grep -qF "	Software\Classes\SystemFileAssociations\.pdf\shell\CertignaDesktop.Sign		Signer avec Certigna Desktop	" <<<"$1" &&
		grep -qF "	Software\Classes\SystemFileAssociations\.pdf\shell\CertignaDesktop.Sign\command		\"[INSTALLDIR]certigna-desktop.exe\" \"%1\"	" <<<"$1" &&
		grep -qF "	Software\Classes\SystemFileAssociations\.pdf\shell\CertignaDesktop.Sign	MultiSelectModel	Player	" <<<"$1"' _ "$reg"
	check "MSI 'Ouvrir avec': .pdf OpenWithProgids and Applications\\certigna-desktop.exe SupportedTypes" bash -c '
		grep -qF "	Software\Classes\.pdf\OpenWithProgids	CertignaDesktop.PDF	" <<<"$1" &&
		grep -qF "	Software\Classes\Applications\certigna-desktop.exe\SupportedTypes	.pdf	" <<<"$1"' _ "$reg"
	check "MSI does not take the default PDF app (no .pdf default value, no UserChoice)" bash -c '
		! grep -qF "	Software\Classes\.pdf		" <<<"$1" && ! grep -qi "UserChoice" <<<"$1"' _ "$reg"
fi

# ------------------------------------------------------------------ macOS --
# The bundle's Info.plist, as the macOS job makes it: fyne package (pure Go) around a stand-in binary (a darwin
# binary cannot be built here), completed by packaging/macos/infoplist.py, read back with plistlib.
plist_check() {
	local mb=$T/macos app
	rm -rf "$mb" && mkdir -p "$mb/app"
	printf '#!/bin/sh\n' >"$mb/stand-in" && chmod +x "$mb/stand-in"
	(
		# shellcheck source=package.sh
		source scripts/package.sh
		fyne=$(fyne_tool) && fyne_src "$mb/src" &&
			cd "$mb/app" && "$fyne" package --target darwin --src "$mb/src" --executable "$mb/stand-in" \
			--name "$NAME" --app-id "$APP_ID" --app-version "$VERSION" --app-build "$BUILD" --release
	) >"$T/macos.log" 2>&1 || return 1
	app="$mb/app/$NAME.app"
	python3 packaging/macos/infoplist.py "$app/Contents/Info.plist" &&
		python3 - "$app/Contents/Info.plist" <<'PYEOF'
import plistlib, sys
p = plistlib.load(open(sys.argv[1], "rb"))
dt = p["CFBundleDocumentTypes"]
assert len(dt) == 1 and dt[0]["LSItemContentTypes"] == ["com.adobe.pdf"], dt
assert dt[0]["CFBundleTypeRole"] == "Viewer" and dt[0]["LSHandlerRank"] == "Alternate", dt  # never Owner/Default
sv = p["NSServices"]
assert sv[0]["NSMenuItem"]["default"] == "Signer avec Certigna" and sv[0]["NSSendFileTypes"] == ["com.adobe.pdf"], sv
assert sv[0]["NSMessage"] == "signPDF", sv  # answered by cmd/certigna-desktop/openfile_darwin.go
assert p["LSApplicationCategoryType"] == "public.app-category.productivity", p
assert p["LSMinimumSystemVersion"] == "12.0", p["LSMinimumSystemVersion"]
assert p["CFBundleIdentifier"] == "fr.certigna.desktop", p["CFBundleIdentifier"]
PYEOF
}
check "macOS Info.plist (plistlib): PDF type as Viewer/Alternate, 'Signer avec Certigna' service, category, minimum 12.0" plist_check
entitled() {
	python3 - "$1" <<'PYEOF'
import plistlib, sys
e = plistlib.load(open(sys.argv[1], "rb"))
keys = ("disable-library-validation", "allow-jit", "allow-unsigned-executable-memory")
sys.exit(0 if all(e.get("com.apple.security.cs." + k) is True for k in keys) else 1)
PYEOF
}
check "macOS entitlements: hardened-runtime exceptions for the PKCS#11 library and wazero's compiler" entitled packaging/macos/entitlements.plist

# ------------------------------------------------------------------- wine --
if ((WINE)); then
	# Two later MSIs of the same signed exe, built by package.sh's own build_msi: a rebuild (same X.Y.Z, build
	# + 1: must still replace the installed one) and a newer version (patch + 1).
	IFS=. read -r ma mi pa <<<"$VERSION"
	REBUILD=$T/certigna-desktop-rebuild.msi NEWER=$T/certigna-desktop-newer.msi
	if (
		source scripts/package.sh
		if ((!SIGNTOK)); then
			SIGN_MODE=p12 SIGN_P12=$ROOT/build/packaging/sign/test.p12 SIGN_PASSFILE=$ROOT/build/packaging/sign/password SIGN_CAFILE=$CERT
		fi
		build_msi "$VERSION.$((BUILD + 1))" "$REBUILD" && build_msi "$ma.$mi.$((pa + 1)).$BUILD" "$NEWER"
	) >"$T/msi-variants.log" 2>&1; then
		up=(--upgrade-to "$REBUILD" --upgrade-to "$NEWER")
	else
		fail "could not build the MSIs for the upgrade check (build/test-packaging/msi-variants.log)"
		up=()
	fi
	t=$(date +%s)
	scripts/wine-smoke.sh "${up[@]}" "$EXE" "$MSI" 2>&1 | tee "$T/wine-smoke.log" | grep -E '^(PASS|FAIL|SKIP)'
	if ((PIPESTATUS[0] == 0)); then
		pass "wine smoke test in $(($(date +%s) - t)) s (screenshots in build/wine-smoke/)"
	else
		fail "wine smoke test (log: build/test-packaging/wine-smoke.log)"
	fi
fi

# ------------------------------------------------------------------ linux --
if ((LIN)); then
	x=$T/tar && rm -rf "$x" && mkdir -p "$x" && tar -xJf "$TAR" -C "$x"
	check "tarball: bin, .desktop, icon, Makefile (fyne package layout)" \
		test -x "$x/certigna-desktop/usr/local/bin/certigna-desktop" \
		-a -f "$x/certigna-desktop/usr/local/share/applications/$APP_ID.desktop" \
		-a -f "$x/certigna-desktop/usr/local/share/pixmaps/$APP_ID.png" -a -f "$x/certigna-desktop/Makefile"
	check "tarball binary prints '$EXPECTED'" test "$("$x/certigna-desktop/usr/local/bin/certigna-desktop" --version)" = "$EXPECTED"

	info=$(dpkg-deb --info "$DEB")
	field() { awk -v f="$1:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' <<<"$info"; }
	check "dpkg-deb --info: certigna-desktop $VERSION-$BUILD amd64" \
		test "$(field Package) $(field Version) $(field Architecture)" = "certigna-desktop $VERSION-$BUILD amd64"
	check "dpkg-deb --info: Depends has GL, X11 and the X libraries GLFW dlopens ($(field Depends))" bash -c '
		for p in libgl1 libx11-6 libxcursor1 libxrandr2 libxi6 libxinerama1 libxxf86vm1; do
			[[ ", $1," == *", $p"[,\ ]* ]] || exit 1
		done' _ "$(field Depends)"
	check "dpkg-deb --info: Recommends opensc, pcscd, softhsm2" test "$(field Recommends)" = "opensc, pcscd, softhsm2"
	contents=$(dpkg-deb --contents "$DEB")
	# (the Linux desktop integration checks follow the contents checks)
	check "dpkg-deb --contents: /usr/bin binary (root, 0755), .desktop, hicolor icons 16…512" bash -c '
		grep -qE "^-rwxr-xr-x root/root .* \./usr/bin/certigna-desktop$" <<<"$1" &&
		grep -qE " \./usr/share/applications/$2\.desktop$" <<<"$1" &&
		grep -qE " \./usr/share/icons/hicolor/16x16/apps/$2\.png$" <<<"$1" &&
		grep -qE " \./usr/share/icons/hicolor/512x512/apps/$2\.png$" <<<"$1"' _ "$contents" "$APP_ID"
	check "the .desktop file opens PDFs (MimeType=application/pdf, Exec %F) with a 'Signer avec Certigna' action" bash -c '
		grep -qx "MimeType=application/pdf;" "$1" && grep -qx "Exec=certigna-desktop %F" "$1" &&
		grep -qx "Actions=sign;" "$1" && grep -qx "Name\[fr\]=Signer avec Certigna" "$1" &&
		grep -qx "StartupWMClass=Certigna Desktop" "$1"' _ packaging/linux/certigna-desktop.desktop
	check "dpkg-deb --contents: changelog.Debian.gz and Dolphin's service menu" bash -c '
		grep -qE " \./usr/share/doc/certigna-desktop/changelog\.Debian\.gz$" <<<"$1" &&
		grep -qE " \./usr/share/kio/servicemenus/$2\.sign\.desktop$" <<<"$1"' _ "$contents" "$APP_ID"
	if command -v lintian >/dev/null || have lintian lintian:lintian; then
		lintian --tag-display-limit 0 "$DEB" >"$T/lintian.log" 2>&1
		check "lintian: no error ($(grep -c '^W:' "$T/lintian.log") warnings; build/test-packaging/lintian.log)" \
			bash -c '! grep -q "^E:" "$1"' _ "$T/lintian.log"
		check "the .deb's binary is PIE (no hardening-no-pie from lintian)" bash -c '
			! grep -q hardening-no-pie "$1" && file -b "$2" | grep -q "pie executable"' _ "$T/lintian.log" "$ROOT/build/packaging/linux/bin/certigna-desktop"
	fi
	if command -v desktop-file-validate >/dev/null; then
		check "desktop-file-validate: the .deb's and the tarball's .desktop files" desktop-file-validate \
			packaging/linux/certigna-desktop.desktop "$x/certigna-desktop/usr/local/share/applications/$APP_ID.desktop"
	fi

	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		have mime gio:libglib2.0-bin xdg-mime:xdg-utils
		# A person's default PDF viewer (a stand-in viewer chosen in their mimeapps.list, as a desktop's settings
		# write it) must stay the default once the app is installed.
		mh=$T/mime-home && rm -rf "$mh" && mkdir -p "$mh/config" "$mh/data/applications"
		printf '[Desktop Entry]\nType=Application\nName=Test PDF viewer\nExec=true %%f\nMimeType=application/pdf;\n' >"$mh/data/applications/test-pdf-viewer.desktop"
		printf '[Default Applications]\napplication/pdf=test-pdf-viewer.desktop\n' >"$mh/config/mimeapps.list"
		mime_env=(env XDG_CONFIG_HOME="$mh/config" XDG_DATA_HOME="$mh/data" XDG_CURRENT_DESKTOP=)
		pdf_default_xdg=$("${mime_env[@]}" xdg-mime query default application/pdf 2>/dev/null)
		pdf_default_gio=$("${mime_env[@]}" gio mime application/pdf 2>&1 | head -1)
		if flock /tmp/apt.lock apt-get install -y --no-install-recommends "$DEB" >"$T/apt-install.log" 2>&1; then
			pass "apt-get install $(basename "$DEB")"
			check "installed /usr/bin/certigna-desktop prints '$EXPECTED'" test "$(/usr/bin/certigna-desktop --version)" = "$EXPECTED"
			check "dpkg -s: installed" bash -c 'dpkg -s certigna-desktop | grep -q "^Status: install ok installed"'
			# PDF association: listed for application/pdf, the default PDF app unchanged.
			if command -v gio >/dev/null && command -v xdg-mime >/dev/null; then
				check "gio mime application/pdf lists $APP_ID.desktop" bash -c '"${@:2}" gio mime application/pdf 2>&1 | grep -q "$1.desktop"' _ "$APP_ID" "${mime_env[@]}"
				check "the default PDF app stays the person's (xdg-mime: '$pdf_default_xdg', gio: '${pdf_default_gio#*: }')" bash -c '
					[[ $1 == test-pdf-viewer.desktop && $("${@:3}" xdg-mime query default application/pdf 2>/dev/null) == "$1" ]] &&
					[[ $("${@:3}" gio mime application/pdf 2>&1 | head -1) == "$2" ]]' _ "$pdf_default_xdg" "$pdf_default_gio" "${mime_env[@]}"
			else
				skip "gio / xdg-mime missing (libglib2.0-bin, xdg-utils)"
			fi
			if flock /tmp/apt.lock apt-get remove -y --purge certigna-desktop >"$T/apt-remove.log" 2>&1 && [[ ! -e /usr/bin/certigna-desktop ]]; then
				pass "apt-get remove --purge certigna-desktop"
			else
				fail "apt-get remove (log: build/test-packaging/apt-remove.log)"
			fi
		else
			fail "apt-get install ./$(basename "$DEB"): $(tail -3 "$T/apt-install.log" | tr '\n' ' ')"
		fi
	else
		skip "installing the .deb needs root and apt-get"
	fi
fi

check "SHA256SUMS lists every artefact and matches" bash -c '
	cd "$1" && n=$(ls | grep -vcE "^SHA256SUMS(\.p7s)?$") && [[ $(wc -l <SHA256SUMS) == "$n" ]] && sha256sum --quiet -c SHA256SUMS' _ "$DIST"
check "SHA256SUMS.p7s: signed by '$SIGNER', verifies (openssl cms -verify)" bash -c '
	openssl cms -verify -binary -inform DER -in "$1/SHA256SUMS.p7s" -content "$1/SHA256SUMS" -CAfile "$2" -purpose any -out /dev/null 2>/dev/null &&
	openssl pkcs7 -inform DER -in "$1/SHA256SUMS.p7s" -print_certs 2>/dev/null | grep -qF "$3"' _ "$DIST" "$CERT" "$SIGNER"
sed '1s/^./&&/' "$DIST/SHA256SUMS" >"$T/SHA256SUMS.tampered" # one character more on the first line
check "a tampered SHA256SUMS fails its signature" bash -c '! openssl cms -verify -binary -inform DER -in "$1/SHA256SUMS.p7s" -content "$2" -CAfile "$3" -purpose any -out /dev/null 2>/dev/null' _ "$DIST" "$T/SHA256SUMS.tampered" "$CERT"

echo "test-packaging: $(($(date +%s) - T0)) s in all; build steps:"
echo "$TIMINGS"
if ((FAILS > 0)); then
	echo "test-packaging: $FAILS failure(s)"
	exit 1
fi
if ((SKIPS > 0)); then echo "test-packaging: passed, $SKIPS part(s) skipped"; else echo "test-packaging: all passed"; fi
