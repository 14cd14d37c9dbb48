#!/usr/bin/env bash
# test.sh: installs, builds and runs every test suite of hocvuso, on both storage backends:
#   unit (cmocka), API (node --test against a real server), browser (playwright-core driving
#   Debian's chromium); the unit and API suites again on an AddressSanitizer+UBSan build; the
#   file readers under libFuzzer for 45 s each (scripts/fuzz.sh).
# Owns: a temp dir with its logs, a throw-away PostgreSQL cluster, and the order suites run in:
#   suites that wait more than they compute run side by side (see "schedule" below); a suite's
#   files never share a server or a database (tests/api/lib/server.mjs gives each its own copy).
# Ends with one line "N passed, N failed" summing every suite; exits non-zero on any failure.
# TEST_STAGES="unit fuzz api browser" (the default: all) runs only some stages, for a developer.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
T_START=$SECONDS

bash scripts/install-deps.sh || { echo "install-deps failed"; echo "0 passed, 1 failed"; exit 1; }

WORK=$(mktemp -d /tmp/hocvuso-test.XXXXXX)
chmod 755 "$WORK"
PG_DIR="$WORK/pg"
cleanup() {
  local p
  for p in $(jobs -pr); do kill "$p" 2>/dev/null; done
  bash tests/pg-server.sh stop "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

PASSED=0
FAILED=0
SUMMARY=()
record() { # suite passed failed [seconds]
  PASSED=$((PASSED + $2)); FAILED=$((FAILED + $3))
  SUMMARY+=("$(printf '%-34s %4d passed, %3d failed %6s' "$1" "$2" "$3" "${4:+$4 s}")")
}

# Suites run in the background: a suite function writes what it shows to $WORK/out-ID and its
# counts ("passed failed") to $WORK/count-ID; finish_suite waits for it, shows and records it.
declare -A PIDS LABELS
start_suite() { # id label function [args…]
  local id=$1 label=$2; shift 2
  LABELS[$id]=$label
  ( s=$SECONDS; "$@" "$id" >"$WORK/out-$id" 2>&1; echo "$((SECONDS - s))" >"$WORK/secs-$id" ) &
  PIDS[$id]=$!
}
finish_suite() { # id
  local id=$1 p=0 f=1
  wait "${PIDS[$id]}"
  cat "$WORK/out-$id"
  [ -s "$WORK/count-$id" ] && read -r p f <"$WORK/count-$id"
  record "${LABELS[$id]}" "$p" "$f" "$(cat "$WORK/secs-$id" 2>/dev/null)"
}

build() { # dir [meson options…]
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >"$WORK/meson-$dir.log" 2>&1 || { cat "$WORK/meson-$dir.log"; return 1; }
  fi
  ninja -C "$dir" >"$WORK/ninja-$dir.log" 2>&1 || { tail -50 "$WORK/ninja-$dir.log"; return 1; }
}

# Runs every cmocka binary of a build dir; counts the tests cmocka reports.
unit_suite() { # builddir [env…] id
  local dir=$1; shift
  local id=${*: -1}; set -- "${@:1:$#-1}"
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
  echo "$p $f" >"$WORK/count-$id"
}

# Runs a node --test directory; counts its tests. The five slowest files are shown (the whole
# list is in the log's .files next to it).
node_suite() { # dir [env…] id
  local dir=$1; shift
  local id=${*: -1}; set -- "${@:1:$#-1}"
  local log="$WORK/node-$id.log"
  env "$@" HOCVUSO_TEST_TEMPLATE_DIR="$WORK/tpl-$id" \
    node --test --test-concurrency="$NODE_CONCURRENCY" \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=./scripts/test-durations.mjs --test-reporter-destination="$log.files" \
    "$dir" >"$log" 2>&1
  local rc=$?
  local p f
  p=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$log" | tail -1)
  f=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$log" | tail -1)
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ "$f" -ne 0 ]; then
    echo "--- ${LABELS[$id]}: failures"
    awk '/^✖ failing tests:/,0' "$log" | head -150
    [ "$p" -eq 0 ] && tail -40 "$log"
  fi
  echo "  ${LABELS[$id]}: slowest files"
  head -5 "$log.files" 2>/dev/null | sed 's/^/  /'
  echo "$p $f" >"$WORK/count-$id"
}

