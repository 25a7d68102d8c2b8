#!/usr/bin/env bash
# Keyboard-only walk of the real window (issue #22): a fresh HOME and a fresh
# demo token, the window on a 1366×768 screen with the token's module behind
# OpenSC's pkcs11-spy, then only `xdotool key`/`type` (no mouse): guide →
# token → PIN change → test signature → Vérifier. Each code action costs
# exactly one verification that succeeds; opening screens with Space costs
# none (the Space once landed in the code field the screen focuses: a
# correct code sent with a space lost a try). Also: the window fits 1366×768
# at scale 1 and 1920×1080 at FYNE_SCALE=1.5.
#   scripts/smoke-kbwalk.sh BINARY OUTPUT_DIR     (called by smoke-gui.sh)
set -euo pipefail
BIN=$1 OUT=$2
# shellcheck source=scripts/lib/xwin.sh
. "$(dirname "$0")/lib/xwin.sh"

SPY=$(ls /usr/lib/*/pkcs11-spy.so /usr/lib/pkcs11-spy.so 2>/dev/null | head -1 || true)
SOFTHSM=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -1 || true)
if [ -z "$SPY" ] || [ -z "$SOFTHSM" ] || ! command -v pdfsig >/dev/null; then
	echo "kbwalk: SKIP, needs pkcs11-spy (opensc-pkcs11), SoftHSM2 and pdfsig (poppler-utils)" >&2
	[ "${CI:-}" = true ] && exit 1
	exit 0
fi

TMP=$(mktemp -d /tmp/certigna-kbwalk.XXXXXX)
XPID="" APID=""
cleanup() {
	stop_app
	[ -n "$XPID" ] && kill "$XPID" 2>/dev/null || true
	rm -rf "$TMP" # the spy's log holds the codes typed
}
trap cleanup EXIT

fail=0
bad() {
	echo "kbwalk: FAIL $*" >&2
	fail=1
}
ok() { echo "kbwalk: ok $*"; }

start_xvfb 1366x768
export HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/home/.config" XDG_CACHE_HOME="$TMP/home/.cache" XDG_DATA_HOME="$TMP/home/.local/share"
mkdir -p "$HOME/Documents" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
unset CERTIGNA_PKCS11_MODULE SOFTHSM2_CONF FYNE_SCALE
"$BIN" reset-demo >/dev/null # a token as it comes: its unlock code is the demo's documented 1234
UNLOCK=1234 NEWPIN=4827
SPYLOG="$TMP/spy.log"
export PKCS11SPY=$SOFTHSM PKCS11SPY_OUTPUT=$SPYLOG SOFTHSM2_CONF="$XDG_CACHE_HOME/certigna-desktop/demo/softhsm2.conf"
LANG=fr_FR.UTF-8 "$BIN" --module "$SPY" --lang fr >"$TMP/app.log" 2>&1 &
APID=$!
WID=$(wait_window "$APID")
if [ -z "$WID" ]; then
	cat "$TMP/app.log" >&2
	bad "no window"
	exit 1
fi
sleep 1
if g=$(fits_screen "$WID" 1366 768); then ok "the window fits a 1366×768 screen ($g)"; else bad "the window does not fit 1366×768: $g"; fi

# calls NAME: the return codes of the spied calls NAME so far, one a line
calls() {
	awk -v n="$1" '/^[0-9]+: C_/ { cur = $2 } /^Returned:/ { if (cur == n) print $3; cur = "" }' "$SPYLOG"
}
count() { calls "$1" | grep -c . || true; }
L0=0 S0=0
mark() { L0=$(count C_Login) S0=$(count C_SetPIN); }
# expect WHAT LOGINS SETPINS: the spied C_Login/C_SetPIN since mark are
# exactly these, and every one of them returned CKR_OK.
expect() {
	local l s rets
	l=$(($(count C_Login) - L0)) s=$(($(count C_SetPIN) - S0))
	rets=$({ calls C_Login | tail -n +$((L0 + 1)); calls C_SetPIN | tail -n +$((S0 + 1)); } | sort -u | tr '\n' ' ')
	rets=${rets% }
	if [ "$l" -ne "$2" ] || [ "$s" -ne "$3" ]; then
		bad "$1: $l C_Login and $s C_SetPIN, want $2 and $3"
	elif [ "$(($2 + $3))" -gt 0 ] && [ "$rets" != CKR_OK ]; then
		bad "$1: the token answered $rets"
	else
		ok "$1: $l C_Login, $s C_SetPIN${rets:+ ($rets)}"
	fi
	mark
}
# keys KEY…: pressed one by one, as a person does, then time to redraw
keys() {
	xdotool key --delay 300 "$@"
	sleep 1.5
}
# shot NAME: the window's screenshot OUT/NAME.png
shot() { import -window "$WID" "$OUT/$1.png"; }
# on SCREEN NAME: the screenshot NAME shows SCREEN as the current one
on() {
	local cur=""
	for _ in $(seq 10); do
		shot "$2"
		cur=$(nav_current "$OUT/$2.png")
		[ "$cur" = "$1" ] && break
		sleep 0.5
	done
	if [ "$cur" = "$1" ]; then ok "$2: on the $1 screen"; else bad "$2: on the $cur screen, want $1"; fi
}
# ring NAME WHAT: the screenshot NAME shows the orange focus ring (in the
# page: a control Tab reached below the fold was scrolled into view)
ring() {
	local n
	n=$(colour_px "$OUT/$1.png" "$RING")
	# a ring is ~900 px and more; the orange "À changer" badge alone ~200
	if [ "$n" -ge 500 ]; then ok "$1: focus ring on $2 ($n px)"; else bad "$1: no visible focus on $2 ($n px)"; fi
}
mark

# 1. The guide: Tab goes down the steps, the page follows it; Shift+Tab
# comes back to step 3's "Voir mon token"; Space opens the token screen.
keys Tab Tab Tab Tab Tab Tab Tab # step 5's "Choisir mon code PIN", below the fold
shot 25-kbwalk-guide-tab-scrolls
ring 25-kbwalk-guide-tab-scrolls "step 5's button"
keys shift+Tab shift+Tab shift+Tab
shot 26-kbwalk-guide-focus
ring 26-kbwalk-guide-focus "“Voir mon token”"
keys space
keys Tab # the token's first value: a selectable text, outlined by the window
on token 27-kbwalk-token
ring 27-kbwalk-token "the token's first value"
expect "guide → token with Tab, Shift+Tab, Space" 0 0

# 2. The sidebar's "Code PIN" (Shift+Tab from the page's first control goes
# to the header, then up the sidebar), Space: the PIN screen focuses its first code
# field. The unlock code, Enter, the new PIN, Enter, again, Enter submits:
# a Space left in the field would be refused (0 C_SetPIN) or wrong.
keys shift+Tab shift+Tab shift+Tab shift+Tab shift+Tab shift+Tab
keys space
on pin 28-kbwalk-pin
expect "Space on the sidebar's “Code PIN”" 0 0
xdotool type --delay 80 "$UNLOCK"
xdotool key Return
xdotool type --delay 80 "$NEWPIN"
xdotool key Return
xdotool type --delay 80 "$NEWPIN"
xdotool key Return
for _ in $(seq 40); do
	[ "$(count C_SetPIN)" -gt "$S0" ] && break
	sleep 0.5
done
sleep 2
shot 29-kbwalk-pin-changed
expect "the PIN change (unlock code → new PIN, Enter)" 0 1
ring 29-kbwalk-pin-changed "“Faire une signature de test”"
# the pale green success banner (close to the page's grey: a narrow fuzz;
# ~34000 px, ~4000 before the change)
n=$(colour_px "$OUT/29-kbwalk-pin-changed.png" "$SUCCESS_TINT" 3%)
if [ "$n" -ge 20000 ]; then ok "29-kbwalk-pin-changed: the success banner ($n px)"; else bad "29-kbwalk-pin-changed: no success banner ($n px)"; fi

# 3. Space on the focused "Faire une signature de test": the signature
# screen, its PIN field focused (empty). Shift+Tab to "Utiliser un document
# d'exemple", Space (the PIN field takes the focus again), the new PIN,
# Enter: one C_Login, a file pdfsig accepts.
keys space
on sign 30-kbwalk-sign
expect "Space on “Faire une signature de test”" 0 0
keys shift+Tab space
sleep 2
xdotool type --delay 80 "$NEWPIN"
xdotool key Return
SIGNED="$HOME/Documents/Document-exemple-Certigna-signé.pdf"
for _ in $(seq 60); do
	[ -s "$SIGNED" ] && break
	sleep 0.5
done
sleep 3
shot 31-kbwalk-signed
expect "the test signature (Shift+Tab, Space, PIN, Enter)" 1 0
if [ ! -s "$SIGNED" ]; then
	bad "the sample was not signed"
elif pdfsig "$SIGNED" 2>&1 | grep -q "Signature is Valid"; then
	ok "the signed sample: pdfsig says “Signature is Valid”"
else
	bad "pdfsig does not accept $SIGNED"
fi

# 4. Vérifier: Shift+Tab from the PIN field up to the sidebar's "Vérifier",
# Space, Tab to "Choisir un PDF…", Space: the chooser, its path field
# focused. Escape closes it; Space opens it again; the signed file's path
# typed, Enter: the verdict, without any code.
keys shift+Tab shift+Tab shift+Tab shift+Tab shift+Tab shift+Tab
keys space
on verify 32-kbwalk-verify
keys Tab Tab Tab Tab
shot 32-kbwalk-verify
ring 32-kbwalk-verify "“Choisir un PDF…”"
before=$(convert "$OUT/32-kbwalk-verify.png" -colorspace Gray -format '%[fx:int(mean*1000)]' info:)
keys space
import -window "$WID" "$TMP/dialog.png"
open=$(convert "$TMP/dialog.png" -colorspace Gray -format '%[fx:int(mean*1000)]' info:)
keys Escape
import -window "$WID" "$TMP/closed.png"
closed=$(convert "$TMP/closed.png" -colorspace Gray -format '%[fx:int(mean*1000)]' info:)
# the dialog shades the window; closed, it is as before
if [ $((before - open)) -ge 50 ] && [ $((closed - before)) -le 5 ] && [ $((before - closed)) -le 5 ]; then
	ok "the PDF chooser opened with Space and closed with Escape (brightness $before → $open → $closed)"
else
	bad "the PDF chooser and Escape: brightness $before → $open → $closed"
fi
keys space
# The path is typed under a plain-ASCII name (a copy of the same bytes):
# xdotool has no "é" in Xvfb's keymap and its remapped key for it was lost
# in one of six runs.
PLAIN="$HOME/Documents/signed-sample.pdf"
cp "$SIGNED" "$PLAIN"
xdotool type --delay 40 "$PLAIN"
xdotool key Return
sleep 4
shot 33-kbwalk-verified
expect "Vérifier (sidebar, chooser, typed path, Enter)" 0 0
n=$(colour_px "$OUT/33-kbwalk-verified.png" "$GREEN")
if [ "$n" -ge 300 ]; then ok "33-kbwalk-verified: the verdict's green answers ($n px)"; else bad "33-kbwalk-verified: no green verdict ($n px)"; fi
if grep -q "Error in Fyne call thread" "$TMP/app.log"; then bad "UI touched off the UI goroutine"; fi
stop_app
kill "$XPID" 2>/dev/null || true
XPID=""

# 5. 1920×1080 at FYNE_SCALE=1.5 (no module: only the window's size)
start_xvfb 1920x1080
FYNE_SCALE=1.5 LANG=fr_FR.UTF-8 "$BIN" --lang fr >"$TMP/app-scale.log" 2>&1 &
APID=$!
WID=$(wait_window "$APID")
if [ -z "$WID" ]; then
	bad "no window at FYNE_SCALE=1.5"
elif g=$(fits_screen "$WID" 1920 1080); then
	ok "the window fits a 1920×1080 screen at FYNE_SCALE=1.5 ($g)"
else
	bad "the window does not fit 1920×1080 at FYNE_SCALE=1.5: $g"
fi
stop_app

[ "$fail" -eq 0 ] || exit 1
echo "kbwalk: the keyboard-only walk passed"
