# Sourced by chat.sh and run.sh: starts the account backend and the action server in the
# background (logs in var/), stops them when the calling script exits, waits until both answer.
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
# A closed terminal (HUP) or Ctrl-C must not leave the servers running on their ports.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
backend_port="${ACCOUNT_BACKEND_URL##*:}"
python -m account_backend --port "$backend_port" ${RESET:+--reset} > var/account-backend.log 2>&1 &
pids+=($!)
python -m rasa_sdk --actions actions --port "${ACTION_PORT:-5055}" > var/action-server.log 2>&1 &
pids+=($!)
python -m tools.wait_for "$ACCOUNT_BACKEND_URL/health" 30
python -m tools.wait_for "http://localhost:${ACTION_PORT:-5055}/health" 60
