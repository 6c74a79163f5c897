#!/usr/bin/env bash
# Starts the account backend and the action server in the background and talks to the
# assistant in this terminal. Logs go to var/*.log.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
backend_port="${ACCOUNT_BACKEND_URL##*:}"
python -m account_backend --port "$backend_port" ${RESET:+--reset} > var/account-backend.log 2>&1 &
pids+=($!)
python -m rasa_sdk --actions actions --port "${ACTION_PORT:-5055}" > var/action-server.log 2>&1 &
pids+=($!)
python -m scripts.wait_for "$ACCOUNT_BACKEND_URL/health" 30
python -m scripts.wait_for "http://localhost:${ACTION_PORT:-5055}/health" 60

echo "Type your question (Ctrl-C or /stop to leave). Buttons show as a numbered menu."
rasa shell --model models/assistant.tar.gz --endpoints endpoints.yml --quiet
