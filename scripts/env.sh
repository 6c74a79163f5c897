# Sourced by the other scripts: quiet, offline, reproducible settings for Rasa.
export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export TF_CPP_MIN_LOG_LEVEL=2
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
export PYTHONPATH="${PROJECT_ROOT:-$(pwd)}${PYTHONPATH:+:$PYTHONPATH}"
VENV="${VENV:-.venv}"
export PATH="$(pwd)/$VENV/bin:$PATH"
