#!/usr/bin/env bash
# Smoke test of the real window: builds the binary, starts it under Xvfb on
# the demo token (HOME and XDG dirs in a temp dir), takes a screenshot of each
# main screen, and checks that none is blank.
#   scripts/smoke-gui.sh [OUTPUT_DIR]     (default: docs/screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/screenshots}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

need() {
	for t in "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			if [ "${CI:-}" = true ]; then
				echo "smoke-gui: missing tool $t" >&2
				exit 1
			fi
			echo "smoke-gui: SKIP, missing tool $t (apt-get install xvfb xdotool imagemagick x11-utils)" >&2
			exit 0
		fi
	done
}
need Xvfb xdotool import identify convert
# shellcheck source=scripts/lib/xwin.sh
. scripts/lib/xwin.sh

TMP=$(mktemp -d /tmp/certigna-smoke.XXXXXX)
XPID=""
APID=""
cleanup() {
	[ -n "$APID" ] && kill "$APID" 2>/dev/null || true
	[ -n "$XPID" ] && kill "$XPID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

echo "smoke-gui: building"
go build -o "$TMP/certigna-desktop" ./cmd/certigna-desktop

start_xvfb 1280x900
export HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/home/.config" XDG_CACHE_HOME="$TMP/home/.cache" XDG_DATA_HOME="$TMP/home/.local/share"
mkdir -p "$HOME/Documents" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
unset CERTIGNA_PKCS11_MODULE SOFTHSM2_CONF

fail=0
# shot NAME SCREEN LANG [ACTION]: start the app on SCREEN, wait for the
# window, run ACTION (a shell function given the window id), screenshot it
# to OUT/NAME.png, stop the app.
shot() {
	local name=$1 screen=$2 lang=$3 action=${4:-}
	# shellcheck disable=SC2086 # APP_ARGS is a list of options
	CERTIGNA_START_SCREEN=$screen LANG=${lang}_FR.UTF-8 "$TMP/certigna-desktop" $APP_ARGS --lang "$lang" >"$TMP/app-$name.log" 2>&1 &
	APID=$!
	local wid
	wid=$(wait_window "$APID")
	if [ -z "$wid" ]; then
		echo "smoke-gui: FAIL $name: no window" >&2
		cat "$TMP/app-$name.log" >&2
		fail=1
	else
		sleep 1
		[ -n "$action" ] && "$action" "$wid"
		import -window "$wid" "$OUT/$name.png"
		# not blank: a real screen has many colours and some contrast
		local colours sd
		colours=$(identify -format '%k' "$OUT/$name.png")
		sd=$(convert "$OUT/$name.png" -colorspace Gray -format '%[fx:int(standard_deviation*1000)]' info:)
		if [ "$colours" -lt 20 ] || [ "$sd" -lt 20 ]; then
			echo "smoke-gui: FAIL $name: screenshot looks blank ($colours colours, sd $sd)" >&2
			fail=1
		else
			echo "smoke-gui: ok $name.png ($colours colours)"
		fi
	fi
	stop_app
	# Fyne logs widget calls made off its UI goroutine: there must be none
	if grep -q "Error in Fyne call thread" "$TMP/app-$name.log"; then
		echo "smoke-gui: FAIL $name: UI touched off the UI goroutine:" >&2
		grep -A8 "Error in Fyne call thread" "$TMP/app-$name.log" >&2
		fail=1
	fi
}

# sign_sample: on the test signature screen (the PIN field has the focus),
# with the keyboard only: Shift+Tab to "use a sample document", Space (the
# screen then focuses the PIN field: the Space must not land in it, or the
# signature fails on a code with a space), the demo PIN, Enter, wait.
sign_sample() {
	local wid=$1
	xdotool key --delay 200 shift+Tab space
	sleep 2
	xdotool type --delay 50 1234
	xdotool key Return
	sleep 5
}

APP_ARGS=--demo
# drop_pdf: a real XDND drop of "$TMP/drop test.pdf" on the window (the
# Guide screen), then the demo PIN and Enter: Fyne's SetOnDropped → the app.
drop_pdf() {
	local wid=$1
	"$TMP/xdnd-drop" "$wid" "file://$TMP/drop%20test.pdf" || echo "smoke-gui: xdnd-drop failed" >&2
	sleep 1.5
	xdotool type --delay 50 1234
	xdotool key Return
	sleep 5
}

# A ~80-line XDND drag source (Debian has no ready one), built here.
cat >"$TMP/xdnd-drop.c" <<'CEOF'
/* xdnd-drop WINDOW_ID URI: drop URI (text/uri-list) on WINDOW_ID by the XDND protocol. */
#include <X11/Xlib.h>
#include <X11/Xatom.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static Display *d;
static Window src, dst;
static Atom aEnter, aPosition, aStatus, aDrop, aFinished, aSelection, aCopy, aUriList;

static void send(Atom type, long l0, long l1, long l2, long l3, long l4) {
	XEvent e;
	memset(&e, 0, sizeof e);
	e.xclient.type = ClientMessage;
	e.xclient.display = d;
	e.xclient.window = dst;
	e.xclient.message_type = type;
	e.xclient.format = 32;
	e.xclient.data.l[0] = l0; e.xclient.data.l[1] = l1; e.xclient.data.l[2] = l2;
	e.xclient.data.l[3] = l3; e.xclient.data.l[4] = l4;
	XSendEvent(d, dst, False, NoEventMask, &e);
	XFlush(d);
}

int main(int argc, char **argv) {
	if (argc != 3) { fprintf(stderr, "usage: xdnd-drop WINDOW_ID URI\n"); return 2; }
	d = XOpenDisplay(NULL);
	if (!d) { fprintf(stderr, "xdnd-drop: no display\n"); return 1; }
	dst = (Window)strtoul(argv[1], NULL, 0);
	char *data = malloc(strlen(argv[2]) + 3);
	sprintf(data, "%s\r\n", argv[2]);
	src = XCreateSimpleWindow(d, DefaultRootWindow(d), 0, 0, 1, 1, 0, 0, 0);
	aEnter = XInternAtom(d, "XdndEnter", False);
	aPosition = XInternAtom(d, "XdndPosition", False);
	aStatus = XInternAtom(d, "XdndStatus", False);
	aDrop = XInternAtom(d, "XdndDrop", False);
	aFinished = XInternAtom(d, "XdndFinished", False);
	aSelection = XInternAtom(d, "XdndSelection", False);
	aCopy = XInternAtom(d, "XdndActionCopy", False);
	aUriList = XInternAtom(d, "text/uri-list", False);
	XSetSelectionOwner(d, aSelection, src, CurrentTime);

	Window child; int x, y;
	XTranslateCoordinates(d, dst, DefaultRootWindow(d), 200, 200, &x, &y, &child);
	send(aEnter, src, 5L << 24, aUriList, 0, 0);
	send(aPosition, src, 0, ((long)x << 16) | y, CurrentTime, aCopy);
	int dropped = 0;
	time_t start = time(NULL);
	while (time(NULL) - start < 10) {
		if (!XPending(d)) { struct timespec ts = {0, 10000000}; nanosleep(&ts, NULL); continue; }
		XEvent e;
		XNextEvent(d, &e);
		if (e.type == ClientMessage && e.xclient.message_type == aStatus && !dropped) {
			if (!(e.xclient.data.l[1] & 1)) { fprintf(stderr, "xdnd-drop: the window refuses the drop\n"); return 1; }
			send(aDrop, src, 0, CurrentTime, 0, 0);
			dropped = 1;
		} else if (e.type == SelectionRequest) {
			XSelectionRequestEvent *r = &e.xselectionrequest;
			XEvent n;
			memset(&n, 0, sizeof n);
			n.xselection.type = SelectionNotify;
			n.xselection.requestor = r->requestor;
			n.xselection.selection = r->selection;
			n.xselection.target = r->target;
			n.xselection.time = r->time;
			n.xselection.property = None;
			if (r->target == aUriList) {
				XChangeProperty(d, r->requestor, r->property, aUriList, 8, PropModeReplace,
					(unsigned char *)data, strlen(data));
				n.xselection.property = r->property;
			}
			XSendEvent(d, r->requestor, False, NoEventMask, &n);
			XFlush(d);
		} else if (e.type == ClientMessage && e.xclient.message_type == aFinished) {
			return 0;
		}
	}
	fprintf(stderr, "xdnd-drop: no %s from the window\n", dropped ? "XdndFinished" : "XdndStatus");
	return 1;
}
CEOF
XDND=0
if gcc -O -o "$TMP/xdnd-drop" "$TMP/xdnd-drop.c" -lX11 2>"$TMP/xdnd-build.log"; then
	XDND=1
else
	echo "smoke-gui: no XDND drop test (cannot build the drag source: libx11-dev?)" >&2
	[ "${CI:-}" = true ] && fail=1
fi

shot 01-guide guide fr
shot 02-driver driver fr
shot 03-token token fr
shot 04-pin pin fr
shot 05-sign sign fr
shot 06-about about fr
shot 07-guide-en guide en
shot 08-token-en token en
shot 09-sign-done sign fr sign_sample
if [ -s "$HOME/Documents/Document-exemple-Certigna-signé.pdf" ]; then
	echo "smoke-gui: ok the sample signed with the keyboard only (Shift+Tab, Space, PIN, Enter; no space in the PIN)"
else
	echo "smoke-gui: FAIL the sample was not signed with the keyboard only (a Space typed into the PIN field?)" >&2
	fail=1
fi
if [ "$XDND" = 1 ]; then
	cp "$HOME/Documents/Document-exemple-Certigna.pdf" "$TMP/drop test.pdf"
	shot 13-drop-signed guide fr drop_pdf
	if [ ! -s "$TMP/drop test-signé.pdf" ]; then
		echo "smoke-gui: FAIL a PDF dropped on the window was not signed" >&2
		fail=1
	elif command -v pdfsig >/dev/null && ! pdfsig "$TMP/drop test-signé.pdf" 2>&1 | grep -q "Signature is Valid"; then
		echo "smoke-gui: FAIL pdfsig does not accept the dropped PDF's signature" >&2
		fail=1
	else
		echo "smoke-gui: ok a PDF dropped on the window (XDND) was signed and pdfsig accepts it"
	fi
fi

# focus_primary: Tab from the first code field to the blue "Valider" button
focus_primary() {
	xdotool key --delay 250 Tab Tab Tab
	sleep 1
}
shot 24-focus-primary-button pin fr focus_primary
# the focus ring (orange, not the button's blue) is drawn around the button
if [ "$(colour_px "$OUT/24-focus-primary-button.png" "$RING")" -lt 200 ]; then
	echo "smoke-gui: FAIL 24-focus-primary-button: no visible focus ring on the primary button" >&2
	fail=1
else
	echo "smoke-gui: ok 24-focus-primary-button: the focus ring shows on the blue button"
fi
# expect_px NAME COLOUR MIN WHAT: the screenshot NAME shows at least MIN
# pixels of COLOUR (the button, its message) in view.
expect_px() {
	local n
	n=$(colour_px "$OUT/$1.png" "$2")
	if [ "$n" -lt "$3" ]; then
		echo "smoke-gui: FAIL $1: $4 not on screen ($n px of $2)" >&2
		fail=1
	else
		echo "smoke-gui: ok $1: $4 on screen ($n px)"
	fi
}

# main_path W H PIN: the window at W×H, a PDF dropped on it, the PIN typed,
# Enter; the screenshot must show "Signer" and the message beside it.
main_path() {
	local wid=$1
	xdotool windowsize "$wid" "$MP_W" "$MP_H"
	sleep 1
	"$TMP/xdnd-drop" "$wid" "file://$TMP/main%20path.pdf" || echo "smoke-gui: xdnd-drop failed" >&2
	sleep 1.5
	xdotool type --delay 50 "$MP_PIN"
	xdotool key Return
	sleep 5
}

# place_keys: the window at MP_W×MP_H, a PDF dropped, the stamp placed on
# the preview with the keyboard only, the PIN, Enter; at 800×600 the page
# is then scrolled to show the preview (under "Signer" at that width).
place_keys() {
	local wid=$1
	xdotool windowsize "$wid" "$MP_W" "$MP_H"
	sleep 1
	"$TMP/xdnd-drop" "$wid" "file://$TMP/place%20keys.pdf" || echo "smoke-gui: xdnd-drop failed" >&2
	sleep 8 # the check ("Signer" enabled: it is the first Tab stop) and the preview
	xdotool key --delay 400 Tab Tab Return
	sleep 2
	xdotool key --delay 300 Left Left Left Left Up Up plus
	sleep 2
	xdotool key --delay 400 shift+Tab shift+Tab
	xdotool type --delay 50 1234
	xdotool key Return
	sleep 5
	if [ "$MP_W" -lt 1000 ]; then
		xdotool mousemove --window "$wid" 400 450 click --repeat 30 5
		sleep 1
	fi
}

# refused: an encrypted PDF dropped, a PIN typed, Enter: refused before
# the PIN (counted by pkcs11-spy in front of the demo token's SoftHSM2).
refused() {
	local wid=$1
	"$TMP/xdnd-drop" "$wid" "file://$TMP/protected.pdf" || echo "smoke-gui: xdnd-drop failed" >&2
	sleep 2
	xdotool type --delay 50 1234
	xdotool key Return
	sleep 2
}

if [ "$XDND" = 1 ]; then
	for size in 1024x740 800x600; do
		MP_W=${size%x*} MP_H=${size#*x}
		cp "$HOME/Documents/Document-exemple-Certigna.pdf" "$TMP/main path.pdf"
		MP_PIN=0000 shot "20-main-path-wrong-pin-$size" sign fr main_path
		expect_px "20-main-path-wrong-pin-$size" "$BLUE" 1500 "the “Signer” button"
		expect_px "20-main-path-wrong-pin-$size" "$RED" 100 "the wrong-PIN message"
		MP_PIN=1234 shot "21-main-path-signed-$size" sign fr main_path
		expect_px "21-main-path-signed-$size" "$BLUE" 1500 "the “Signer” button"
		expect_px "21-main-path-signed-$size" "$GREEN" 100 "the success message and verdict"
		if [ ! -s "$TMP/main path-signé.pdf" ]; then
			echo "smoke-gui: FAIL $size: the main path did not sign" >&2
			fail=1
		fi
		rm -f "$TMP/main path-signé"*.pdf
	done
	# Keyboard-only placement on the page preview, at both sizes: the PDF
	# dropped (focus in the PIN field), Tab Tab to the page, Enter puts the
	# stamp in the bottom-right corner, Left×4 Up×2 moves it 20 pt left and
	# 10 pt up, + enlarges it 10 %, Shift+Tab ×2 back to the PIN, the PIN,
	# Enter. The signed page, drawn by the render verb, differs from the
	# original exactly where the keys put the stamp.
	for size in 1024x740 800x600; do
		MP_W=${size%x*} MP_H=${size#*x}
		cp "$HOME/Documents/Document-exemple-Certigna.pdf" "$TMP/place keys.pdf"
		shot "23-preview-placed-$size" sign fr place_keys
		if [ ! -s "$TMP/place keys-signé.pdf" ]; then
			echo "smoke-gui: FAIL $size: keyboard placement did not sign" >&2
			fail=1
		else
			"$TMP/certigna-desktop" render "$TMP/place keys.pdf" -o "$TMP/pk-before.png" >/dev/null
			"$TMP/certigna-desktop" render "$TMP/place keys-signé.pdf" -o "$TMP/pk-after.png" >/dev/null
			# the sample is A4 (595 × 842 pt): corner 371,24,200,60 → moved
			# 351,34 → grown 341,31,220,66 → rows from the top 745–811
			box=$({ compare "$TMP/pk-before.png" "$TMP/pk-after.png" -compose src -highlight-color black -lowlight-color white png:- 2>/dev/null || true; } |
				convert - -trim -format '%w %h %X %Y' info: | tr -d '+' || true)
			read -r bw bh bx by <<<"$box"
			if [ "${bx:-0}" -ge 339 ] && [ "${bx:-0}" -le 343 ] && [ "${by:-0}" -ge 743 ] && [ "${by:-0}" -le 747 ] &&
				[ "${bw:-0}" -ge 218 ] && [ "${bw:-0}" -le 223 ] && [ "${bh:-0}" -ge 64 ] && [ "${bh:-0}" -le 69 ]; then
				echo "smoke-gui: ok $size: the stamp placed with the keyboard is where the preview had it (${bw}x${bh} at $bx,$by)"
			else
				echo "smoke-gui: FAIL $size: the stamp is at ${box:-nowhere}, want 220x66 at 341,745" >&2
				fail=1
			fi
		fi
		rm -f "$TMP/place keys"*.pdf
	done
	SPY=$(ls /usr/lib/*/pkcs11-spy.so /usr/lib/pkcs11-spy.so 2>/dev/null | head -1 || true)
	DEMO_CONF="$XDG_CACHE_HOME/certigna-desktop/demo/softhsm2.conf"
	if [ -n "$SPY" ] && [ -f "$DEMO_CONF" ] && command -v qpdf >/dev/null; then
		qpdf --encrypt secret owner 256 -- "$HOME/Documents/Document-exemple-Certigna.pdf" "$TMP/protected.pdf"
		SPYLOG="$TMP/spy/spy.log" # holds PINs: in the temp dir, removed at exit
		mkdir -p "$TMP/spy"
		PKCS11SPY=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -1 || true)
		export PKCS11SPY PKCS11SPY_OUTPUT=$SPYLOG SOFTHSM2_CONF=$DEMO_CONF
		APP_ARGS="--module $SPY"
		shot 22-refused-encrypted sign fr refused
		unset PKCS11SPY PKCS11SPY_OUTPUT SOFTHSM2_CONF
		logins=$(grep -c "C_Login" "$SPYLOG" 2>/dev/null || true)
		calls=$(grep -c "C_GetSlotList" "$SPYLOG" 2>/dev/null || true)
		expect_px 22-refused-encrypted "$RED" 100 "the refusal beside the document"
		if [ "${calls:-0}" -eq 0 ]; then
			echo "smoke-gui: FAIL pkcs11-spy logged nothing: the window did not use the spied module" >&2
			fail=1
		elif [ "${logins:-0}" -ne 0 ]; then
			echo "smoke-gui: FAIL an encrypted PDF cost $logins C_Login" >&2
			fail=1
		else
			echo "smoke-gui: ok an encrypted PDF was refused with 0 C_Login ($calls calls seen by pkcs11-spy)"
		fi
		rm -rf "$TMP/spy"
		APP_ARGS=--demo
	elif [ "${CI:-}" = true ]; then
		echo "smoke-gui: FAIL no pkcs11-spy (opensc-pkcs11), demo token or qpdf for the refused-document check" >&2
		fail=1
	fi
fi

# The keyboard-only walk (#22) on its own 1366×768 screen, HOME and fresh
# token behind pkcs11-spy; then the window's size at FYNE_SCALE=1.5.
bash scripts/smoke-kbwalk.sh "$TMP/certigna-desktop" "$OUT" || fail=1

# Without --demo: whatever this machine has (here OpenSC, no token): a loaded
# middleware is kept so a token plugged in later shows; no demo unasked.
APP_ARGS=""
shot 10-no-demo token fr
if grep -q "Démo" "$TMP/app-10-no-demo.log" 2>/dev/null; then
	echo "smoke-gui: FAIL the demo token was used without --demo" >&2
	fail=1
fi

if ! ls "$HOME/Documents/"*-signé.pdf >/dev/null 2>&1; then
	echo "smoke-gui: FAIL the sample document was not signed through the window" >&2
	fail=1
fi

if [ "$fail" -ne 0 ]; then
	echo "smoke-gui: FAILED" >&2
	exit 1
fi
echo "smoke-gui: all screenshots in $OUT"
