#!/usr/bin/env bash
# test.sh: installs, builds and runs every test suite of hocvuso, on both storage backends:
#   unit (cmocka), API (node --test against a real server), browser (playwright-core driving
#   Debian's chromium); the unit and API suites again on an AddressSanitizer+UBSan build; the
#   file readers under libFuzzer for 45 s each (scripts/fuzz.sh).
# Ends with one line "N passed, N failed" summing every suite; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

bash scripts/install-deps.sh || { echo "install-deps failed"; echo "0 passed, 1 failed"; exit 1; }

WORK=$(mktemp -d /tmp/hocvuso-test.XXXXXX)
chmod 755 "$WORK"
PG_DIR="$WORK/pg"
cleanup() {
  bash tests/pg-server.sh stop "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PASSED=0
FAILED=0
SUMMARY=()
record() { # suite passed failed
  PASSED=$((PASSED + $2)); FAILED=$((FAILED + $3))
  SUMMARY+=("$(printf '%-34s %4d passed, %3d failed' "$1" "$2" "$3")")
}

build() { # dir [meson options…]
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >"$WORK/meson-$dir.log" 2>&1 || { cat "$WORK/meson-$dir.log"; return 1; }
  fi
  ninja -C "$dir" >"$WORK/ninja-$dir.log" 2>&1 || { tail -50 "$WORK/ninja-$dir.log"; return 1; }
}

echo "== build"
if ! build build; then record "build" 0 1; fi
if ! build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug; then record "build (sanitizers)" 0 1; fi

echo "== PostgreSQL (throw-away server)"
PG_URI=$(bash tests/pg-server.sh start "$PG_DIR")
if [ -z "$PG_URI" ]; then echo "cannot start PostgreSQL"; record "postgresql server" 0 1; fi

# Runs every cmocka binary of a build dir; counts the tests cmocka reports.
unit_suite() { # label builddir [env…]
  local label=$1 dir=$2; shift 2
  local p=0 f=0 out
  for t in "$dir"/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    out=$(env CMOCKA_MESSAGE_OUTPUT=stdout "$@" "$t" 2>&1); local rc=$?
    echo "$out" | grep -E '^\[  FAILED  \]|^\[ +ERROR +\]|runtime error|AddressSanitizer|LeakSanitizer' | sed "s|^|  $(basename "$t"): |"
    local tp tf
    tp=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    tf=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed.*/\1/p' | awk '{s+=$1} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$tf" -eq 0 ]; then tf=1; echo "$out" | tail -20; fi
    p=$((p + tp)); f=$((f + tf))
  done
  record "$label" "$p" "$f"
}

# Runs a node --test directory; counts its tests.
node_suite() { # label dir [env…]
  local label=$1 dir=$2; shift 2
  local log="$WORK/node-$(echo "$label" | tr ' /()' '____').log"
  env "$@" node --test --test-concurrency=2 --test-reporter=spec "$dir" >"$log" 2>&1
  local rc=$?
  local p f
  p=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$log" | tail -1)
  f=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$log" | tail -1)
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ "$f" -ne 0 ]; then
    echo "--- $label: failures"
    awk '/^✖ failing tests:/,0' "$log" | head -150
    [ "$p" -eq 0 ] && tail -40 "$log"
  fi
  record "$label" "$p" "$f"
}

echo "== unit tests"
unit_suite "unit (SQLite)" build
[ -n "$PG_URI" ] && unit_suite "unit (PostgreSQL)" build HOCVUSO_TEST_DATABASE_URL="$PG_URI"
unit_suite "unit, sanitizers" build-asan HOCVUSO_TEST_DATABASE_URL="$PG_URI" ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

echo "== fuzz"
# One suite: a target that runs its time without a crash passes, one that crashes (or does not
# build) fails. The lines "fuzz <target>: N runs, K crashes (E exec/s)" are shown as they are.
fuzz_suite() {
  local log="$WORK/fuzz.log" p f
  bash scripts/fuzz.sh 45 >"$log" 2>&1
  local rc=$?
  sed 's/^/  /' "$log"
  p=$(grep -c '^fuzz [a-z]*: [0-9]* runs, 0 crashes' "$log")
  f=$(grep -cE '^fuzz [a-z]*: ([0-9]* runs, [1-9][0-9]* crashes|build failed)' "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  record "fuzz (libFuzzer)" "$p" "$f"
}
fuzz_suite

echo "== API tests"
node_suite "API (SQLite)" tests/api/ HOCVUSO_BIN="$ROOT/build/hocvuso"
[ -n "$PG_URI" ] && node_suite "API (PostgreSQL)" tests/api/ HOCVUSO_BIN="$ROOT/build/hocvuso" HOCVUSO_TEST_PG_DIR="$PG_DIR"
node_suite "API, sanitizers (SQLite)" tests/api/ HOCVUSO_BIN="$ROOT/build-asan/hocvuso" \
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

echo "== browser tests"
node_suite "browser (SQLite)" tests/browser/ HOCVUSO_BIN="$ROOT/build/hocvuso"

echo
echo "== summary"
printf '%s\n' "${SUMMARY[@]}"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