# One suite: a target that runs its time without a crash passes, one that crashes (or does not
# build) fails. The lines "fuzz <target>: N runs, K crashes (E exec/s)" are shown as they are.
fuzz_suite() { # id
  local id=$1 log="$WORK/fuzz.log" p f
  bash scripts/fuzz.sh 45 >"$log" 2>&1
  local rc=$?
  sed 's/^/  /' "$log"
  p=$(grep -c '^fuzz [a-z]*: [0-9]* runs, 0 crashes' "$log")
  f=$(grep -cE '^fuzz [a-z]*: ([0-9]* runs, [1-9][0-9]* crashes|build failed)' "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  echo "$p $f" >"$WORK/count-$id"
}

# Schedule (2 cores): the builds, with PostgreSQL starting meanwhile; the three unit suites side by
# side (the sanitizer one in a database of its own: the unit tests' schemas are fixed names); the
# fuzzers (side by side, one core each, nothing else running); then the node suites one after the
# other, each with NODE_CONCURRENCY files at a time. Two node suites side by side would save about
# two more minutes, but they keep both cores busy, and timing-sensitive tests (deadlines, races that
# a test provokes on purpose) must not depend on how loaded the machine happens to be.
NODE_CONCURRENCY=${NODE_CONCURRENCY:-2}
STAGES=" ${TEST_STAGES:-unit fuzz api browser} "
stage() { [[ $STAGES == *" $1 "* ]]; }

echo "== build"
( bash tests/pg-server.sh start "$PG_DIR" >"$WORK/pg.uri" 2>"$WORK/pg.err" ) &
PG_PID=$!
if ! build build; then record "build" 0 1; fi
if ! build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug; then record "build (sanitizers)" 0 1; fi

wait "$PG_PID"
PG_URI=$(cat "$WORK/pg.uri")
PG_URI_ASAN=
if [ -z "$PG_URI" ]; then
  cat "$WORK/pg.err"; echo "cannot start PostgreSQL"; record "postgresql server" 0 1
else
  PG_URI_ASAN=$(bash tests/pg-server.sh createdb "$PG_DIR" hocvuso_asan) ||
    { echo "cannot create the sanitizer suite's database"; record "postgresql server" 0 1; }
fi

if stage unit; then
  echo "== unit tests"
  start_suite unit_sqlite "unit (SQLite)" unit_suite build
  [ -n "$PG_URI" ] && start_suite unit_pg "unit (PostgreSQL)" unit_suite build HOCVUSO_TEST_DATABASE_URL="$PG_URI"
  start_suite unit_asan "unit, sanitizers" unit_suite build-asan HOCVUSO_TEST_DATABASE_URL="$PG_URI_ASAN" \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS=suppressions="$ROOT/tests/lsan.supp"
  finish_suite unit_sqlite
  [ -n "$PG_URI" ] && finish_suite unit_pg
  finish_suite unit_asan
fi

if stage fuzz; then
  echo "== fuzz"
  start_suite fuzz "fuzz (libFuzzer)" fuzz_suite
  finish_suite fuzz
fi

echo "== API and browser tests"
if stage api; then
  start_suite api_sqlite "API (SQLite)" node_suite tests/api/ HOCVUSO_BIN="$ROOT/build/hocvuso"
  finish_suite api_sqlite
  if [ -n "$PG_URI" ]; then
    start_suite api_pg "API (PostgreSQL)" node_suite tests/api/ HOCVUSO_BIN="$ROOT/build/hocvuso" HOCVUSO_TEST_PG_DIR="$PG_DIR"
    finish_suite api_pg
  fi
  start_suite api_asan "API, sanitizers (SQLite)" node_suite tests/api/ HOCVUSO_BIN="$ROOT/build-asan/hocvuso" \
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS=suppressions="$ROOT/tests/lsan.supp"
  finish_suite api_asan
fi
if stage browser; then
  start_suite browser "browser (SQLite)" node_suite tests/browser/ HOCVUSO_BIN="$ROOT/build/hocvuso"
  finish_suite browser
fi

echo
echo "== summary ($((SECONDS - T_START)) s)"
printf '%s\n' "${SUMMARY[@]}"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
