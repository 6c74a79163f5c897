#!/usr/bin/env bash
# Trains models/assistant.tar.gz unless it is up to date with the training inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

python -m tools.topic_rules  # data/rules/topics.yml follows the playbooks
model=models/assistant.tar.gz
stamp=models/assistant.inputs.sha256
inputs=$(find config.yml domain.yml data rasa_plugins/nlu -type f \( -name '*.yml' -o -name '*.py' \) | sort)
fingerprint=$( (cat $inputs; grep -i "^rasa" requirements/base.lock | cut -d' ' -f1) | sha256sum | cut -d' ' -f1)

if [ -f "$model" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ] && [ "${FORCE_TRAIN:-0}" != 1 ]; then
  echo "train: $model is up to date"
  exit 0
fi
echo "train: training $model (under a minute on 2 cores)"
start=$(date +%s)
rasa train --fixed-model-name assistant --out models
echo "$fingerprint" > "$stamp"
echo "train: done in $(( $(date +%s) - start )) s"
