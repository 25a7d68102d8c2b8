#!/usr/bin/env bash
# Installs what the app needs on a Debian machine, then builds it.
#   scripts/setup.sh [run] [test] [package]   (lists in scripts/packages/*.txt)
# Idempotent and quiet when everything is already there. Needs root for apt
# (uses sudo when not root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
lists=("$@")
[ ${#lists[@]} -gt 0 ] || lists=(run)

say() { printf 'setup: %s\n' "$*" >&2; }

# Go: the toolchain is not taken from Debian (bookworm's is too old); use the
# one on PATH or in /usr/local/go. Any Go >= 1.21 fetches the go.mod version
# itself through the module proxy (GOTOOLCHAIN=auto).
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	export PATH="/usr/local/go/bin:$PATH"
fi
if ! command -v go >/dev/null 2>&1; then
	say "Go is not installed. Install Go 1.26 from go.dev/dl into /usr/local/go, then run this again."
	exit 1
fi

wanted=()
for l in "${lists[@]}"; do
	f="$here/packages/$l.txt"
	[ -f "$f" ] || { say "no package list $f"; exit 1; }
	while read -r p; do
		p=${p%%#*}
		p=$(echo "$p" | tr -d '[:space:]')
		[ -n "$p" ] && wanted+=("$p")
	done <"$f"
done
missing=()
for p in $(printf '%s\n' "${wanted[@]}" | sort -u); do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# One apt at a time: parallel callers (tests, packaging) wait here.
	$sudo flock /tmp/certigna-apt.lock apt-get update -qq
	$sudo flock /tmp/certigna-apt.lock apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cd "$root"
mkdir -p build
go build -o build/certigna-desktop ./cmd/certigna-desktop
