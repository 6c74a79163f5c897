# The assistant: Rasa's server with the project's plugins (channels, NLU components, tracker
# and lock stores, patches) and a model trained at build time from the project's own data
# (no model downloads at run time). Build from the repository root:
#   docker build -f deploy/docker/rasa.Dockerfile -t nuget-account-assistant-rasa .
# Settings and secrets come from the environment at run time (deploy/docker-compose.yml,
# deploy/k8s/rasa.yaml), never from the image.
FROM python:3.10-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
WORKDIR /app

# Hash-locked: pip itself, then Rasa's set (requirements/base.lock, Linux x86_64, Python 3.10).
COPY requirements/pip.lock requirements/base.lock requirements/
RUN pip install --require-hashes --no-deps -r requirements/pip.lock \
    && pip install --require-hashes -r requirements/base.lock \
    && useradd --uid 10001 --create-home --shell /usr/sbin/nologin app

# Only what Rasa runs: the plugins it loads by dotted name, the shared floor, its settings
# and the training data.
COPY rasa_plugins/ rasa_plugins/
COPY common/ common/
COPY config.yml domain.yml credentials.yml endpoints.yml ./
COPY deploy/endpoints.yml deploy/endpoints.yml
COPY data/ data/

# The model, trained here (root-owned, read-only for the server); the training cache goes.
RUN rasa train --fixed-model-name assistant --out models && rm -rf .rasa

USER 10001:10001
EXPOSE 5005
CMD ["rasa", "run", "--model", "models/assistant.tar.gz", "--endpoints", "deploy/endpoints.yml", \
     "--credentials", "credentials.yml", "--port", "5005"]
