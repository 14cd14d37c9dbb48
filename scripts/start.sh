#!/usr/bin/env bash
# start.sh: installs, builds and starts hocvuso on the embedded SQLite database with the demo
# ward (phường Hải Dương, with a synthetic population of its size: 51,522 residents; loading it
# again changes nothing), then prints the address and the admin log-in.
# Data stays in ./data (created on first run). Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
LISTEN=${HOCVUSO_LISTEN:-0.0.0.0:8080}
./build/hocvuso demo --data ./data --residents 51522 --seed 1
PORT=${LISTEN##*:}
echo
echo "hocvuso is starting: open http://127.0.0.1:${PORT}/ (or this machine's address, port ${PORT})"
echo
exec ./build/hocvuso serve --listen "$LISTEN" --data ./data
