# Sourced by the other scripts: quiet, offline, reproducible settings for Rasa.
export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export TF_CPP_MIN_LOG_LEVEL=2
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
export PYTHONPATH="${PROJECT_ROOT:-$(pwd)}${PYTHONPATH:+:$PYTHONPATH}"
VENV="${VENV:-.venv}"
export PATH="$(pwd)/$VENV/bin:$PATH"

# Secrets of the embedded default: made once per checkout, kept out of git in var/.
# Real deployments set these in the environment.
mkdir -p var
_secret() { [ -s "var/$1" ] || head -c 32 /dev/urandom | base64 | tr -d '/+=\n' > "var/$1"; cat "var/$1"; }
export ACCOUNT_BACKEND_TOKEN="${ACCOUNT_BACKEND_TOKEN:-$(_secret backend.token)}"
export IDENTITY_SECRET="${IDENTITY_SECRET:-$(_secret identity.secret)}"
# Keys the digests the action server and the backend store (common/conversation.py); both,
# and the purge job, need the same one.
export DIGEST_SECRET="${DIGEST_SECRET:-$(_secret digest.secret)}"
# Rasa -> action server (actions/server_access.py); set it empty to check none (make services).
export ACTION_SERVER_TOKEN="${ACTION_SERVER_TOKEN-$(_secret action-server.token)}"
# Signs the widget's session proofs (rasa_plugins/channels/socket_sessions.py): one key for
# every Rasa process, and across restarts, so a reload keeps its conversation.
export SOCKET_SESSION_SECRET="${SOCKET_SESSION_SECRET:-$(_secret socket-session.secret)}"
# The team console's login (team_console/, `make console` says where it is).
export TEAM_CONSOLE_PASSWORD="${TEAM_CONSOLE_PASSWORD:-$(_secret team-console.password)}"
export ACCOUNT_BACKEND_URL="${ACCOUNT_BACKEND_URL:-http://127.0.0.1:8001}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://localhost:${ACTION_PORT:-5055}/webhook}"
export TRACKER_DB_URL="${TRACKER_DB_URL:-sqlite:///var/tracker.db}"
export ACCOUNT_DB_URL="${ACCOUNT_DB_URL:-sqlite:///var/accounts.db}"
export LOCK_STORE_TYPE="${LOCK_STORE_TYPE:-in_memory}"
export REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
export REDIS_PORT="${REDIS_PORT:-6379}"
