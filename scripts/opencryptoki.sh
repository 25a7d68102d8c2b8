#!/usr/bin/env bash
# Start or stop opencryptoki's software token for the tests: the only soft token
# on Linux with a real PIN lockout (count low → final try → locked).
#   scripts/opencryptoki.sh start   configure the sw token as slot 0, start pkcsslotd
#   scripts/opencryptoki.sh stop    stop the pkcsslotd this script started (by pid)
# Both are idempotent. Needs root (fixed system paths). The token itself is
# (re)initialised by each test through internal/testtoken.OpenCryptoki.
set -euo pipefail

PIDFILE=${CERTIGNA_OCK_PIDFILE:-/tmp/certigna-pkcsslotd.pid}
CONF=/etc/opencryptoki/opencryptoki.conf
SLOTD=/usr/sbin/pkcsslotd
SLOTD_PIDFILE=/run/pkcsslotd.pid

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

start() {
  [ "$(id -u)" = 0 ] || { echo "opencryptoki.sh: needs root" >&2; exit 1; }
  [ -x "$SLOTD" ] || { echo "opencryptoki.sh: $SLOTD missing (apt-get install opencryptoki)" >&2; exit 1; }
  if [ -f "$PIDFILE" ] && alive "$(cat "$PIDFILE")"; then
    echo "pkcsslotd already running (pid $(cat "$PIDFILE"))"
    return 0
  fi
  if [ -f "$SLOTD_PIDFILE" ] && alive "$(cat "$SLOTD_PIDFILE")"; then
    # Started by someone else: use it, but leave it to them to stop.
    echo "pkcsslotd already running (pid $(cat "$SLOTD_PIDFILE"), not started by this script)"
    return 0
  fi
  getent group pkcs11 >/dev/null || groupadd --system pkcs11
  # One slot, the software token: slot 0 is what the tests expect.
  if [ -f "$CONF" ] && ! grep -q 'certigna-desktop' "$CONF"; then
    cp -n "$CONF" "$CONF.certigna-orig" || true
  fi
  mkdir -p "$(dirname "$CONF")"
  cat >"$CONF" <<'CONFEOF'
# Written by certigna-desktop scripts/opencryptoki.sh: the software token only.
version opencryptoki-3.1

slot 0
{
stdll = libpkcs11_sw.so
tokname = swtok
}
CONFEOF
  for d in /var/lib/opencryptoki /var/lib/opencryptoki/swtok /var/lib/opencryptoki/swtok/TOK_OBJ \
           /var/lock/opencryptoki /var/lock/opencryptoki/swtok /var/log/opencryptoki; do
    mkdir -p "$d"
    chgrp pkcs11 "$d"
    chmod 0770 "$d"
  done
  rm -f "$SLOTD_PIDFILE"
  # The daemon inherits our open files: close all but stdin/out/err, or it
  # would keep e.g. a caller's flock on /tmp/certigna-ock.lock forever.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null || true
    done
    exec "$SLOTD"
  )
  for _ in $(seq 50); do
    if [ -s "$SLOTD_PIDFILE" ] && alive "$(cat "$SLOTD_PIDFILE")"; then
      cp "$SLOTD_PIDFILE" "$PIDFILE"
      echo "pkcsslotd started (pid $(cat "$PIDFILE"))"
      return 0
    fi
    sleep 0.1
  done
  echo "opencryptoki.sh: pkcsslotd did not start" >&2
  exit 1
}

stop() {
  [ -f "$PIDFILE" ] || { echo "pkcsslotd not started by this script"; return 0; }
  pid=$(cat "$PIDFILE")
  if alive "$pid"; then
    kill "$pid"
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  # Put the system's configuration back.
  if [ -f "$CONF.certigna-orig" ]; then mv "$CONF.certigna-orig" "$CONF"; fi
  echo "pkcsslotd stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
