#!/usr/bin/env bash
# The cluster profile on loopback: PostgreSQL (conversations and accounts), Redis (Rasa's lock
# store), the account backend on PostgreSQL, two action servers and two Rasa replicas, and
# nginx in front of each pair (round robin, no stickiness).
#
#   scripts/cluster.sh run     start, print the addresses, stop everything on Ctrl-C (make cluster)
#   scripts/cluster.sh start   start in the background and return once all answer (tests)
#   scripts/cluster.sh stop    stop what `start` started
#   scripts/cluster.sh restart <part> | kill <part>   parts: postgres redis backend nginx
#                                   actions-1 actions-2 rasa-1 rasa-2 (the tests use these)
#
# Debian's postgresql, redis-server and nginx are installed when missing (root only).
# Ports and the state directory come from the environment (defaults below); so do secrets.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

dir="$(realpath -m "${CLUSTER_DIR:-var/cluster}")"
front_port="${CLUSTER_PORT:-5005}"          # nginx -> Rasa replicas (REST, socket.io, Slack, Teams)
action_front_port="${CLUSTER_ACTION_PORT:-5055}"  # nginx -> action servers
rasa_ports=(${CLUSTER_RASA_PORTS:-5011 5012})
action_ports=(${CLUSTER_ACTION_PORTS:-5061 5062})
backend_port="${CLUSTER_BACKEND_PORT:-8001}"
pg_port="${CLUSTER_PG_PORT:-55433}"
redis_port="${CLUSTER_REDIS_PORT:-56379}"
# Files other users must reach (PostgreSQL runs as postgres, nginx's workers as nobody), so
# not below a 0700 directory: the database and nginx's buffers.
shared="$(realpath -m "${CLUSTER_SHARED_DIR:-$dir/shared}")"
pg_dir="$shared/pg"
pg_options="-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1"  # pg_ctl start and restart

source scripts/debian.sh

install_missing() {
  local wanted=()
  [ -n "$(pg_bin)" ] || wanted+=(postgresql)
  command -v redis-server >/dev/null || wanted+=(redis-server)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || wanted+=(nginx)
  [ ${#wanted[@]} = 0 ] && return
  debian_install cluster "${wanted[@]}" || exit 3
}

# Runs "$@" detached, output to $dir/logs/<name>.log, pid in $dir/pids/<name>.pid.
launch() {
  local name=$1
  shift
  setsid "$@" > "$dir/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$dir/pids/$name.pid"
}

start_postgres() {
  local bin
  bin=$(pg_bin)
  mkdir -p "$pg_dir"
  [ "$(id -u)" = 0 ] && chown postgres "$pg_dir"
  if [ ! -f "$pg_dir/data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$pg_dir/data" -A trust -U nuget >/dev/null
  fi
  as_pg "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "$pg_options" start >/dev/null
  for db in tracker accounts; do
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U nuget "$db" 2>/dev/null || true
  done
}

write_nginx_conf() {
  local port
  mkdir -p "$dir/nginx/logs" "$shared/nginx-tmp"
  {
    echo "worker_processes 1;"
    echo "pid $dir/nginx/nginx.pid;"
    echo "error_log $dir/nginx/logs/error.log warn;"
    echo "events { worker_connections 1024; }"
    echo "http {"
    echo "  access_log off;"
    echo "  client_body_temp_path $shared/nginx-tmp/body; proxy_temp_path $shared/nginx-tmp/proxy;"
    echo "  fastcgi_temp_path $shared/nginx-tmp/fcgi; uwsgi_temp_path $shared/nginx-tmp/uwsgi;"
    echo "  scgi_temp_path $shared/nginx-tmp/scgi;"
    echo "  client_max_body_size 1m;"
    echo "  map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }  # keep-alive unless a WebSocket"
    # keepalive_timeout: idle connections are dropped before an action server's own 5 s
    # (Sanic's default; Rasa keeps 120 s) drops them, or a call can go out on a connection
    # being closed: a 502, which nginx cannot resend once it has streamed the body
    echo "  upstream rasa {"
    for port in "${rasa_ports[@]}"; do echo "    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"; done
    echo "    keepalive 32; keepalive_timeout 4s;"
    echo "  }"
    echo "  upstream actions {"
    for port in "${action_ports[@]}"; do echo "    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"; done
    echo "    keepalive 32; keepalive_timeout 4s;"
    echo "  }"
    # loopback only: the action front is internal, and this whole profile is on loopback
    sed -e "s|\${FRONT_PORT}|127.0.0.1:$front_port|g" \
      -e "s|\${ACTION_FRONT_PORT}|127.0.0.1:$action_front_port|g" deploy/nginx/proxy.conf.inc
    echo "}"
  } > "$dir/nginx/nginx.conf"
}

# The environment every replica gets: one source for the tests and deploy/ to compare with.
cluster_env() {
  export TRACKER_DB_URL="postgresql://nuget@127.0.0.1:$pg_port/tracker"
  export ACCOUNT_DB_URL="postgresql://nuget@127.0.0.1:$pg_port/accounts"
  export LOCK_STORE_TYPE=rasa_plugins.lock_store.AtomicRedisLockStore  # Redis, one atomic SET NX
  export REDIS_HOST=127.0.0.1
  export REDIS_PORT="$redis_port"
  export ACCOUNT_BACKEND_URL="http://127.0.0.1:$backend_port"
  export ACTION_ENDPOINT_URL="http://127.0.0.1:$action_front_port/webhook"
  # Rasa -> action servers: the shared token (scripts/env.sh keeps one per checkout in var/,
  # so a part restarted by a later call gets the same); the cluster never runs without one
  export ACTION_SERVER_TOKEN="${ACTION_SERVER_TOKEN:?the cluster needs ACTION_SERVER_TOKEN}"
  # the replicas' one key for the widget's session proofs: a reload may reach either replica
  export SOCKET_SESSION_SECRET="${SOCKET_SESSION_SECRET:?the cluster needs SOCKET_SESSION_SECRET}"
  # the key of the stored digests, one for the backend and the action servers
  export DIGEST_SECRET="${DIGEST_SECRET:?the cluster needs DIGEST_SECRET}"
  # Rasa is behind nginx: the client's address is the last X-Forwarded-For hop (support
  # requests are limited per client, rasa_plugins/channels/clients.py)
  export SANIC_PROXIES_COUNT=1
}

# Starts one named part: backend, actions-N, rasa-N, redis, nginx.
start_part() {
  local name=$1 n=${1##*-}
  case "$name" in
  backend) launch backend python -m account_backend --port "$backend_port" ;;
  actions-*) launch "$name" python -m rasa_sdk --actions actions --port "${action_ports[$((n - 1))]}" ;;
  rasa-*)
    launch "$name" rasa run --model models/assistant.tar.gz --endpoints deploy/endpoints.yml \
      --credentials credentials.yml --interface 127.0.0.1 --port "${rasa_ports[$((n - 1))]}"
    ;;
  redis) launch redis redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no ;;
  nginx)
    write_nginx_conf
    launch nginx "$(command -v nginx || echo /usr/sbin/nginx)" -p "$dir/nginx" \
      -c "$dir/nginx/nginx.conf" -g "daemon off;"
    ;;
  *) echo "cluster: no part $name" >&2; exit 2 ;;
  esac
}

