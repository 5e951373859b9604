#!/usr/bin/env bash
# The sync server under load, on both backends: a store seeded with people, each with three
# linked devices and a year of sessions (crates/server/examples/sync_seed.rs, straight
# through the store), then `backstretch server` (release) on loopback, and push and pull at 1,
# 10, 50 and 200 concurrent keep-alive clients (crates/server/examples/sync_load.rs): p50,
# p99, the worst, errors, and the server's resident memory (idle, and its peak, VmHWM).
# Target: p99 under 25 ms at 50 clients, and 0 errors.
#
#   bench/sync.sh           1,000 people x 3 devices x 12 sessions, 10 s a measurement
#   bench/sync.sh --quick   200 people x 3 devices x 3 sessions, 3 s a measurement
#
# Sizes can be set: USERS, SESSIONS (a person's, spread over the year and their devices),
# SEED_AS (whole, the default: one session-recorded event a session, as an imported or
# backfilled history; steps: as the player writes it, one event a step), SPREAD, SECS (a measurement), CLIENTS, BACKENDS ("sqlite
# postgres"). PostgreSQL is a throwaway cluster (Debian's initdb and pg_ctl, as the `postgres`
# user when run as root) on a Unix socket, with its default durability (fsync on): the SQLite
# server commits with synchronous = FULL, so both wait for the disk.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${USERS:-1000}
SESSIONS=${SESSIONS:-12}
SEED_AS=${SEED_AS:-whole}
SECS=${SECS:-10}
CLIENTS=${CLIENTS:-"1 10 50 200"}
BACKENDS=${BACKENDS:-"sqlite postgres"}
# Each client from a loopback address of its own, as devices on a network (0: all from
# 127.0.0.1, as behind a reverse proxy; the server keeps 16 connections an address then).
export SPREAD=${SPREAD:-1}
if [ "${1:-}" = "--quick" ]; then
  USERS=200 SESSIONS=3 SECS=3
fi
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
cargo build --release --locked -q -p backstretch
cargo build --release --locked -q -p backstretch-server --example sync_seed --example sync_load
BIN=$TARGET/release/backstretch
SEED=$TARGET/release/examples/sync_seed
LOAD=$TARGET/release/examples/sync_load
WORK=$(mktemp -d)
chmod 755 "$WORK"
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null
  [ -n "$PGDATA" ] && pg pg_ctl stop -D "$PGDATA" -m immediate >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
RESULTS=$WORK/results.txt
: > "$RESULTS"

. "$(dirname "$0")/pg.sh"

# One real session, played fast, as the template of every session seeded and pushed.
export BACKSTRETCH_ACCEPT_DISCLAIMER=1
TEMPLATE_HOME=$WORK/template
BACKSTRETCH_HOME=$TEMPLATE_HOME "$BIN" profile set --area lower-back --area neck --place floor --place chair --minutes 10 >/dev/null
BACKSTRETCH_HOME=$TEMPLATE_HOME "$BIN" safety --answers none >/dev/null
BACKSTRETCH_HOME=$TEMPLATE_HOME "$BIN" start --plain --speed 1000 --pain-before 3 --pain-after 2 >/dev/null 2>&1
TEMPLATE=$TEMPLATE_HOME/backstretch.sqlite

# A pull page: one session, as it was seeded.
PAGE=
[ "$SEED_AS" = whole ] && PAGE=1
echo "sync benchmark: $USERS people x 3 devices x $SESSIONS sessions (as $SEED_AS), $SECS s a measurement, $(nproc) cores"
for backend in $BACKENDS; do
  home=$WORK/home-$backend
  mkdir -p "$home"
  args=()
  if [ "$backend" = postgres ]; then
    start_postgres
    args=(--database "$DATABASE")
    jobs=4
  else
    jobs=1
  fi
  echo "== $backend"
  "$SEED" --template "$TEMPLATE" --tokens "$WORK/tokens-$backend.tsv" --home "$home" "${args[@]}" \
    --users "$USERS" --sessions "$SESSIONS" --as "$SEED_AS" --jobs "$jobs" | tee -a "$RESULTS"
  if [ "$backend" = postgres ]; then
    size=$(pg psql -h "$WORK/pg" -U postgres -d bench -Atc "SELECT pg_database_size('bench') / 1048576")
  else
    size=$(( $(du -bc "$home"/server/server.sqlite* | tail -1 | cut -f1) / 1048576 ))
  fi
  echo "$backend database: $size MiB" | tee -a "$RESULTS"
  port=$(free_port)
  BACKSTRETCH_HOME=$home "$BIN" server --listen "127.0.0.1:$port" "${args[@]}" >"$WORK/server-$backend.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
  echo "$backend server resident memory, idle: $(rss VmRSS) MiB" | tee -a "$RESULTS"
  for c in $CLIENTS; do
    for what in push pull; do
      line=$("$LOAD" "$port" "$WORK/tokens-$backend.tsv" "$TEMPLATE" "$what" "$c" "$SECS" $PAGE)
      echo "$backend $line load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RESULTS"
    done
  done
  echo "$backend server resident memory, peak: $(rss VmHWM) MiB (now $(rss VmRSS) MiB)" | tee -a "$RESULTS"
  kill "$PID"
  wait "$PID" 2>/dev/null || true
  PID=
  if [ "$backend" = postgres ]; then
    pg pg_ctl stop -D "$PGDATA" -m fast >/dev/null
    PGDATA=
  fi
done

# The figures as a table.
echo
echo "| backend | clients | what | requests | rate | p50 | p99 | worst | errors |"
echo "|---|---|---|---|---|---|---|---|---|"
grep -E '^(sqlite|postgres) (push|pull) ' "$RESULTS" | sed -E \
  's/^(\S+) (\S+) clients=(\S+) requests=(\S+) errors=(\S+) rate=(\S+) p50=(\S+) p99=(\S+) worst=(\S+) .*$/| \1 | \3 | \2 | \4 | \6 | \7 | \8 | \9 | \5 |/'
