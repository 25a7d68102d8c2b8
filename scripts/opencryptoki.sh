#!/usr/bin/env bash
# Start or stop opencryptoki's software token for the tests: the only soft token
# on Linux with a real PIN lockout (count low → final try → locked).
#   scripts/opencryptoki.sh start   configure the sw token as slot 0, start pkcsslotd
#   scripts/opencryptoki.sh stop    stop the pkcsslotd this script started (by pid)
#   scripts/opencryptoki.sh run -- CMD...
#       run CMD (with CERTIGNA_OCK=1) next to a pkcsslotd of its own, in private
#       mount, IPC and pid namespaces: opencryptoki's fixed paths (/etc/opencryptoki,
#       /var/lib/opencryptoki, /var/lock/opencryptoki, /var/log/opencryptoki, the
#       daemon's pid file and socket in /run) and its shared memory (System V, and
#       POSIX in /dev/shm) are private copies, so two test runs on one machine, or a
#       system pkcsslotd, never share a token. Everything goes away with CMD.
# start/stop are idempotent. Needs root (fixed system paths). The token itself is
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

# The configuration the tests expect: one slot, the software token.
write_conf() {
  mkdir -p "$(dirname "$1")"
  cat >"$1" <<'CONFEOF'
# Written by certigna-desktop scripts/opencryptoki.sh: the software token only.
version opencryptoki-3.1

slot 0
{
stdll = libpkcs11_sw.so
tokname = swtok
}
CONFEOF
}

run() {
  [ "$(id -u)" = 0 ] || { echo "opencryptoki.sh: needs root" >&2; exit 1; }
  [ -x "$SLOTD" ] || { echo "opencryptoki.sh: $SLOTD missing (apt-get install opencryptoki)" >&2; exit 1; }
  command -v unshare >/dev/null || { echo "opencryptoki.sh: unshare missing (util-linux)" >&2; exit 1; }
  getent group pkcs11 >/dev/null || groupadd --system pkcs11
  # --fork --pid: CMD's tree lives in its own pid namespace; when it ends, the
  # kernel kills what is left in it (the daemon included). --mount-proc: a
  # /proc of that namespace, so the daemon's own checks see only it.
  # --kill-child: if this script is killed, the namespace (and its daemon) goes too.
  exec unshare --mount --ipc --pid --fork --kill-child --mount-proc --propagation private -- bash "$0" inside "$@"
}

# inside -- CMD...: runs in the new namespaces (see run).
inside() {
  [ "${1:-}" = -- ] && shift
  local priv d e rc
  priv=$(mktemp -d /tmp/certigna-ock-ns.XXXXXX)
  # /run: a private tmpfs (the daemon's pid file and socket, /run/lock which is
  # /var/lock), with everything else of the machine's /run bound back in.
  mkdir "$priv/run.orig"
  mount --bind /run "$priv/run.orig"
  mount -t tmpfs -o mode=0755 certigna-ock-run /run
  for e in "$priv/run.orig"/* "$priv/run.orig"/.[!.]*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    d=/run/${e##*/}
    # mount: libmount's table of this namespace's mounts, which must not go
    # into the machine's.
    case ${e##*/} in pkcsslotd.pid | pkcsslotd.socket | lock | opencryptoki | mount) continue ;; esac
    if [ -L "$e" ]; then cp -a "$e" "$d"
    elif [ -d "$e" ]; then mkdir "$d" && mount --rbind "$e" "$d"
    else : >"$d" && mount --bind "$e" "$d"; fi
  done
  mkdir -p /run/lock && chmod 1777 /run/lock
  for e in "$priv/run.orig/lock"/*; do
    [ -e "$e" ] || continue
    case ${e##*/} in opencryptoki) continue ;; esac
    d=/run/lock/${e##*/}
    if [ -d "$e" ]; then mkdir "$d" && mount --rbind "$e" "$d"; else : >"$d" && mount --bind "$e" "$d"; fi
  done
  # POSIX shared memory (the token's shm_open) lives in /dev/shm, which an IPC
  # namespace does not cover.
  mount -t tmpfs -o mode=1777 certigna-ock-shm /dev/shm
  # Private copies of opencryptoki's own folders.
  for d in etc lib log; do mkdir -p "$priv/$d"; done
  write_conf "$priv/etc/opencryptoki.conf"
  mkdir -p /etc/opencryptoki /var/lib/opencryptoki /var/log/opencryptoki
  mount --bind "$priv/etc" /etc/opencryptoki
  mount --bind "$priv/lib" /var/lib/opencryptoki
  mount --bind "$priv/log" /var/log/opencryptoki
  for d in /var/lib/opencryptoki /var/lib/opencryptoki/swtok /var/lib/opencryptoki/swtok/TOK_OBJ \
           /run/lock/opencryptoki /run/lock/opencryptoki/swtok /var/log/opencryptoki; do
    mkdir -p "$d"
    chgrp pkcs11 "$d"
    chmod 0770 "$d"
  done
  "$SLOTD" || { echo "opencryptoki.sh: pkcsslotd did not start" >&2; exit 1; }
  for _ in $(seq 50); do
    [ -S /run/pkcsslotd.socket ] && break
    sleep 0.1
  done
  [ -S /run/pkcsslotd.socket ] || { echo "opencryptoki.sh: pkcsslotd did not start" >&2; exit 1; }
  CERTIGNA_OCK=1 "$@"
  rc=$?
  [ -s /run/pkcsslotd.pid ] && kill "$(cat /run/pkcsslotd.pid)" 2>/dev/null
  # The mounts end with the namespace; the private folders' contents do not.
  umount -l /etc/opencryptoki /var/lib/opencryptoki /var/log/opencryptoki "$priv/run.orig" 2>/dev/null
  rm -rf --one-file-system "$priv"
  exit $rc
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
  run) shift; [ "${1:-}" = -- ] && shift; run -- "$@" ;;
  inside) shift; inside "$@" ;;
  *) echo "usage: $0 start|stop|run -- CMD..." >&2; exit 2 ;;
esac
