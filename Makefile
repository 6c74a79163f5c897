# The two commands of the README: `make chat` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
DATA ?= tests/evaluation/utterances.yml
REPORT ?= reports/eval-$(basename $(notdir $(DATA))).json
# The floors of the held-out set: regression guards below the measured figures, not the
# targets (0.95 accuracy, 0.95 out-of-scope recall; README "Accuracy" reports both).
MIN_ACCURACY ?= 0.91
MIN_OOS_RECALL ?= 0.89
RUN := source scripts/env.sh &&

.PHONY: help setup train chat run services console test lint format validate unit conversations stories evaluate purge cluster clean lock audit \
	bench bench-accuracy bench-speed bench-profile bench-cost report review-export retrain-reviewed

help:
	@echo "make chat      set up, train if needed, and talk to the assistant in the terminal"
	@echo "               SIGN_IN=<demo account>: signed in as it (README, walk-through with the demo accounts)"
	@echo "make services  backend + action server only, for rasa shell/interactive in a venv"
	@echo "make run       the same as servers: backend, actions, Rasa REST + socket.io on :5005"
	@echo "make console   the team's page: figures and the review queue (docs/team.md)"
	@echo "make test      set up, train if needed, and run every check (what CI runs)"
	@echo "make evaluate  DATA=<file.yml> REPORT=<out.json>: topic accuracy of the model"
	@echo "make cluster   the cluster profile: 2 replicas behind nginx, PostgreSQL, Redis (docs/operations.md)"
	@echo "make report    the team's figures for the last DAYS days (table + reports/team-report.json)"
	@echo "make review-export  reviewed items into data/reviewed/nlu.yml; make retrain-reviewed: before/after"
	@echo "make purge     delete conversations and support requests older than RETENTION_DAYS (or SENDER=<id>)"
	@echo "make bench     accuracy vs baselines, speed, cost, profile -> docs/benchmarks.md (QUICK=1: short)"
	@echo "make lock      recompile requirements/*.lock from requirements/*.in (UPGRADE=1: newest allowed)"
	@echo "make audit     known advisories of the locked Python and npm packages (asks the registries)"

setup:
	@bash scripts/setup.sh

train: setup
	@bash scripts/train.sh

# SIGN_IN counts only from the command line (`make chat SIGN_IN=LegacyDev`), never from the
# environment; AS would have been make's own assembler variable ("as").
chat: train
	@CHAT_AS="$(if $(filter command line,$(origin SIGN_IN)),$(SIGN_IN))" bash scripts/chat.sh

run: train
	@bash scripts/run.sh

# The account backend and the action server alone, for `rasa shell` / `rasa interactive` in
# another terminal (README "The Rasa CLI"). Ctrl-C stops both. The CLI's endpoints.yml sends
# no token, so the action server checks none here; it listens on loopback only.
services: setup
	@ACTION_SERVER_TOKEN= bash -c 'source scripts/env.sh && source scripts/services.sh && echo "services: backend and action server up (Ctrl-C stops)" && wait'

# The team's page on loopback (docs/team.md); CONSOLE_PORT picks the port.
CONSOLE_PORT ?= 8090
console: setup
	@$(RUN) if [ "$$TEAM_CONSOLE_PASSWORD" = "$$(cat var/team-console.password 2>/dev/null)" ]; \
		then where="in var/team-console.password"; else where="TEAM_CONSOLE_PASSWORD holds"; fi && \
		echo "team console: log in as $${TEAM_CONSOLE_USER:-team} with the password $$where" && \
		python -m team_console --port $(CONSOLE_PORT)

test: setup
	@bash scripts/test.sh

lint: setup
	@$(RUN) ruff format --check . && ruff check .

format: setup
	@$(RUN) ruff format . && ruff check --fix .

validate: setup
	@$(RUN) rasa data validate --quiet

evaluate: train
	@$(RUN) python -m tools.evaluate --data "$(DATA)" --report "$(REPORT)" \
		$(if $(CHECK),--min-accuracy $(MIN_ACCURACY) --min-oos-recall $(MIN_OOS_RECALL))

