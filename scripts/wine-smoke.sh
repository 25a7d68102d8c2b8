#!/usr/bin/env bash
# Smoke test of the Windows build under Wine, on a private Xvfb display.
#
#   scripts/wine-smoke.sh [--shots DIR] [--upgrade-to NEWER.msi] EXE [MSI]
#
# Checks, each printed as PASS/FAIL:
#   - `EXE --version` prints "NAME VERSION (build N)" as in FyneApp.toml
#   - EXE starts and its window appears (screenshot DIR/wine-exe.png)
#   - the MSI refuses Windows 8.1 (Wine's CurrentBuildNumber set to 9600 for one attempt)
#   - `msiexec /i MSI /qn` installs: exe under Program Files, Start-menu and desktop shortcuts, uninstall entry,
#     the "Signer avec Certigna Desktop" verb and "Ouvrir avec" for .pdf, .pdf's default left as it was;
#     the installed exe prints its version and opens its window on the about screen (DIR/wine-installed.png)
#   - each --upgrade-to MSI (repeatable, in order) replaces the installed product (one product left);
#     then MSI itself must refuse to downgrade the last one
#   - `msiexec /x` removes it, the .pdf verb included
# DIR defaults to build/wine-smoke; `--shots docs/screenshots` refreshes the documented screenshots.
#
# Wine 8.0 (Debian bookworm) lacks ProcessPrng, which Go ≥ 1.24 programs need at
# start-up: the test builds packaging/windows/wine-prng (a tiny DLL, never
# shipped) into the throwaway prefix when the prefix has no bcryptprimitives.dll.
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build/wine-smoke
SHOTS=
UPGRADES=()
while (($#)); do
	case $1 in
	--shots) SHOTS=$2; shift 2 ;;
	--upgrade-to) UPGRADES+=("$(realpath "$2")"); shift 2 ;;
	-*) echo "unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
EXE=${1:?usage: wine-smoke.sh [--shots DIR] [--upgrade-to NEWER.msi] EXE [MSI]}
MSI=${2:-}
SHOTS=${SHOTS:-$OUT}
mkdir -p "$OUT" "$SHOTS"
EXE=$(realpath "$EXE")
[[ -n $MSI ]] && MSI=$(realpath "$MSI")
SHOTS=$(realpath "$SHOTS")

FAILS=0
pass() { printf 'PASS wine: %s\n' "$*"; }
fail() { printf 'FAIL wine: %s\n' "$*"; FAILS=$((FAILS + 1)); }

