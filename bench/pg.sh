# Shared by the server benchmarks (sourced, with WORK set): a throwaway PostgreSQL cluster
# from Debian's initdb and pg_ctl (as the `postgres` user when run as root) on a Unix socket
# in $WORK, its default durability; a server's resident memory; a free port on loopback.

PGBIN=
PGDATA=

# PostgreSQL's programs, as the postgres user when we are root (initdb refuses root).
pg() {
  local program=$1
  shift
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$PGBIN/$program" "$@"
  else
    "$PGBIN/$program" "$@"
  fi
}

# Starts the cluster (kept from a run before when $WORK holds one) and a database `bench`;
# sets DATABASE to its address.
start_postgres() {
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$PGBIN" ] || PGBIN=$(dirname "$(command -v initdb)")
  mkdir -p "$WORK/pg"
  [ "$(id -u)" = 0 ] && chown postgres: "$WORK/pg"
  PGDATA=$WORK/pg/data
  local fresh=
  if [ ! -e "$PGDATA/PG_VERSION" ]; then
    pg initdb -D "$PGDATA" -A trust -U postgres --no-sync >/dev/null
    fresh=1
  fi
  pg pg_ctl start -D "$PGDATA" -l "$WORK/pg/log" -w \
    -o "-c listen_addresses='' -k $WORK/pg -c max_connections=100 -c shared_buffers=256MB" >/dev/null
  [ -n "$fresh" ] && pg createdb -h "$WORK/pg" -U postgres bench
  DATABASE="host=$WORK/pg user=postgres dbname=bench"
}

# The server's (PID's) VmRSS or VmHWM in MiB.
rss() { awk "/^$1:/ {print int(\$2 / 1024)}" "/proc/$PID/status"; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
