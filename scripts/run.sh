#!/usr/bin/env bash
# Runs the whole assistant as servers (no terminal chat): account backend, action server,
# the help-site page with the chat widget on ${HELP_SITE_PORT:-8080}, and Rasa with the REST,
# socket.io, Slack and Teams channels on ${RASA_PORT:-5005}. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/services.sh

rasa_url="http://localhost:${RASA_PORT:-5005}"
# Pages allowed to talk to the assistant from a browser: Sanic's CORS headers and the
# socket.io channel's origin check (rasa_plugins/channels/socketio.py) read the same list.
site_port="${HELP_SITE_PORT:-8080}"
export CORS_ORIGINS="${CORS_ORIGINS:-http://localhost:$site_port http://127.0.0.1:$site_port}"
python -m help_site --port "${HELP_SITE_PORT:-8080}" --socket-url "${RASA_SOCKET_URL:-$rasa_url}" \
  > var/help-site.log 2>&1 &
pids+=($!)

echo "Help site with the chat widget: http://localhost:${HELP_SITE_PORT:-8080}/"
echo "REST: curl -s $rasa_url/webhooks/rest/webhook -H 'Content-Type: application/json' -d '{\"sender\":\"me\",\"message\":\"hi\"}'"
read -ra cors <<< "${CORS_ORIGINS//,/ }"  # a list, never glob-expanded ("*" stays "*")
rasa run --model models/assistant.tar.gz --endpoints deploy/endpoints.yml --credentials credentials.yml \
  --port "${RASA_PORT:-5005}" --cors "${cors[@]}"