# Stops one named part (SIGKILL with "kill"), then starts it again unless "kill".
restart_part() {
  local name=$1 how=${2:-restart} pid
  cluster_env
  if [ "$name" = postgres ]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$pg_dir/data" -m fast -w restart \
      -o "$pg_options" >/dev/null
    return
  fi
  pid=$(cat "$dir/pids/$name.pid")
  if [ "$how" = kill ]; then
    kill -9 -- "-$pid" 2>/dev/null || true
    return
  fi
  kill -- "-$pid" 2>/dev/null || true
  while running "$pid"; do sleep 0.2; done
  start_part "$name"
  wait_part "$name"
}

# Returns once the named part answers.
wait_part() {
  local n=${1##*-}
  case "$1" in
  backend) python -m tools.wait_for "http://127.0.0.1:$backend_port/health" 60 ;;
  actions-*) python -m tools.wait_for "http://127.0.0.1:${action_ports[$((n - 1))]}/health" 60 ;;
  rasa-*) python -m tools.wait_for "http://127.0.0.1:${rasa_ports[$((n - 1))]}/" 180 ;;
  redis) until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.2; done ;;
  nginx) python -m tools.wait_for "http://127.0.0.1:$front_port/" 30 ;;
  esac
}

start() {
  install_missing
  stop quiet
  mkdir -p "$dir/logs" "$dir/pids"
  cluster_env
  start_postgres
  local i part
  for part in redis backend; do start_part "$part"; done
  for i in "${!action_ports[@]}"; do start_part "actions-$((i + 1))"; done
  for i in "${!rasa_ports[@]}"; do start_part "rasa-$((i + 1))"; done
  start_part nginx

  for part in redis backend; do wait_part "$part"; done
  for i in "${!action_ports[@]}"; do wait_part "actions-$((i + 1))"; done
  for i in "${!rasa_ports[@]}"; do wait_part "rasa-$((i + 1))"; done
  wait_part nginx
  echo "cluster: up. REST http://127.0.0.1:$front_port/webhooks/rest/webhook (replicas ${rasa_ports[*]}, actions ${action_ports[*]}), state in $dir"
}

running() { ps -o stat= -p "$1" 2>/dev/null | grep -qv Z; }  # zombies count as gone

stop() {
  local pidfile bin pids=() pid waited=0
  if [ -d "$dir/pids" ]; then
    for pidfile in "$dir"/pids/*.pid; do
      [ -f "$pidfile" ] || continue
      pids+=("$(cat "$pidfile")")
      rm -f "$pidfile"
    done
  fi
  for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
  # up to 15 s to finish in-flight turns, then no more waiting
  while [ $waited -lt 30 ]; do
    alive=0
    for pid in "${pids[@]}"; do running "$pid" && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.5
    waited=$((waited + 1))
  done
  for pid in "${pids[@]}"; do kill -9 -- "-$pid" 2>/dev/null || true; done
  bin=$(pg_bin)
  if [ -n "$bin" ] && [ -f "$pg_dir/data/postmaster.pid" ]; then
    as_pg "$bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null || true
  fi
  [ "${1:-}" = quiet ] || echo "cluster: stopped"
}

case "${1:-run}" in
start) start ;;
stop) stop ;;
restart) restart_part "$2" ;;  # e.g. restart redis | postgres | backend | rasa-1
kill) restart_part "$2" kill ;;  # SIGKILL one part, e.g. kill rasa-1
run)
  trap 'stop' EXIT
  trap 'exit 130' INT TERM HUP
  start
  echo "cluster: Ctrl-C stops it"
  while :; do sleep 3600 & wait $!; done  # `wait` returns on a signal, so the trap runs
  ;;
*) echo "usage: $0 run|start|stop|restart <part>|kill <part>" >&2; exit 2 ;;
esac
