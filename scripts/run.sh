#!/usr/bin/env bash
# Runs the whole assistant as servers (no terminal chat): account backend, action server,
# the help-site page with the chat widget on ${HELP_SITE_PORT:-8080}, and Rasa with the REST,
# socket.io, Slack and Teams channels on ${RASA_PORT:-5005}. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/services.sh

rasa_url="http://localhost:${RASA_PORT:-5005}"
python -m help_site --port "${HELP_SITE_PORT:-8080}" --socket-url "${RASA_SOCKET_URL:-$rasa_url}" \
  > var/help-site.log 2>&1 &
pids+=($!)

echo "Help site with the chat widget: http://localhost:${HELP_SITE_PORT:-8080}/"
echo "REST: curl -s $rasa_url/webhooks/rest/webhook -d '{\"sender\":\"me\",\"message\":\"hi\"}'"
rasa run --model models/assistant.tar.gz --endpoints endpoints.yml --credentials credentials.yml \
  --port "${RASA_PORT:-5005}" --cors "${CORS_ORIGINS:-http://localhost:${HELP_SITE_PORT:-8080}}"
