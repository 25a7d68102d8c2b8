#!/usr/bin/env bash
# Longer fuzzing, run by a developer before a release (not by test.sh): each
# fuzz target of pdfsign in turn for FUZZTIME (default 3m), seeded with the
# hostile set of issue #11 (internal/hostile) and testdata/fuzz/. A crash or
# a new failing input is written by Go under pdfsign/sign/testdata/fuzz/TARGET/:
# commit it with the fix, it then runs in every `go test`.
#
#   scripts/fuzz.sh                 # every target, 3 minutes each
#   FUZZTIME=30s scripts/fuzz.sh FuzzReader FuzzVerify
#
# Each worker is bounded like a user's run (GOMEMLIMIT), so a memory bomb
# that the reader's limits miss shows up as a failure, not as a machine
# brought down.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"

fuzztime=${FUZZTIME:-3m}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	mapfile -t targets < <(grep -ho '^func Fuzz[A-Za-z0-9_]*' pdfsign/sign/*_test.go | sed 's/^func //' | sort -u)
fi
parallel=${FUZZ_PARALLEL:-$(( $(nproc) > 1 ? $(nproc) / 2 : 1 ))}
export GOMEMLIMIT=${GOMEMLIMIT:-1GiB}

failed=()
for t in "${targets[@]}"; do
	printf '\n=== %s (%s, %s workers)\n' "$t" "$fuzztime" "$parallel"
	if ! go test ./pdfsign/sign -run '^$' -fuzz "^${t}\$" -fuzztime "$fuzztime" -fuzzminimizetime "${FUZZMINIMIZE:-10s}" -parallel "$parallel"; then
		failed+=("$t")
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: FAILED ${failed[*]} (inputs under pdfsign/sign/testdata/fuzz/)"
	exit 1
fi
echo "fuzz: ${#targets[@]} targets, no failure"
