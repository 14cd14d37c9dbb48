#!/usr/bin/env bash
# store_bulk.sh: builds bench/store_bulk.c against build/'s storage library and runs it on SQLite
# and (when a URI is given) PostgreSQL. Results go in BENCHMARKS.md ("Storage: bulk writes").
# Usage: bench/store_bulk.sh [POSTGRES_URI] [ROWS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
ninja -C build >/dev/null
out=$(mktemp -d /tmp/hv-bench-bulk.XXXXXX)
trap 'rm -rf "$out"' EXIT
cc -std=c17 -O2 -D_GNU_SOURCE -Isrc -o "$out/store_bulk" bench/store_bulk.c build/libhvstore.a \
  $(pkg-config --cflags --libs sqlite3 libpq) -pthread
rows=${2:-200000}
runs=${3:-3}
"$out/store_bulk" "$out/bench.db" "$rows" "$runs"
if [[ -n "${1:-}" ]]; then
  "$out/store_bulk" "$1" "$rows" "$runs"
fi
