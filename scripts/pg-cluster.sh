#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for trying `shipgate dry-run` and for
# bench/dryrun.sh: its own directory, a free port on 127.0.0.1 only, the Unix
# socket in that directory, trust authentication, no fsync.
#
#   scripts/pg-cluster.sh start DIR [PORT]   # prints the postgres:// URL of db `postgres`
#   scripts/pg-cluster.sh stop DIR
#
# initdb refuses root: as root the server runs as the `postgres` user (which
# must exist; .ci/run creates it). The binaries are the newest under
# /usr/lib/postgresql/*/bin, or $SHIPGATE_PG_BIN.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR [PORT] | stop DIR" >&2
  exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2

bin=${SHIPGATE_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "error: no PostgreSQL binaries under /usr/lib/postgresql/*/bin; install the postgresql package" >&2
  exit 3
fi

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
start)
  port=${3:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" -eq 0 ]; then
    if ! id -u postgres >/dev/null 2>&1; then
      echo "error: initdb refuses root and there is no \`postgres\` user; create it: useradd --system postgres" >&2
      exit 3
    fi
    chown postgres: "$dir"
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --no-locale >"$dir/initdb.log"
  fi
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
    start >/dev/null
  echo "$port" >"$dir/port"
  echo "postgres://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
  ;;
*)
  usage
  ;;
esac
