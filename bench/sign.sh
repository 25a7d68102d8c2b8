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

# timed CMD...: runs CMD (standard input passed on) and sets t (seconds,
# from the shell's clock to the millisecond: GNU time's %e counts in 10 ms
# steps, 6 % of a 0.17 s run) and m (peak RSS in KiB, from GNU time).
timed() {
    local s e
    s=$(date +%s%N)
    /usr/bin/time -o "$work/t.txt" -f '%M' "$@" >/dev/null 2>"$work/cmd.err" || { cat "$work/cmd.err" >&2; exit 1; }
    e=$(date +%s%N)
    t=$(awk -v d=$((e - s)) 'BEGIN {printf "%.4f", d / 1e9}')
    m=$(cat "$work/t.txt")
}
printf '%s\n' "$pin" > "$work/pin.txt"  # the throwaway bench token's PIN, for the CLI's standard input

# measure NAME HOW RATIO_AIM RSS_AIM_KB: signs $work/NAME.pdf $runs times
# (HOW: lib, the library alone through pdfbench; cli, the CLI as a user runs
# it, PIN on standard input) and hashes it as often, interleaved so that both see the same
# machine load; prints the medians, their ratio and the peak RSS.
measure() {
    local name=$1 how=$2 aim=$3 rssaim=$4 f=$work/$1.pdf out=$work/$1-signed.pdf
    local s=() h=() rss=0 t m
    sync  # the generated file's write-back, not ours to measure
    for _ in $(seq "$runs"); do
        rm -f "$out"
        if [ "$how" = cli ]; then
            timed "$work/certigna-desktop" --module "$mod" sign "$f" -o "$out" --cert 01 < "$work/pin.txt"
        else
            timed "$bin" sign "$f" "$out"
        fi
        s+=("$t"); [ "$m" -gt "$rss" ] && rss=$m
        timed sha256sum "$f"
        h+=("$t")
    done
    local ms mh size label=$name
    [ "$how" = cli ] && label="cli $name"
    ms=$(printf '%s\n' "${s[@]}" | median)
    mh=$(printf '%s\n' "${h[@]}" | median)
    size=$(stat -c %s "$f")
    awk -v n="$label" -v sz="$size" -v ms="$ms" -v mh="$mh" -v rss="$rss" -v aim="$aim" -v rssaim="$rssaim" 'BEGIN {
        r = (mh > 0 ? ms / mh : 0)
        printf "%-18s %8.1f %8.3f %10.3f %7.2f %9.1f  %s\n", n, sz/1048576, ms, mh, r, rss/1024,
            (r <= aim && rss <= rssaim ? "ok" : sprintf("OVER AIM (%sx, %d MB)", aim, rssaim/1024))
    }'
    if [ "$how" = lib ] && command -v pdfsig >/dev/null; then
        pdfsig "$out" 2>/dev/null | grep -q "Signature is Valid" || { echo "pdfsig does not validate $out" >&2; exit 1; }
    fi
    [ -n "${KEEP:-}" ] || rm -f "$f" "$out"
}

printf '%-18s %8s %8s %10s %7s %9s\n' file MB sign_s sha256_s ratio peak_MB
if [ -z "${ONLY_CLI:-}" ]; then  # ONLY_CLI=1: the CLI lines only
    "$bin" gen-image "$work/image-25MB.pdf" 25 && measure image-25MB lib 1.5 65536
    "$bin" gen-image "$work/image-100MB.pdf" 100 && measure image-100MB lib 1.5 65536
    "$bin" gen-pages "$work/pages-1250.pdf" 1250 && measure pages-1250 lib 1.5 65536
    "$bin" gen-pages "$work/pages-5000.pdf" 5000 && measure pages-5000 lib 1.5 65536
fi
"$bin" gen-image "$work/image-100MB.pdf" 100 && measure image-100MB cli 0.5 40960
"$bin" gen-pages "$work/pages-5000.pdf" 5000 && measure pages-5000 cli 0.5 40960
