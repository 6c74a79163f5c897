#!/usr/bin/env bash
# The whole test suite, in the order a failure is cheapest to find. Trains at most once.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

stage() { echo; echo "==> $*"; }

stage "lint (ruff format --check, ruff check)"
ruff format --check .
ruff check .

stage "rasa data validate"
rasa data validate --quiet

stage "PostgreSQL for the backend tests (skipped where it cannot be installed)"
if TEST_POSTGRES_URL=$(bash scripts/postgres.sh start); then
  export TEST_POSTGRES_URL
  trap 'bash scripts/postgres.sh stop' EXIT
  echo "PostgreSQL at $TEST_POSTGRES_URL"
else
  echo "PostgreSQL not available: backend tests run on SQLite only"
fi

stage "unit tests (no model needed)"
python -m pytest -q -m "not model" tests

stage "train (reused when up to date)"
scripts/train.sh

stage "conversation tests over REST (real rasa + action server)"
python -m pytest -q -m model tests

stage "rasa test: conversation test stories"
rm -rf reports/stories
rasa test core --model models/assistant.tar.gz --stories tests/stories \
  --fail-on-prediction-errors --out reports/stories --quiet

stage "evaluation on the held-out set"
python -m tools.evaluate --data tests/evaluation/utterances.yml \
  --report reports/evaluation.json --min-accuracy "${MIN_ACCURACY:-0.91}" \
  --min-oos-recall "${MIN_OOS_RECALL:-0.89}"  # floors below the 0.95 / 0.90 target: see Makefile
