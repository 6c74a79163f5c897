#!/usr/bin/env bash
# Starts the account backend and the action server in the background and talks to the
# assistant in this terminal. Logs go to var/*.log.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/services.sh

echo "Type your question (Ctrl-C or /stop to leave). Buttons show as a numbered menu."
rasa shell --model models/assistant.tar.gz --endpoints deploy/endpoints.yml --quiet
