#!/usr/bin/env bash
# Start-up of the window: launch → first non-blank frame, under Xvfb.
#
#   bash bench/startup.sh            (RUNS=5 by default)
#
# Builds the binary, starts Xvfb on a free display, then launches the app
# RUNS times in each of two cases, interleaved so both see the same machine
# load: "demo" (a module and a token: the demo SoftHSM2 token, created once
# before timing) and "none" (no module: --module names a file that does not
# exist). For each launch it polls the window (xdotool) and its pixels
# (ImageMagick) until the frame has content (≥ 20 colours), and prints the
# median time of each case. Target: ≤ 1 s on an idle machine. The first frame
# must never wait for discovery or the token (ui.App.Start runs them in the
# background): both cases should be alike. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
for t in Xvfb xdotool import identify xdpyinfo; do
	command -v "$t" >/dev/null || { echo "startup: needs $t (apt-get install xvfb xdotool imagemagick x11-utils)" >&2; exit 1; }
done
runs=${RUNS:-5}
TMP=$(mktemp -d /tmp/certigna-startup.XXXXXX)
XPID="" APID=""
cleanup() {
	[ -n "$APID" ] && kill "$APID" 2>/dev/null || true
	[ -n "$XPID" ] && kill "$XPID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
go build -o "$TMP/certigna-desktop" ./cmd/certigna-desktop

D=120
while [ -e "/tmp/.X$D-lock" ] || [ -e "/tmp/.X11-unix/X$D" ]; do D=$((D + 1)); done
Xvfb ":$D" -screen 0 1280x900x24 -nolisten tcp -noreset >"$TMP/xvfb.log" 2>&1 &  # -noreset: see scripts/lib/xwin.sh
XPID=$!
for _ in $(seq 50); do xdpyinfo -display ":$D" >/dev/null 2>&1 && break; sleep 0.1; done
export DISPLAY=":$D" LIBGL_ALWAYS_SOFTWARE=1
export HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/home/.config" XDG_CACHE_HOME="$TMP/home/.cache"
mkdir -p "$HOME/Documents"
unset CERTIGNA_PKCS11_MODULE SOFTHSM2_CONF

now() { date +%s%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# launch ARGS…: ms from exec to the first frame with content, or "fail".
launch() {
	local t0 wid="" n=0
	t0=$(now)
	"$TMP/certigna-desktop" "$@" --lang fr >"$TMP/app.log" 2>&1 &
	APID=$!
	while [ $(( ($(now) - t0) / 1000000 )) -lt 30000 ]; do
		[ -z "$wid" ] && wid=$(xdotool search --name "Certigna Desktop" 2>/dev/null | head -1 || true)
		if [ -n "$wid" ]; then
			n=$(import -window "$wid" png:- 2>/dev/null | identify -format '%k' - 2>/dev/null || echo 0)
			if [ "${n:-0}" -ge 20 ]; then
				echo $(( ($(now) - t0) / 1000000 ))
				break
			fi
		fi
		sleep 0.02
	done
	[ "${n:-0}" -ge 20 ] || echo fail
	kill "$APID" 2>/dev/null || true
	wait "$APID" 2>/dev/null || true
	APID=""
}

# the demo token is created once (SoftHSM2, a few seconds), not timed
launch --demo >/dev/null
demo=() none=()
for _ in $(seq "$runs"); do
	demo+=("$(launch --demo)")
	none+=("$(launch --module "$TMP/no-such-module.so")")
done
md=$(printf '%s\n' "${demo[@]}" | grep -v fail | median)
mn=$(printf '%s\n' "${none[@]}" | grep -v fail | median)
echo "startup: launch → first non-blank frame, median of $runs (ms)"
echo "  with a module (demo token): $md   [${demo[*]}]"
echo "  without a module:           $mn   [${none[*]}]"
if [ -n "$md" ] && [ -n "$mn" ]; then
	awk -v a="$md" -v b="$mn" 'BEGIN { printf "  ratio with/without: %.2f; target ≤ 1000 ms\n", a / b }'
fi
