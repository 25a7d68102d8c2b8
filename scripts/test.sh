#!/usr/bin/env bash
# The test command: set up on a fresh Debian machine (packages, opencryptoki's
# daemon), then run every test — gofmt, go vet, staticcheck, deadcode, Go
# unit/integration tests against real PKCS#11 tokens and real PDF validators,
# the GUI smoke test under Xvfb, and the packaging test. Cleans up what it started, by pid.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

lists=(run test)
[ -x scripts/test-packaging.sh ] && lists+=(package)
bash scripts/setup.sh "${lists[@]}" || { echo "setup failed"; echo "tests: 0 passed, 1 failed"; exit 1; }
command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"

work=$(mktemp -d /tmp/certigna-test.XXXXXX)
passed=0 failed=0 skipped=0
failures=()
cleanup() {
	rm -rf "$work"
}
trap cleanup EXIT

step() { # step NAME CMD...: runs one check, counts it
	local name=$1; shift
	printf '\n=== %s\n' "$name"
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$name")
		printf '!!! %s failed\n' "$name"
	fi
}

# The Go tests run next to a pkcsslotd of their own, in private mount, IPC and
# pid namespaces (scripts/opencryptoki.sh run): opencryptoki's state is per
# run, so two runs at once on one machine, or a system pkcsslotd, do not meet.
ocktest=()
if [ -x scripts/opencryptoki.sh ]; then
	if bash scripts/opencryptoki.sh run -- true; then
		ocktest=(bash scripts/opencryptoki.sh run --)
	else
		failed=$((failed + 1)); failures+=("opencryptoki start")
	fi
fi

gofmt_clean() { local out; out=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); [ -z "$out" ] || { echo "gofmt: $out"; return 1; }; }
step "gofmt" gofmt_clean
step "go vet" go vet ./...

# Static analysis at pinned versions (go run pkg@version leaves go.mod alone):
# staticcheck, and deadcode for functions that neither a main nor a test reaches.
staticcheck_clean() { go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...; }
deadcode_clean() {
	local out
	out=$(go run golang.org/x/tools/cmd/deadcode@v0.52.0 -test ./...) || return 1
	[ -z "$out" ] || { echo "$out"; return 1; }
}
step "staticcheck" staticcheck_clean
step "deadcode" deadcode_clean

# go test -v into a log; the console gets package results and failures.
gotest() {
	"${ocktest[@]}" go test -count=1 -timeout 20m -v ./... >"$work/gotest.log" 2>&1
	local rc=$?
	grep -E '^(ok|FAIL|---|panic:|\?)' "$work/gotest.log" | grep -vE '^--- PASS' | grep -vE '^\?' || true
	local p f s
	p=$(grep -cE '^\s*--- PASS' "$work/gotest.log"); f=$(grep -cE '^\s*--- FAIL' "$work/gotest.log"); s=$(grep -cE '^\s*--- SKIP' "$work/gotest.log")
	echo "go test: $p passed, $f failed, $s skipped"
	if [ "$s" -gt 0 ]; then grep -E -A2 '^\s*--- SKIP' "$work/gotest.log" | head -40; fi
	if [ $rc -ne 0 ]; then
		echo "--- failing output (tail):"; grep -E -B30 '^\s*--- FAIL|^FAIL|panic:' "$work/gotest.log" | tail -150
	fi
	gotest_passed=$p gotest_failed=$f gotest_skipped=$s
	return $rc
}
gotest_passed=0 gotest_failed=0 gotest_skipped=0
step "go test ./..." gotest

[ -x scripts/smoke-gui.sh ] && step "GUI smoke test (Xvfb)" bash scripts/smoke-gui.sh "$work/screenshots"
[ -x scripts/test-packaging.sh ] && step "packaging" bash scripts/test-packaging.sh

printf '\n'
[ ${#failures[@]} -eq 0 ] || printf 'failed steps: %s\n' "${failures[*]}"
# The go test step is reported as its individual tests; a go test that failed
# without a failing test (a build error) still counts as one failure.
other_passed=$passed other_failed=$failed
if [[ " ${failures[*]-} " == *" go test ./... "* ]]; then
	other_failed=$((other_failed - 1)); [ "$gotest_failed" -gt 0 ] || gotest_failed=1
else
	other_passed=$((other_passed - 1))
fi
echo "tests: $((other_passed + gotest_passed)) passed, $((other_failed + gotest_failed)) failed, $gotest_skipped skipped"
[ "$failed" -eq 0 ]
