#!/usr/bin/env bash
# Starts the account backend and the action server in the background and talks to the
# assistant in this terminal. Logs go to var/*.log.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# CHAT_AS (`make chat SIGN_IN=LegacyDev`): speak as that demo account, signed in as the help
# site's widget would be (rasa_plugins/terminal_identity.py); its token lasts the backend's
# maximum.
if [ -n "${CHAT_AS:-}" ]; then
  CHAT_IDENTITY_TOKEN="$(python -m tools.demo_identity "$CHAT_AS")"  # says for how long
  export CHAT_IDENTITY_TOKEN
else
  unset CHAT_IDENTITY_TOKEN  # one left in the caller's environment would sign the chat in
fi
source scripts/services.sh

# A terminal closed without a signal to this script (tmux kill-session with `make` as the
# pane's process: only the session leader hears the hang-up) leaves `rasa shell` waiting on a
# dead terminal and this script waiting on it, so its traps never run. A watcher sees the
# terminal go and stops every child (the shell too), then the EXIT trap has nothing left.
watch_terminal() {
  trap '' TERM  # its own pkill reaches it too
  while kill -0 "$$" 2>/dev/null; do
    if ! [ -t 3 ]; then
      pkill -TERM -P "$$" || true
      sleep 5
      pkill -KILL -P "$$" || true  # a shell stuck on the dead terminal
      return
    fi
    sleep 1
  done
}
if [ -t 0 ]; then
  exec 3<&0  # the terminal: a background job's own stdin is /dev/null
  watch_terminal &
fi

echo "Type your question (Ctrl-C or /stop to leave). Buttons show as a numbered menu."
rasa shell --model models/assistant.tar.gz --endpoints deploy/endpoints.yml --quiet \
  --port "${RASA_PORT:-5005}"
