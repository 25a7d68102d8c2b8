#!/usr/bin/env bash
# The sign screen's first preview: page 1 shown after a document is chosen.
#
#   bash bench/preview.sh [WORKDIR]
#
# Files: a 100-page text document, the ~100 MB one-image PDF and the ~100 MB
# 5,000-page PDF of bench/sign.sh. For each, in fresh processes (medians of
# RUNS=5): the renderer's start-up (WebAssembly PDFium, compiled code cached
# in the user cache directory after the first run), opening the file, and
# drawing page 1 at the window's resolution (~1000 px on the long side);
# "first preview" = open + the first picture of page 1 with the engine
# already started (the window starts it when the sign screen opens), aim
# ≤ 300 ms on a quiet machine: the page whole, or for a page with huge
# images the quick picture without them (quick_ms; "-" when the page has
# none) shown while the page is drawn whole ("full" = open + quick + page
# 1); peak RSS of the whole process (GNU time). Reference in the same run:
# pdftoppm (poppler, native code) drawing the same page at the same size;
# ratio = full / pdftoppm. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "install the 'time' package (GNU time)" >&2; exit 1; }
if [ $# -ge 1 ]; then work=$1; mkdir -p "$work"; else work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
go build -o "$work/pdfbench" ./bench/pdfbench
go build -o "$work/previewbench" ./bench/previewbench
runs=${RUNS:-5}
[ -f "$work/pages100.pdf" ] || "$work/pdfbench" gen-pages "$work/pages100.pdf" 100
[ -f "$work/image100mb.pdf" ] || "$work/pdfbench" gen-image "$work/image100mb.pdf" 100
[ -f "$work/pages5000.pdf" ] || "$work/pdfbench" gen-pages "$work/pages5000.pdf" 5000

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# the first run fills the compiled-code cache (reported apart: once per install)
cold=$( { /usr/bin/time -f '%e' env XDG_CACHE_HOME="$work/cache-cold-$$" "$work/previewbench" "$work/pages100.pdf" >/dev/null; } 2>&1 | tail -1)
echo "renderer first start with an empty code cache (once per install): ${cold}s"
printf '%-14s %6s %10s %8s %8s %8s %8s %8s %11s %6s %7s\n' file MB startup_ms open_ms quick_ms page1_ms first_ms full_ms pdftoppm_ms ratio rss_MB
for name in pages100 image100mb pages5000; do
    f=$work/$name.pdf
    st=() op=() qk=() pg=() fi=() fu=() pp=() rss=0
    for _ in $(seq "$runs"); do
        read -r s _ _ _ <<< "$("$work/previewbench" "$f")"
        st+=("$s")
        read -r _ o p q m <<< "$({ /usr/bin/time -f '%M' "$work/previewbench" warm "$f"; } 2>&1 | tr '\n' ' ')"
        op+=("$o"); pg+=("$p"); qk+=("$q")
        fi+=("$(awk -v a="$o" -v b="$p" -v q="$q" 'BEGIN{print (q >= 0 ? a+q : a+b)}')")
        fu+=("$(awk -v a="$o" -v b="$p" -v q="$q" 'BEGIN{print a+b+(q >= 0 ? q : 0)}')")
        [ "$m" -gt "$rss" ] && rss=$m
        t0=$(date +%s.%N)
        pdftoppm -f 1 -l 1 -scale-to 1000 -png "$f" "$work/ref" >/dev/null 2>&1
        pp+=("$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{print (b-a)*1000}')")
    done
    awk -v n="$name" -v sz="$(stat -c %s "$f")" -v s="$(printf '%s\n' "${st[@]}" | median)" \
        -v o="$(printf '%s\n' "${op[@]}" | median)" -v p="$(printf '%s\n' "${pg[@]}" | median)" \
        -v q="$(printf '%s\n' "${qk[@]}" | median)" -v fu="$(printf '%s\n' "${fu[@]}" | median)" \
        -v fi="$(printf '%s\n' "${fi[@]}" | median)" -v pp="$(printf '%s\n' "${pp[@]}" | median)" -v rss="$rss" 'BEGIN {
        qs = (q >= 0 ? sprintf("%.1f", q) : "-")
        printf "%-14s %6.1f %10.1f %8.1f %8s %8.1f %8.1f %8.1f %11.1f %6.2f %7.1f\n", n, sz/1048576, s, o, qs, p, fi, fu, pp, (pp > 0 ? fu/pp : 0), rss/1024 }'
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
