#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer harnesses (fuzz/*.c) with Debian's clang under ASan and UBSan
# and runs each for a bounded time, starting from the committed seeds in fuzz/corpus/<name>.
#   scripts/fuzz.sh [seconds per target, default 60] [target…]   (targets: csv xlsx gift qxml certpayload)
# The targets build one after the other, then run side by side, as many at a time as there are
# cores (each is single-threaded, so each still has a core of its own for its whole time).
# Prints "fuzz <name>: N runs, K crashes (E exec/s)" per target; exits non-zero on any crash,
# leak, sanitizer report or build failure. The committed corpus is never written: new inputs go
# to $FUZZ_BUILD_DIR (default build-fuzz)/corpus-<name>, crashes to $FUZZ_BUILD_DIR/crash-<name>-*.
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
shift || true
TARGETS=("$@")
[ "${#TARGETS[@]}" -eq 0 ] && TARGETS=(csv xlsx gift qxml certpayload)
OUT=${FUZZ_BUILD_DIR:-build-fuzz}
CC=${FUZZ_CC:-clang}
mkdir -p "$OUT"

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "fuzz: $CC not found (install clang and libclang-rt-14-dev)"
  exit 1
fi

CFLAGS=(-std=c17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer -D_GNU_SOURCE -Wall -Wextra -Werror -I. -Isrc)
read -r -a PKG_CFLAGS <<<"$(pkg-config --cflags libzip expat libutf8proc jansson libsodium)"
read -r -a PKG_LIBS <<<"$(pkg-config --libs libzip expat libutf8proc jansson libsodium)"
SRCS=(src/util/table.c src/util/table_csv.c src/util/table_xlsx.c src/util/buf.c src/util/fold.c src/util/arena.c
  src/util/utf8.c src/util/log.c src/util/clock.c src/util/jsonx.c src/domain/qformat.c src/domain/qformat_gift.c src/domain/qformat_xml.c src/domain/certs_payload.c)

JOBS=$(nproc 2>/dev/null || echo 1)

# One target's run; its report goes to $OUT/result-<name> (lines shown in target order at the end).
fuzz_one() { # name
  local name=$1 bin="$OUT/fuzz_$1" work="$OUT/corpus-$1" log="$OUT/fuzz-$1.log" res="$OUT/result-$1"
  mkdir -p "$work"
  local dict=()
  [ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 "${dict[@]}" \
    -artifact_prefix="$OUT/crash-$name-" "$work" "fuzz/corpus/$name" >"$log" 2>&1
  local rc=$? runs eps crashes=0
  runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$log" | tail -1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\)/\1/p' "$log" | tail -1)
  {
    if [ "$rc" -ne 0 ]; then
      crashes=1
      grep -E 'ERROR: |runtime error|SUMMARY|Test unit written' "$log" | head -20
    fi
    echo "fuzz $name: ${runs:-0} runs, $crashes crashes (${eps:-0} exec/s)"
  } >"$res"
  return "$rc"
}

status=0
built=()
for name in "${TARGETS[@]}"; do
  bin="$OUT/fuzz_$name"
  if ! "$CC" "${CFLAGS[@]}" "${PKG_CFLAGS[@]}" -o "$bin" "fuzz/fuzz_$name.c" "${SRCS[@]}" \
      -lcsv "${PKG_LIBS[@]}" -lm >"$OUT/build-$name.log" 2>&1; then
    cat "$OUT/build-$name.log"
    echo "fuzz $name: build failed"
    status=1
    continue
  fi
  built+=("$name")
done

pids=()
for name in "${built[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  rm -f "$OUT/result-$name"
  fuzz_one "$name" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
for name in "${built[@]}"; do
  if [ -f "$OUT/result-$name" ]; then cat "$OUT/result-$name"; else echo "fuzz $name: 0 runs, 1 crashes (0 exec/s)"; status=1; fi
done
exit "$status"
