#!/usr/bin/env bash
# The run command: set up on a fresh Debian machine, build, and start the app.
#   scripts/run.sh            the desktop window
#   scripts/run.sh status     any CLI verb (see: scripts/run.sh help)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/setup.sh" run
exec "$root/build/certigna-desktop" "$@"
