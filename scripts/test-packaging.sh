#!/usr/bin/env bash
# Packaging test, called by scripts/test.sh. Builds the installers with
# scripts/package.sh (into build/test-packaging/dist, signed with a throwaway
# certificate) and checks them:
#   Windows: PE32+ GUI exe with icon, version info and manifest; exe and MSI
#            Authenticode signatures verify (and a tampered copy does not); MSI
#            tables (shortcut, upgrade code, MajorUpgrade rows, product version,
#            per-machine 64-bit install under Program Files)
#   Wine:    scripts/wine-smoke.sh: --version, window + screenshot, MSI install,
#            upgrades by a same-version rebuild and a newer MSI, downgrade refused, uninstall
#   Linux:   tarball layout; dpkg-deb --info / --contents; apt-get install of the
#            .deb, the installed binary prints its version, removal
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
toml_before=$(sha256sum FyneApp.toml)
t=$(date +%s)
if CERTIGNA_DIST=$DIST CERTIGNA_XZ_LEVEL=1 CERTIGNA_SIGN_P12= CERTIGNA_REQUIRE_RELEASE_SIGNING= scripts/package.sh "${targets[@]}" >"$T/package.log" 2>&1; then
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
CERT=$ROOT/build/packaging/sign/test-cert.pem

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

verify_ok() { osslsigncode verify -CAfile "$CERT" -in "$1" 2>&1 | grep -q "Signature verification: ok"; }
signer_is_test_cert() { osslsigncode verify -CAfile "$CERT" -in "$1" 2>&1 | grep -q "Certigna Desktop TEST signing"; }
both_signed_by_test_cert() { signer_is_test_cert "$EXE" && signer_is_test_cert "$MSI"; }
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
	check "exe and MSI are signed by the generated throwaway certificate" both_signed_by_test_cert
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
fi

# ------------------------------------------------------------------- wine --
if ((WINE)); then
	# Two later MSIs of the same signed exe, built by package.sh's own build_msi: a rebuild (same X.Y.Z, build
	# + 1: must still replace the installed one) and a newer version (patch + 1).
	IFS=. read -r ma mi pa <<<"$VERSION"
	REBUILD=$T/certigna-desktop-rebuild.msi NEWER=$T/certigna-desktop-newer.msi
	if (
		source scripts/package.sh
		SIGN_P12=$ROOT/build/packaging/sign/test.p12 SIGN_PASSFILE=$ROOT/build/packaging/sign/password SIGN_CAFILE=$CERT
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
	check "dpkg-deb --info: Recommends opensc, pcscd" test "$(field Recommends)" = "opensc, pcscd"
	contents=$(dpkg-deb --contents "$DEB")
	check "dpkg-deb --contents: /usr/bin binary (root, 0755), .desktop, hicolor icons 16…512" bash -c '
		grep -qE "^-rwxr-xr-x root/root .* \./usr/bin/certigna-desktop$" <<<"$1" &&
		grep -qE " \./usr/share/applications/$2\.desktop$" <<<"$1" &&
		grep -qE " \./usr/share/icons/hicolor/16x16/apps/$2\.png$" <<<"$1" &&
		grep -qE " \./usr/share/icons/hicolor/512x512/apps/$2\.png$" <<<"$1"' _ "$contents" "$APP_ID"
	if command -v desktop-file-validate >/dev/null; then
		check "desktop-file-validate: the .deb's and the tarball's .desktop files" desktop-file-validate \
			packaging/linux/certigna-desktop.desktop "$x/certigna-desktop/usr/local/share/applications/$APP_ID.desktop"
	fi

	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		if flock /tmp/apt.lock apt-get install -y --no-install-recommends "$DEB" >"$T/apt-install.log" 2>&1; then
			pass "apt-get install $(basename "$DEB")"
			check "installed /usr/bin/certigna-desktop prints '$EXPECTED'" test "$(/usr/bin/certigna-desktop --version)" = "$EXPECTED"
			check "dpkg -s: installed" bash -c 'dpkg -s certigna-desktop | grep -q "^Status: install ok installed"'
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
	cd "$1" && n=$(ls | grep -vc "^SHA256SUMS$") && [[ $(wc -l <SHA256SUMS) == "$n" ]] && sha256sum --quiet -c SHA256SUMS' _ "$DIST"

echo "test-packaging: $(($(date +%s) - T0)) s in all; build steps:"
echo "$TIMINGS"
if ((FAILS > 0)); then
	echo "test-packaging: $FAILS failure(s)"
	exit 1
fi
if ((SKIPS > 0)); then echo "test-packaging: passed, $SKIPS part(s) skipped"; else echo "test-packaging: all passed"; fi
