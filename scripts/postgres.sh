#!/usr/bin/env bash
# A throwaway PostgreSQL on loopback for the tests.
#   scripts/postgres.sh start   -> prints the database URL (installs the Debian package if missing)
#   scripts/postgres.sh stop
set -euo pipefail
dir=$(realpath -m "${PG_TEST_DIR:-/tmp/nuget-assistant-pg}")  # absolute: as_pg runs from /
port="${PG_TEST_PORT:-55432}"

source "$(dirname "$0")/debian.sh"

case "${1:-start}" in
start)
  bin=$(pg_bin)
  if [ -z "$bin" ]; then
    debian_install postgres postgresql || exit 3
    bin=$(pg_bin)
  fi
  [ -f "$dir/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
  rm -rf "$dir" && mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_pg "$bin/initdb" -D "$dir/data" -A trust -U nuget >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U nuget accounts
  echo "postgresql://nuget@127.0.0.1:$port/accounts"
  ;;
stop)
  bin=$(pg_bin)
  [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
  rm -rf "$dir"
  ;;
esac
