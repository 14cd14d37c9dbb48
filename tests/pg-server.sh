#!/usr/bin/env bash
# pg-server.sh: starts and stops a throw-away PostgreSQL server for the tests (unit, API, CI).
# Owns: DIR/pgdata (the cluster), DIR/sock (its only socket) and DIR/pg.log; nothing outside DIR.
# Never: listens on TCP, touches a system cluster, or keeps data anyone should want.
#
# Usage:
#   tests/pg-server.sh start DIR          init (once) and start; prints the URI of database hocvuso
#   tests/pg-server.sh createdb DIR NAME  (re)creates an empty database NAME; prints its URI
#   tests/pg-server.sh uri DIR [NAME]     prints a database's URI
#   tests/pg-server.sh status DIR         exit 0 when running
#   tests/pg-server.sh stop DIR           fast shutdown (nothing to do when stopped)
# Everything is idempotent. Messages go to stderr, the URI alone to stdout.
# PG_BIN overrides the directory of the server binaries (default: the newest under /usr/lib/postgresql).
set -euo pipefail

PGUSER_NAME=postgres
DBNAME=hocvuso

die() {
  echo "pg-server.sh: $*" >&2
  exit 1
}
note() { echo "pg-server.sh: $*" >&2; }

usage() {
  sed -n 's/^#   //p' "$0" >&2
  exit 2
}

find_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    [[ -x "$PG_BIN/pg_ctl" ]] || die "PG_BIN=$PG_BIN has no pg_ctl"
    echo "$PG_BIN"
    return
  fi
  local d best=""
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/pg_ctl" && -x "$d/initdb" ]] && best=$d
  done
  # The glob sorts lexically; prefer 15 (what the project targets) when present.
  [[ -x /usr/lib/postgresql/15/bin/pg_ctl ]] && best=/usr/lib/postgresql/15/bin
  [[ -n "$best" ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql-15)"
  echo "$best"
}

# Runs a server-side command as the postgres user when we are root (PostgreSQL refuses root).
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd / && runuser -u "$PGUSER_NAME" -- "$@")
  else
    "$@"
  fi
}

# Percent-encodes a path for a URI query value (bytewise).
urlencode() {
  local LC_ALL=C s=$1 out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
    [A-Za-z0-9/._~-]) out+=$c ;;
    *) printf -v c '%%%02X' "'$c"; out+=$c ;;
    esac
  done
  printf '%s' "$out"
}

uri_for() { # DBNAME
  printf 'postgresql:///%s?host=%s&user=%s\n' "$1" "$(urlencode "$SOCK")" "$PGUSER_NAME"
}

