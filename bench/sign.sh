#!/usr/bin/env bash
# Signing speed and memory on big PDFs, against sha256sum of the same file.
#
#   bash bench/sign.sh [WORKDIR]
#
# Generates a ~100 MB PDF holding one big image and a ~100 MB PDF of 5,000
# pages (plus quarter-size versions, to show how the cost grows with the
# size), then prints for each: our sign time ÷ sha256sum time (medians of
# 5 runs, interleaved so that both see the same machine load) and our peak
# RSS (maximum over the runs, from GNU time). Targets: ≤ 1.5 × and ≤ 64 MB.
# Then the CLI as a user runs it on the 100 MB files (process start, module
# load, login on a SoftHSM2 token, the signature, the verification pass that
# reads the output back from disk), against sha256sum in the same run:
# aim ≤ 0.5 × and ≤ 40 MB.
# Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "install the 'time' package (GNU time)" >&2; exit 1; }
if [ $# -ge 1 ]; then work=$1; mkdir -p "$work"; else work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
go build -o "$work/pdfbench" ./bench/pdfbench
go build -o "$work/certigna-desktop" ./cmd/certigna-desktop
# Run as an installed program is: its file read from the disk, not from the
# page cache as the Go linker wrote it. Here (Linux 6.18, ext4) the linker's
# output sits in large page-cache folios and every one a process touches is
# mapped whole: the same binary shows ~12 MB more RSS (`--version`: 32 MB
# against 20 MB read from the disk, or copied with cp). FRESH=1 keeps the
# linker's pages.
if [ -z "${FRESH:-}" ]; then
    for b in "$work/pdfbench" "$work/certigna-desktop"; do
        sync "$b" && dd if="$b" iflag=nocache count=0 status=none
    done
fi
source bench/softhsm-token.sh  # $mod, $pin, key id 01
bin=$work/pdfbench
runs=${RUNS:-5}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure NAME: signs $work/NAME.pdf $runs times, hashes it as often.
measure() {
    local name=$1 f=$work/$1.pdf out=$work/$1-signed.pdf
    local s=() h=() rss=0 t m
    for _ in $(seq "$runs"); do
        rm -f "$out"
        read -r t m < <({ /usr/bin/time -f '%e %M' "$bin" sign "$f" "$out" >/dev/null; } 2>&1 | tail -1)
        s+=("$t"); [ "$m" -gt "$rss" ] && rss=$m
        read -r t m < <({ /usr/bin/time -f '%e %M' sha256sum "$f" >/dev/null; } 2>&1 | tail -1)
        h+=("$t")
    done
    local ms mh size
    ms=$(printf '%s\n' "${s[@]}" | median)
    mh=$(printf '%s\n' "${h[@]}" | median)
    size=$(stat -c %s "$f")
    awk -v n="$name" -v sz="$size" -v ms="$ms" -v mh="$mh" -v rss="$rss" 'BEGIN {
        r = (mh > 0 ? ms / mh : 0)
        printf "%-14s %8.1f %8.2f %10.2f %7.2f %9.1f  %s\n", n, sz/1048576, ms, mh, r, rss/1024,
            (r <= 1.5 && rss <= 65536 ? "ok" : "OVER TARGET")
    }'
    if command -v pdfsig >/dev/null; then
        pdfsig "$out" 2>/dev/null | grep -q "Signature is Valid" || { echo "pdfsig does not validate $out" >&2; exit 1; }
    fi
    [ -n "${KEEP:-}" ] || rm -f "$f" "$out"
}

# measure_cli NAME: `certigna-desktop sign` (PIN on stdin) on $work/NAME.pdf
# $runs times against sha256sum, interleaved.
measure_cli() {
    local name=$1 f=$work/$1.pdf out=$work/$1-signed.pdf
    local s=() h=() rss=0 t m
    for _ in $(seq "$runs"); do
        rm -f "$out"
        echo "$pin" | /usr/bin/time -o "$work/t.txt" -f '%e %M' "$work/certigna-desktop" --module "$mod" sign "$f" -o "$out" --cert 01 >/dev/null 2>"$work/cli.err" ||
            { cat "$work/cli.err" >&2; exit 1; }
        read -r t m < "$work/t.txt"
        s+=("$t"); [ "$m" -gt "$rss" ] && rss=$m
        read -r t m < <({ /usr/bin/time -f '%e %M' sha256sum "$f" >/dev/null; } 2>&1 | tail -1)
        h+=("$t")
    done
    local ms mh size
    ms=$(printf '%s\n' "${s[@]}" | median)
    mh=$(printf '%s\n' "${h[@]}" | median)
    size=$(stat -c %s "$f")
    awk -v n="cli $name" -v sz="$size" -v ms="$ms" -v mh="$mh" -v rss="$rss" 'BEGIN {
        r = (mh > 0 ? ms / mh : 0)
        printf "%-18s %8.1f %8.2f %10.2f %7.2f %9.1f  %s\n", n, sz/1048576, ms, mh, r, rss/1024,
            (r <= 0.5 && rss <= 40960 ? "ok" : "OVER AIM (0.5x, 40 MB)")
    }'
    rm -f "$f" "$out"
}

printf '%-14s %8s %8s %10s %7s %9s\n' file MB sign_s sha256_s ratio peak_MB
if [ -z "${ONLY_CLI:-}" ]; then  # ONLY_CLI=1: the CLI lines only
    "$bin" gen-image "$work/image-25MB.pdf" 25 && measure image-25MB
    "$bin" gen-image "$work/image-100MB.pdf" 100 && measure image-100MB
    "$bin" gen-pages "$work/pages-1250.pdf" 1250 && measure pages-1250
    "$bin" gen-pages "$work/pages-5000.pdf" 5000 && measure pages-5000
fi
"$bin" gen-image "$work/image-100MB.pdf" 100 && measure_cli image-100MB
"$bin" gen-pages "$work/pages-5000.pdf" 5000 && measure_cli pages-5000
