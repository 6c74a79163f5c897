#!/usr/bin/env bash
# A throwaway PostgreSQL on loopback for the tests.
#   scripts/postgres.sh start   -> prints the database URL (installs the Debian package if missing)
#   scripts/postgres.sh stop
set -euo pipefail
dir="${PG_TEST_DIR:-/tmp/nuget-assistant-pg}"
port="${PG_TEST_PORT:-55432}"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-start}" in
start)
  bin=$(find_bin)
  if [ -z "$bin" ]; then
    [ "$(id -u)" = 0 ] || { echo "postgres: not installed and not root" >&2; exit 3; }
    echo "postgres: installing Debian's postgresql" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin=$(find_bin)
  fi
  [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
  rm -rf "$dir" && mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U nuget >/dev/null
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U nuget accounts
  echo "postgresql://nuget@127.0.0.1:$port/accounts"
  ;;
stop)
  bin=$(find_bin)
  [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
  rm -rf "$dir"
  ;;
esac