check_name() {
  [[ "$1" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "database name '$1' must match [a-z_][a-z0-9_]* (at most 63 chars)"
}

set_dir() {
  [[ -n "${1:-}" ]] || usage
  mkdir -p -- "$1" || die "cannot create $1"
  DIR=$(cd -- "$1" && pwd -P)
  DATA=$DIR/pgdata
  SOCK=$DIR/sock
  LOG=$DIR/pg.log
  # The socket path must fit in sun_path (107 bytes) with its file name ".s.PGSQL.5432".
  if (($(printf '%s' "$SOCK/.s.PGSQL.5432" | wc -c) > 107)); then
    die "socket path $SOCK/.s.PGSQL.5432 is longer than 107 bytes: use a shorter DIR"
  fi
}

is_running() {
  [[ -f "$DATA/PG_VERSION" ]] || return 1
  as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

wait_ready() {
  local i
  for ((i = 0; i < 120; i++)); do
    if "$BIN/pg_isready" -q -h "$SOCK" -U "$PGUSER_NAME" -d postgres; then
      return 0
    fi
    sleep 0.25
  done
  note "server in $DATA did not become ready within 30 s; last lines of $LOG:"
  tail -n 20 "$LOG" >&2 || true
  exit 1
}

psql_q() { # SQL -> prints the single value
  "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$SOCK" -U "$PGUSER_NAME" -d postgres -c "$1"
}

db_exists() {
  [[ "$(psql_q "SELECT 1 FROM pg_database WHERE datname = '$1'")" == 1 ]]
}

cmd_start() {
  set_dir "${1:-}"
  if [[ $(id -u) -eq 0 ]]; then
    id "$PGUSER_NAME" >/dev/null 2>&1 || die "user $PGUSER_NAME does not exist (apt-get install postgresql-15 creates it)"
    chown "$PGUSER_NAME": "$DIR" || die "cannot chown $DIR to $PGUSER_NAME"
    # Every parent must be searchable by postgres, or the server cannot reach its files.
    runuser -u "$PGUSER_NAME" -- test -x "$DIR" ||
      die "$PGUSER_NAME cannot reach $DIR (a parent directory is not searchable); use a DIR under /tmp"
  fi
  if [[ ! -f "$DATA/PG_VERSION" ]]; then
    rm -rf -- "$DATA" # a half-made cluster from an interrupted run
    as_owner mkdir -p "$DATA" "$SOCK"
    local loc=C
    locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && loc=C.UTF-8
    if ! as_owner "$BIN/initdb" -D "$DATA" -U "$PGUSER_NAME" --auth=trust --encoding=UTF8 \
      --locale="$loc" --no-sync >"$DIR/initdb.log" 2>&1; then
      tail -n 20 "$DIR/initdb.log" >&2 || true
      die "initdb failed (full log: $DIR/initdb.log)"
    fi
  fi
  as_owner mkdir -p "$SOCK"
  if ! is_running; then
    if ! as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
      -o "-c listen_addresses='' -k '$SOCK' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null; then
      note "pg_ctl start failed; last lines of $LOG:"
      tail -n 20 "$LOG" >&2 || true
      exit 1
    fi
  fi
  wait_ready
  if ! db_exists "$DBNAME"; then
    "$BIN/createdb" -h "$SOCK" -U "$PGUSER_NAME" -O "$PGUSER_NAME" "$DBNAME" || die "createdb $DBNAME failed"
  fi
  uri_for "$DBNAME"
}

cmd_createdb() {
  set_dir "${1:-}"
  [[ -n "${2:-}" ]] || usage
  check_name "$2"
  is_running || die "no server running in $DIR (run: $0 start $DIR)"
  wait_ready
  PGOPTIONS='-c client_min_messages=warning' "$BIN/dropdb" -h "$SOCK" -U "$PGUSER_NAME" --if-exists --force "$2" || die "dropdb $2 failed"
  "$BIN/createdb" -h "$SOCK" -U "$PGUSER_NAME" -O "$PGUSER_NAME" "$2" || die "createdb $2 failed"
  uri_for "$2"
}

cmd_uri() {
  set_dir "${1:-}"
  local name=${2:-$DBNAME}
  check_name "$name"
  uri_for "$name"
}

cmd_status() {
  set_dir "${1:-}"
  if is_running; then
    note "running in $DATA, socket in $SOCK"
  else
    note "not running in $DIR"
    exit 3
  fi
}

cmd_stop() {
  [[ -n "${1:-}" ]] || usage
  [[ -d "$1" ]] || { note "$1 does not exist: nothing to stop"; return 0; }
  set_dir "$1"
  if ! is_running; then
    note "not running in $DIR: nothing to stop"
    return 0
  fi
  as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null || die "pg_ctl stop failed (see $LOG)"
}

[[ $# -ge 1 ]] || usage
BIN=$(find_bin)
sub=$1
shift
case $sub in
start) cmd_start "$@" ;;
createdb) cmd_createdb "$@" ;;
uri) cmd_uri "$@" ;;
status) cmd_status "$@" ;;
stop) cmd_stop "$@" ;;
*) usage ;;
esac
