#!/usr/bin/env bash
# page50.sh: issue 7's "page of 50" target alone — hello against a tổ officer's page of 50 residents
# (GET /api/v1/residents?per_page=50) on an EXISTING data directory (e.g. the 1M ward that
# bench/registry.sh builds; its import takes too long to repeat for this one measure). Throughput
# with wrk and the server's CPU per request, hello first in every round (bench/cpu_per_request.sh),
# medians of the rounds. Also page 4 of the same list, which is never kept in memory (people.c keeps
# a tổ's first three pages): the cost of building a page. Loopback only; builds nothing; never
# modifies DATA beyond what serving it does (migrations, sessions): pass a copy.
#
# Usage: bench/page50.sh BIN DATA_DIR [USER [PASSWORD]]
#   BIN       the hocvuso binary (e.g. a copy of build/hocvuso)
#   DATA_DIR  a SQLite data directory with the officer's account (default user tdp01)
# Settings: ROUNDS (3), DURATION (8s), CONNS (16), PORT (18999), as bench/cpu_per_request.sh.
# Target (issue 7): the page of 50 ≥ 0.25 of hello in the same run (SQLite).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BIN=${1:?usage: bench/page50.sh BIN DATA_DIR [USER [PASSWORD]]}
DATA=${2:?usage: bench/page50.sh BIN DATA_DIR [USER [PASSWORD]]}
USER_=${3:-tdp01}
PASS=${4:-${HOCVUSO_ADMIN_PASSWORD:-Mat-khau-do-kiem-26}}
export ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-8s} CONNS=${CONNS:-16}
echo "# page50: $(date -u +%FT%TZ), $BIN on $DATA as $USER_, load $(cut -d' ' -f1-3 /proc/loadavg)"
bash "$here/cpu_per_request.sh" "$BIN" "$DATA" "$USER_" "$PASS" \
  '/api/v1/residents?per_page=50' '/api/v1/residents?per_page=50&page=4'
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
