#!/usr/bin/env bash
# Many small PDFs with one PIN (issue #14): per-file overhead above the
# token's own signature time, and peak RSS flat in the number of files.
#
#   bash bench/batch.sh [N]        (default N = 1000)
#
# Makes a SoftHSM2 token in a temporary directory (EC P-256 key + a
# certificate from a throwaway CA), then
#  1. bench/batchbench: N raw token signatures, then N pdfsign.Sign calls
#     with the same logged-in signer → time per file minus the token's time;
#     peak RSS after N/10 and after N files;
#  2. the CLI as a user runs it: `certigna-desktop sign` on the N files
#     (one PIN, one login, each output verified) under GNU time.
# Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
[ -x /usr/bin/time ] || { echo "install the 'time' package (GNU time)" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
source bench/softhsm-token.sh  # $mod, $pin, key id 01, in $work

go build -o "$work/batchbench" ./bench/batchbench
go build -o "$work/certigna-desktop" ./cmd/certigna-desktop
mkdir -p "$work/a" "$work/b" "$work/out"
echo "== pdfsign with one logged-in signer"
echo $pin | "$work/batchbench" "$mod" 01 "$work/a" "$n"
echo "== the CLI: sign ${n} files, one PIN, each output verified"
cp "$work"/a/doc-*[0-9].pdf "$work/b/" 2>/dev/null || true
rm -f "$work"/b/*-signed.pdf
echo $pin | /usr/bin/time -o "$work/time.txt" -f '%e %M' "$work/certigna-desktop" --module "$mod" sign \
    --out-dir "$work/out" --cert 01 "$work"/b/*.pdf >/dev/null 2>"$work/cli.err" || { tail -5 "$work/cli.err"; exit 1; }
read -r t rss < <(tail -1 "$work/time.txt")
signed=$(ls "$work/out" | wc -l)
awk -v t="$t" -v rss="$rss" -v n="$n" -v s="$signed" 'BEGIN {
    printf "signed %d of %d in %.2f s: %.2f ms per file (process start → last file verified), peak RSS %.1f MB\n", s, n, t, t*1000/n, rss/1024 }'
