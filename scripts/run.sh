#!/usr/bin/env bash
# Runs the whole assistant as servers (no terminal chat): account backend, action server,
# and Rasa with the REST and socket.io channels on port ${RASA_PORT:-5005}. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/services.sh

echo "REST: curl -s localhost:${RASA_PORT:-5005}/webhooks/rest/webhook -d '{\"sender\":\"me\",\"message\":\"hi\"}'"
rasa run --model models/assistant.tar.gz --endpoints endpoints.yml --credentials credentials.yml \
  --port "${RASA_PORT:-5005}" --cors "${CORS_ORIGINS:-http://localhost:8080}"
