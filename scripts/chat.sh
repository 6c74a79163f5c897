#!/usr/bin/env bash
# Starts the action server in the background and talks to the assistant in this terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

mkdir -p var
rasa run actions --actions actions --port "${ACTION_PORT:-5055}" > var/action-server.log 2>&1 &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT
python -m scripts.wait_for "http://localhost:${ACTION_PORT:-5055}/health" 60

echo "Type your question (Ctrl-C or /stop to leave). Buttons show as a numbered menu."
rasa shell --model models/assistant.tar.gz --endpoints endpoints.yml --quiet