meta() {
	awk -v key="$1" '/^\[/ { d = ($0 == "[Details]"); next }
		d { k = $0; sub(/[ \t]*=.*/, "", k); if (k == key) { v = $0; sub(/^[^=]*=[ \t]*/, "", v); gsub(/"/, "", v); print v; exit } }' FyneApp.toml
}
EXPECTED="$(meta Name) $(meta Version) (build $(meta Build))"

for t in wine Xvfb xdotool import convert x86_64-w64-mingw32-gcc; do
	command -v "$t" >/dev/null || { fail "missing tool $t"; exit 1; }
done

# A private display, and a fresh prefix so no earlier install hides a failure.
export WINEPREFIX=$OUT/prefix WINEDEBUG=-all WINEARCH=win64
# A private HOME: Wine links its Desktop and Documents folders to $HOME's, and the MSI puts a desktop shortcut there.
export HOME=$OUT/home XDG_CONFIG_HOME=$OUT/home/.config XDG_DATA_HOME=$OUT/home/.local/share
rm -rf "$HOME" && mkdir -p "$HOME/Desktop"
export WINEDLLOVERRIDES="mscoree,mshtml=" # no Mono/Gecko install dialogs
export LIBGL_ALWAYS_SOFTWARE=1 LANG=${WINE_SMOKE_LANG:-fr_FR.UTF-8}
DISP=
for n in $(seq 90 120); do
	[[ -e /tmp/.X11-unix/X$n || -e /tmp/.X$n-lock ]] || { DISP=:$n; break; }
done
Xvfb "$DISP" -screen 0 1280x800x24 -nolisten tcp -noreset >"$OUT/xvfb.log" 2>&1 &  # -noreset: see scripts/lib/xwin.sh
XVFB_PID=$!
export DISPLAY=$DISP
cleanup() {
	wineserver -k >/dev/null 2>&1
	kill "$XVFB_PID" 2>/dev/null
	wait "$XVFB_PID" 2>/dev/null
}
trap cleanup EXIT
for _ in $(seq 50); do [[ -e /tmp/.X11-unix/X${DISP#:} ]] && break; sleep 0.1; done

t0=$(date +%s)
rm -rf "$WINEPREFIX"
wineboot -i >"$OUT/wineboot.log" 2>&1
# A new Wine 8 prefix says Windows 7 (build 7601); the app and its MSI need Windows 10.
wine winecfg -v win10 >>"$OUT/wineboot.log" 2>&1
wineserver -w
SYS32=$WINEPREFIX/drive_c/windows/system32
if [[ ! -f $SYS32/bcryptprimitives.dll ]]; then
	x86_64-w64-mingw32-gcc -shared -O2 -s -o "$SYS32/bcryptprimitives.dll" \
		packaging/windows/wine-prng/bcryptprimitives.c packaging/windows/wine-prng/bcryptprimitives.def -ladvapi32 &&
		echo "wine-smoke: added the ProcessPrng shim to the prefix (wine $(wine --version 2>/dev/null))"
fi
[[ -d $SYS32 ]] && pass "fresh prefix in $(($(date +%s) - t0)) s" || { fail "wineboot failed (see $OUT/wineboot.log)"; exit 1; }

# check_version LABEL EXE: stdout of a GUI-subsystem exe, redirected, carries the version.
check_version() {
	local out
	out=$(timeout 60 wine "$2" --version 2>"$OUT/version.err" | tr -d '\r')
	if [[ $out == "$EXPECTED" ]]; then
		pass "$1 --version prints '$out'"
	else
		fail "$1 --version printed '$out', want '$EXPECTED' (stderr: $(head -c 300 "$OUT/version.err"))"
	fi
}

# check_window LABEL EXE SHOT [SCREEN]: start the GUI (on SCREEN, e.g. "about"), wait for its window,
# screenshot it.
check_window() {
	local label=$1 exe=$2 shot=$3 pid wid= sd
	(cd "$(dirname "$exe")" && exec env ${4:+CERTIGNA_START_SCREEN=$4} wine "$exe") >"$OUT/$label.log" 2>&1 &
	pid=$!
	for _ in $(seq 120); do
		wid=$(xdotool search --onlyvisible --name "Certigna" 2>/dev/null | head -1)
		[[ -n $wid ]] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	if [[ -z $wid ]]; then
		fail "$label: no window appeared (app log: $(tail -c 400 "$OUT/$label.log" | tr '\n' ' '))"
		wineserver -k >/dev/null 2>&1
		return
	fi
	sleep 4 # first frames through llvmpipe
	import -window "$wid" "$shot" 2>/dev/null || import -window root "$shot"
	sd=$(convert "$shot" -format '%[fx:standard_deviation]' info: 2>/dev/null || echo 0)
	if awk -v s="$sd" 'BEGIN { exit !(s > 0.02) }'; then
		pass "$label: window '$(xdotool getwindowname "$wid")' appeared; screenshot $shot"
	else
		fail "$label: window appeared but the screenshot is blank (sd=$sd): $shot"
	fi
	wineserver -k >/dev/null 2>&1
	wait "$pid" 2>/dev/null
}

product_code() { msiinfo export "$1" Property | tr -d '\r' | awk -F'\t' '$1 == "ProductCode" { print $2 }'; }
uninstall_key() { wine reg query "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\$1" /v "$2" 2>/dev/null | tr -d '\r' | awk -v k="$2" '$1 == k { $1 = $2 = ""; sub(/^ +/, ""); print }'; }

check_version "exe" "$EXE"
check_window "exe" "$EXE" "$SHOTS/wine-exe.png"

if [[ -n $MSI ]]; then
	PF="$WINEPREFIX/drive_c/Program Files/Certigna Desktop"
	# ProgramMenuFolder: the all-users Start menu on Windows; Wine 8 resolves it to the user's even for a
	# per-machine install, so the shortcut is looked for in both.
	find_lnk() { find "$WINEPREFIX/drive_c/ProgramData" "$WINEPREFIX/drive_c/users" -path "*/Start Menu/Programs/Certigna Desktop.lnk" 2>/dev/null | head -1; }
	code=$(product_code "$MSI")
	# regval KEY [VALUE]: a registry value's data (the default value without VALUE), "" when absent.
	regval() {
		local v=(/ve) out
		[[ -n ${2:-} ]] && v=(/v "$2")
		out=$(wine reg query "$1" "${v[@]}" 2>/dev/null | tr -d '\r') || return 0
		awk '/REG_/ { sub(/^.*REG_[A-Z_]+ +/, ""); print; exit }' <<<"$out"
	}
	CV='HKLM\Software\Microsoft\Windows NT\CurrentVersion'
	VERB='HKLM\Software\Classes\SystemFileAssociations\.pdf\shell\CertignaDesktop.Sign'
	pdf_default=$(regval 'HKLM\Software\Classes\.pdf')
	# Windows 8.1 (build 9600) is refused: Wine's build number lowered for one install attempt, in both registry
	# views (the MSI's RegistrySearch reads the 32-bit one, as Windows keeps the value in both).
	build=$(regval "$CV" CurrentBuildNumber)
	# A read that came back empty (or not a Windows 10 build) must not be written back: the real install
	# below would then be refused too. 19045 is Windows 10 22H2.
	[[ $build =~ ^[0-9]+$ ]] && ((build >= 10240)) || build=19045
	for view in 32 64; do wine reg add "$CV" /v CurrentBuildNumber /t REG_SZ /d 9600 /f /reg:$view >/dev/null 2>&1; done
	wineserver -w
	if timeout 180 wine msiexec /i "$MSI" /qn >/dev/null 2>&1 || [[ -f "$PF/certigna-desktop.exe" ]]; then
		fail "installed on Windows build 9600 (8.1): the Windows 10 launch condition did not stop it"
	else
		pass "refused on Windows build 9600 (8.1), Windows 10 launch condition"
	fi
	wineserver -w # the refused msiexec has ended before the build is put back
	for view in 32 64; do wine reg add "$CV" /v CurrentBuildNumber /t REG_SZ /d "$build" /f /reg:$view >/dev/null 2>&1; done
	wineserver -w
	if timeout 180 wine msiexec /i "$MSI" /qn '/l*v' "Z:${OUT//\//\\}\\install.log" >/dev/null 2>&1; then
		pass "msiexec /i $(basename "$MSI") /qn"
	else
		rc=$?
		fail "msiexec /i failed (exit $rc, build now '$(regval "$CV" CurrentBuildNumber)', log: $OUT/install.log)"
		[[ -f $OUT/install.log ]] && iconv -f UTF-16LE -t UTF-8 "$OUT/install.log" 2>/dev/null | grep -iE 'error|condition|return value 3' | head -20 >&2
	fi
	wineserver -w
	[[ -f $PF/certigna-desktop.exe ]] && pass "installed C:\\Program Files\\Certigna Desktop\\certigna-desktop.exe" ||
		fail "no certigna-desktop.exe under Program Files"
	LNK=$(find_lnk)
	[[ -n $LNK ]] && pass "Start-menu shortcut ${LNK#"$WINEPREFIX"/drive_c/}" || fail "no Start-menu shortcut 'Certigna Desktop.lnk'"
	# Wine links the Desktop folders to $HOME/Desktop (a private HOME here, see above)
	find "$WINEPREFIX/drive_c" "$HOME/Desktop" -name "Certigna Desktop.lnk" 2>/dev/null | grep -q . &&
		pass "desktop shortcut 'Certigna Desktop.lnk'" || fail "no desktop shortcut"
	verb=$(regval "$VERB"); cmd=$(regval "$VERB\\command")
	if [[ $verb == "Signer avec Certigna Desktop" && $cmd == *'certigna-desktop.exe" "%1"' ]]; then
		pass "right-click verb on .pdf: '$verb' → $cmd"
	else
		fail "no .pdf verb (label '$verb', command '$cmd')"
	fi
	[[ -n $(regval 'HKLM\Software\Classes\.pdf\OpenWithProgids' CertignaDesktop.PDF) || $(wine reg query 'HKLM\Software\Classes\.pdf\OpenWithProgids' 2>/dev/null) == *CertignaDesktop.PDF* ]] &&
		pass "'Ouvrir avec': .pdf OpenWithProgids lists CertignaDesktop.PDF" || fail ".pdf OpenWithProgids lacks CertignaDesktop.PDF"
	[[ $(regval 'HKLM\Software\Classes\.pdf') == "$pdf_default" ]] &&
		pass "the default PDF app is unchanged ('${pdf_default:-none}')" || fail "the install changed .pdf's default to '$(regval 'HKLM\Software\Classes\.pdf')'"
	dn=$(uninstall_key "$code" DisplayName)
	[[ $dn == "Certigna Desktop" ]] && pass "uninstall entry $code: DisplayName '$dn', DisplayVersion '$(uninstall_key "$code" DisplayVersion)'" ||
		fail "no uninstall entry for $code (DisplayName '$dn')"
	if [[ -f $PF/certigna-desktop.exe ]]; then
		check_version "installed exe" "$PF/certigna-desktop.exe"
		# The about screen: the version the installed exe shows in its window.
		check_window "installed" "$PF/certigna-desktop.exe" "$SHOTS/wine-installed.png" about
	fi

	for up in "${UPGRADES[@]}"; do
		new=$(product_code "$up")
		if timeout 180 wine msiexec /i "$up" /qn >/dev/null 2>&1; then
			pass "msiexec /i $(basename "$up") over the installed version"
		else
			fail "upgrade install of $(basename "$up") failed"
		fi
		wineserver -w
		if [[ -n $(uninstall_key "$new" DisplayName) && -z $(uninstall_key "$code" DisplayName) && -f $PF/certigna-desktop.exe ]]; then
			pass "major upgrade to $(uninstall_key "$new" DisplayVersion): $new replaced $code (one product installed, exe present)"
		else
			fail "major upgrade: old $code present='$(uninstall_key "$code" DisplayName)', new $new present='$(uninstall_key "$new" DisplayName)'"
		fi
		code=$new
	done
	if ((${#UPGRADES[@]} > 0)); then
		# And back: the first MSI must refuse to replace the newer product.
		if timeout 180 wine msiexec /i "$MSI" /qn >/dev/null 2>&1; then
			fail "downgrade: $(basename "$MSI") installed over a newer version"
		elif [[ -n $(uninstall_key "$code" DisplayName) && -z $(uninstall_key "$(product_code "$MSI")" DisplayName) ]]; then
			pass "downgrade refused: $(basename "$MSI") does not install over $(uninstall_key "$code" DisplayVersion)"
		else
			fail "downgrade: the installed products changed after a refused install"
		fi
		wineserver -w
	fi

	if timeout 180 wine msiexec /x "$code" /qn >/dev/null 2>&1 && wineserver -w && [[ ! -e $PF/certigna-desktop.exe && -z $(find_lnk) ]]; then
		pass "msiexec /x removes the exe and the shortcut"
		[[ -z $(regval "$VERB\\command") ]] && pass "msiexec /x removes the .pdf verb" || fail "the .pdf verb outlived the uninstall"
	else
		fail "uninstall left files behind or failed"
	fi
fi

((FAILS == 0))
