# Helpers for the scripts that drive the real window under Xvfb
# (smoke-gui.sh, smoke-kbwalk.sh). Source it; it defines functions only.

# start_xvfb WxH: an Xvfb on the first free display from :99 (no lock
# file), waited for; sets XPID and exports DISPLAY.
start_xvfb() {
	local d=99
	while [ -e "/tmp/.X$d-lock" ] || [ -e "/tmp/.X11-unix/X$d" ]; do d=$((d + 1)); done
	# -noreset: an Xvfb resets when its last client leaves (the readiness
	# probe, an app stopped between two shots) and refuses connections
	# meanwhile: "X11: Failed to open display" for the next app
	Xvfb ":$d" -screen 0 "$1x24" -nolisten tcp -noreset >/dev/null 2>&1 &
	XPID=$!
	for _ in $(seq 50); do
		xdpyinfo -display ":$d" >/dev/null 2>&1 && break
		sleep 0.1
	done
	export DISPLAY=":$d" LIBGL_ALWAYS_SOFTWARE=1
	# the window's own file dialogs: the walks type paths in them (a zenity
	# or portal dialog would take the keys; ui/files.go)
	export CERTIGNA_FILE_DIALOG=window
}

# wait_window PID: prints the app's window id once it is there and no longer
# blank (the first frame, the first token poll), or nothing when the app
# ended or 60 s passed.
wait_window() {
	local wid="" probe
	probe=$(mktemp /tmp/certigna-probe.XXXXXX.png)
	for _ in $(seq 600); do
		wid=$(xdotool search --name "Certigna Desktop" 2>/dev/null | head -1 || true)
		[ -n "$wid" ] && break
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if [ -n "$wid" ]; then
		for _ in $(seq 40); do
			sleep 0.5
			import -window "$wid" "$probe" 2>/dev/null || continue
			[ "$(identify -format '%k' "$probe")" -ge 20 ] && break
		done
	fi
	rm -f "$probe"
	echo "$wid"
}

# ui/theme.go's colours, as the screenshots show them: primary, error and
# success text, the focus ring, and the success banner's tint (the success
# green over the page)
BLUE='#0b5cad' RED='#a3221b' GREEN='#186326' RING='#e07a00' SUCCESS_TINT='#cfded4'
export BLUE RED GREEN RING SUCCESS_TINT

# colour_px PNG HEX [FUZZ]: pixels near colour HEX (within FUZZ, 12 % by
# default) in the window's body (right of the navigation, whose current
# item is also blue).
colour_px() {
	convert "$1" -crop +165+0 +repage -fuzz "${3:-12%}" -fill '#ff00ff' -opaque "$2" \
		-fill black +opaque '#ff00ff' -fill white -opaque '#ff00ff' -format '%[fx:int(mean*w*h)]' info:
}

# nav_current PNG: the navigation's current item (blue) as its screen name,
# from its row (items 40.6 px apart at scale 1), or "none".
nav_current() {
	local y
	y=$(convert "$1" -crop 160x500+0+60 +repage -fuzz 10% -fill white +opaque '#0b5cad' -trim -format '%Y' info: 2>/dev/null | tr -d '+' || true)
	local names=(guide driver token pin sign verify browsers about)
	local i=$(((${y:-9999} - 6 + 20) * 10 / 406))
	if [ -n "$y" ] && [ "$i" -ge 0 ] && [ "$i" -lt 8 ]; then
		echo "${names[$i]}"
	else
		echo none
	fi
}

# fits_screen WID W H: the window (frame included as X reports it) lies
# within a W×H screen; prints its geometry.
fits_screen() {
	local X Y WIDTH HEIGHT
	eval "$(xdotool getwindowgeometry --shell "$1" | grep -E '^(X|Y|WIDTH|HEIGHT)=')"
	echo "${WIDTH}x${HEIGHT} at $X,$Y"
	[ "$X" -ge 0 ] && [ "$Y" -ge 0 ] && [ $((X + WIDTH)) -le "$2" ] && [ $((Y + HEIGHT)) -le "$3" ]
}

# stop_app: stops the app whose pid is in APID (none: nothing): TERM, then
# KILL if it has not exited within 5 s.
stop_app() {
	[ -n "$APID" ] || return 0
	kill "$APID" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$APID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$APID" 2>/dev/null || true
	wait "$APID" 2>/dev/null || true
	APID=""
}
