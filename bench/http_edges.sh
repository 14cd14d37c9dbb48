#!/usr/bin/env bash
# http_edges.sh: what the HTTP edge checks cost (issue 6, section 5): two server binaries, a
# reference (REF_BIN, e.g. the build before the change) and a candidate (HOCVUSO_BIN or
# build/hocvuso), measured in the same run on the same machine, interleaved. Loopback only,
# SQLite, no demo data; about two minutes.
#   (a) GET /api/v1/hello with wrk (64 connections, 2 threads), ROUNDS rounds of DURATION, medians
#       of requests/s and p99; the candidate's rate as a ratio of the reference's.
#   (b) the server's VmRSS with IDLE_CONNS idle keep-alive connections (bench/idle_conns.mjs):
#       the per-connection memory pool went from 16 KiB to 64 KiB (mmap'ed, touched as used).
# Settings: REF_BIN (required), HOCVUSO_BIN, ROUNDS (3), DURATION (10s), IDLE_CONNS (1000).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
CAND=${HOCVUSO_BIN:-$ROOT/build/hocvuso}
REF=${REF_BIN:?set REF_BIN to the reference binary}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
IDLE_CONNS=${IDLE_CONNS:-1000}
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 1; }
ulimit -n 4096 2>/dev/null || true
TMP=$(mktemp -d /tmp/hvedges.XXXXXX)
PID=""
cleanup() { [[ -n $PID ]] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT

start() { # BIN PORT
  mkdir -p "$TMP/data-$2"
  "$1" serve --listen "127.0.0.1:$2" --data "$TMP/data-$2" 2>"$TMP/log-$2" &
  PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$2/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "server $1 did not start" >&2; exit 1
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A RPS P99 RSS
for name in ref cand; do RPS[$name]=""; P99[$name]=""; done
port=18600
for round in $(seq "$ROUNDS"); do
  order="ref cand"; ((round % 2 == 0)) && order="cand ref"
  for name in $order; do
    bin=$REF; [[ $name == cand ]] && bin=$CAND
    port=$((port + 1))
    start "$bin" "$port"
    wrk -t2 -c64 -d2s "http://127.0.0.1:$port/api/v1/hello" >/dev/null # warm-up
    out=$(wrk -t2 -c64 -d"$DURATION" --latency "http://127.0.0.1:$port/api/v1/hello")
    RPS[$name]+="$(awk '/Requests\/sec/ {print $2}' <<<"$out") "
    P99[$name]+="$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms/,"",v); else if (v ~ /s$/) {sub(/s/,"",v); v*=1000} print v}' <<<"$out") "
    if ((round == 1)); then
      RSS[$name]=$(node "$ROOT/bench/idle_conns.mjs" --port "$port" --conns "$IDLE_CONNS" --hold 5 --pid "$PID" |
        node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(`${(j.rss_before_kb/1024).toFixed(1)} → ${(j.rss_open_kb/1024).toFixed(1)} MB (${j.responded}/${j.conns} answered)`)})')
    fi
    stop
  done
done
r_ref=$(tr ' ' '\n' <<<"${RPS[ref]}" | grep . | median)
r_cand=$(tr ' ' '\n' <<<"${RPS[cand]}" | grep . | median)
echo "| binary | hello req/s (median of $ROUNDS) | p99 ms | RSS idle → $IDLE_CONNS idle conns |"
echo "|---|---|---|---|"
echo "| reference | $r_ref | $(tr ' ' '\n' <<<"${P99[ref]}" | grep . | median) | ${RSS[ref]} |"
echo "| candidate | $r_cand | $(tr ' ' '\n' <<<"${P99[cand]}" | grep . | median) | ${RSS[cand]} |"
echo
echo "candidate/reference: $(awk -v a="$r_cand" -v b="$r_ref" 'BEGIN {printf "%.2f", a / b}')"
