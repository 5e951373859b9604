#!/usr/bin/env bash
# The clinic's dashboard and alerts under a practice's load: a store seeded with people, each
# with three linked devices, a year of sessions and a prescription, all one clinician's
# patients (crates/server/examples/sync_seed.rs --clinician); then `backstretch server`
# (release) on loopback, the clinician's patient list loaded 100 times one after another
# (p50, p99, the worst), and for 20 patients the time from a device's push of a session that
# flared until the list shows the alert (crates/server/examples/clinic_load.rs); with the
# server's resident memory (idle, and its peak, VmHWM).
# Targets: the list of 500 patients under 100 ms at p99 on PostgreSQL; an alert within one
# second of its push.
#
#   bench/clinic.sh           500 people x 260 sessions (five a week for a year)
#   bench/clinic.sh --quick   100 people x 52 sessions
#
# Sizes can be set: USERS, SESSIONS, LOADS (of the list), PUSHES (alerts), BACKENDS
# ("postgres sqlite"). KEEP=DIR keeps the seeded stores (and the cluster) in DIR: a second run
# with the same DIR only logs the clinician in again and measures, so the figures can be
# taken on a quiet machine after a long seeding (500 people take about half an hour). Note
# that the alert pushes add sessions to a kept store. PostgreSQL is a throwaway cluster (Debian's initdb and pg_ctl, as the
# `postgres` user when run as root) on a Unix socket, with its default durability.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${USERS:-500}
SESSIONS=${SESSIONS:-260}
LOADS=${LOADS:-100}
PUSHES=${PUSHES:-20}
BACKENDS=${BACKENDS:-"postgres sqlite"}
if [ "${1:-}" = "--quick" ]; then
  USERS=100 SESSIONS=52
fi
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
cargo build --release --locked -q -p backstretch
cargo build --release --locked -q -p backstretch-server --example sync_seed --example clinic_load
BIN=$TARGET/release/backstretch
SEED=$TARGET/release/examples/sync_seed
LOAD=$TARGET/release/examples/clinic_load
if [ -n "${KEEP:-}" ]; then
  mkdir -p "$KEEP"
  WORK=$(cd "$KEEP" && pwd)
else
  WORK=$(mktemp -d)
fi
chmod 755 "$WORK"
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null
  [ -n "$PGDATA" ] && pg pg_ctl stop -D "$PGDATA" -m fast >/dev/null 2>&1
  if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

. "$(dirname "$0")/pg.sh"

# One real session, played fast, as the template of every session seeded and pushed.
export BACKSTRETCH_ACCEPT_DISCLAIMER=1
TEMPLATE_HOME=$WORK/template
TEMPLATE=$TEMPLATE_HOME/backstretch.sqlite
if [ ! -e "$TEMPLATE" ]; then
  BACKSTRETCH_HOME=$TEMPLATE_HOME "$BIN" profile set --area lower-back --place floor --minutes 10 >/dev/null
  BACKSTRETCH_HOME=$TEMPLATE_HOME "$BIN" safety --answers none >/dev/null
  BACKSTRETCH_HOME=$TEMPLATE_HOME "$BIN" start --plain --speed 1000 --pain-before 3 --pain-after 2 >/dev/null 2>&1
fi

echo "clinic benchmark: $USERS patients x $SESSIONS sessions, $LOADS loads of the list, $PUSHES pushes, $(nproc) cores"
for backend in $BACKENDS; do
  home=$WORK/home-$backend
  mkdir -p "$home"
  args=()
  jobs=1
  if [ "$backend" = postgres ]; then
    start_postgres
    args=(--database "$DATABASE")
    jobs=4
  fi
  echo "== $backend"
  if [ -e "$WORK/seeded-$backend" ]; then
    echo "  the store seeded before: $(cat "$WORK/seeded-$backend")"
    "$SEED" --home "$home" "${args[@]}" --login bench@clinic.example --session "$WORK/session-$backend.txt"
  else
    "$SEED" --template "$TEMPLATE" --tokens "$WORK/tokens-$backend.tsv" --home "$home" "${args[@]}" \
      --users "$USERS" --sessions "$SESSIONS" --as whole --jobs "$jobs" \
      --clinician bench@clinic.example --session "$WORK/session-$backend.txt"
    echo "$USERS patients x $SESSIONS sessions" >"$WORK/seeded-$backend"
  fi
  port=$(free_port)
  BACKSTRETCH_HOME=$home "$BIN" server --listen "127.0.0.1:$port" "${args[@]}" >"$WORK/server-$backend.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
  echo "$backend server resident memory, idle: $(rss VmRSS) MiB"
  echo "$backend $("$LOAD" "$port" "$WORK/session-$backend.txt" "$WORK/tokens-$backend.tsv" "$TEMPLATE" dashboard "$LOADS")"
  echo "$backend $("$LOAD" "$port" "$WORK/session-$backend.txt" "$WORK/tokens-$backend.tsv" "$TEMPLATE" alerts "$PUSHES")"
  echo "$backend server resident memory, peak: $(rss VmHWM) MiB (now $(rss VmRSS) MiB)"
  kill "$PID"
  wait "$PID" 2>/dev/null || true
  PID=
  if [ "$backend" = postgres ]; then
    pg pg_ctl stop -D "$PGDATA" -m fast >/dev/null
    PGDATA=
  fi
done
