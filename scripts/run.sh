#!/usr/bin/env bash
# Runs the whole assistant as servers (no terminal chat): account backend, action server,
# and Rasa with the REST and socket.io channels on port ${RASA_PORT:-5005}. Ctrl-C stops all.
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
echo "REST: curl -s localhost:${RASA_PORT:-5005}/webhooks/rest/webhook -d '{\"sender\":\"me\",\"message\":\"hi\"}'"
rasa run --model models/assistant.tar.gz --endpoints endpoints.yml --credentials credentials.yml \
  --port "${RASA_PORT:-5005}" --cors "${CORS_ORIGINS:-http://localhost:8080}"