# The benchmark: every part, then docs/benchmarks.md. QUICK=1: short runs for development.
# BENCH_DATA: the evaluation files scored side by side (the held-out set first).
BENCH_DATA ?= tests/evaluation/utterances.yml tests/evaluation/dev3.yml tests/evaluation/dev4.yml
bench: train
	@$(RUN) python -m tools.bench $(if $(QUICK),--quick) $(foreach f,$(wordlist 2,99,$(BENCH_DATA)),--data $(f))

bench-accuracy: train
	@$(RUN) python -m tools.bench.accuracy $(foreach f,$(BENCH_DATA),--data $(f)) \
		$(if $(QUICK),--quick) $(if $(CV_FOLDS),--cv-folds $(CV_FOLDS))

bench-speed: train
	@$(RUN) python -m tools.bench.speed $(if $(QUICK),--quick)

bench-profile: train
	@$(RUN) python -m tools.bench.profile_turn $(if $(QUICK),--quick)

bench-cost: train
	@$(RUN) python -m tools.bench.cost $(if $(TRAIN),--train-cold --train-warm)

# The cluster profile on loopback: PostgreSQL, Redis, backend, 2 action servers, 2 Rasa
# replicas, nginx in front (scripts/cluster.sh; Ctrl-C stops it). docs/operations.md.
cluster: train
	@bash scripts/cluster.sh run

# Personal data older than RETENTION_DAYS (conversations, support requests, look-up
# attempts); SENDER=<id> deletes one user's data instead. Databases: TRACKER_DB_URL, ACCOUNT_DB_URL.
RETENTION_DAYS ?= 30
purge: setup
	@$(RUN) python -m retention $(if $(SENDER),--sender "$(SENDER)",--older-than-days $(RETENTION_DAYS))

# The hash-locked requirements: requirements/NAME.in -> requirements/NAME.lock, compiled by
# pip-compile from .venv (Python 3.10, Linux x86_64: the platform of the venv and the images).
# pip.lock first (the others take its pip), base.lock before the locks constrained by it.
# Existing pins are kept unless UPGRADE=1. PIP_CONFIG_FILE=/dev/null: resolve and hash against
# PyPI alone, whatever a local pip.conf adds (mirrors, find-links).
LOCKS := pip base dev backend actions audit
PIP_COMPILE := PIP_CONFIG_FILE=/dev/null .venv/bin/pip-compile --quiet --allow-unsafe \
	--generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock: setup
	@for name in $(LOCKS); do \
		echo "lock: requirements/$$name.lock"; \
		$(PIP_COMPILE) --output-file=requirements/$$name.lock requirements/$$name.in || exit 1; \
	done

# Known advisories of the locked sets (PyPI's advisory data) and of the widget's npm packages.
# Needs the registries, so it is not part of `make test`. pip-audit runs from its own venv
# (.venv-audit, from requirements/audit.lock): it needs newer packages than Rasa 3.6 allows.
# Advisories that cannot be fixed under Rasa 3.6: docs/security-advisories.md.
AUDIT_LOCKS ?= pip base dev backend actions
audit: setup
	@[ -x .venv-audit/bin/pip-audit ] && cmp -s requirements/audit.lock .venv-audit/audit.lock || { \
		rm -rf .venv-audit && .venv/bin/python -m venv --without-pip .venv-audit && \
		.venv/bin/python -m pip --python .venv-audit/bin/python install --quiet \
			--require-hashes -r requirements/audit.lock && \
		cp requirements/audit.lock .venv-audit/audit.lock; }
	@status=0; for name in $(AUDIT_LOCKS); do \
		echo "audit: requirements/$$name.lock"; \
		.venv-audit/bin/pip-audit --progress-spinner off --disable-pip --strict \
			-r requirements/$$name.lock || status=1; \
	done; \
	echo "audit: help_site (npm)"; npm audit --prefix help_site || status=1; \
	exit $$status

clean:
	rm -rf models reports var .pytest_cache .ruff_cache

# The team's figures and review loop (docs/team.md). DAYS: the period; JSON: also write them.
DAYS ?= 7
report: setup
	@$(RUN) python -m team_console.report --days $(DAYS) --json $(or $(JSON),reports/team-report.json)

review-export: setup
	@$(RUN) python -m team_console.review_export

# Not after `train`: that would learn the reviewed examples first, and "before" would be "after".
retrain-reviewed: setup
	@$(RUN) python -m tools.retrain_reviewed --report reports/retrain-reviewed.json
