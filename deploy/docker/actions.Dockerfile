# The action server (rasa-sdk) with the project's actions and the data they read at run time
# (playbooks/, knowledge/). No Rasa, no TensorFlow: requirements/actions.lock. Build from the
# repository root:
#   docker build -f deploy/docker/actions.Dockerfile -t nuget-account-assistant-actions .
# ACCOUNT_BACKEND_URL, ACCOUNT_BACKEND_TOKEN, ACTION_SERVER_TOKEN and DIGEST_SECRET come from the
# environment at run time. In a container the server listens on every interface (SANIC_HOST), so it
# refuses to start without ACTION_SERVER_TOKEN (actions/server_access.py).
FROM python:3.10-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app SANIC_HOST=0.0.0.0 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY requirements/pip.lock requirements/actions.lock requirements/
RUN pip install --require-hashes --no-deps -r requirements/pip.lock \
    && pip install --require-hashes -r requirements/actions.lock \
    && useradd --uid 10001 --create-home --shell /usr/sbin/nologin app

COPY actions/ actions/
COPY common/ common/
COPY playbooks/ playbooks/
COPY knowledge/ knowledge/

USER 10001:10001
EXPOSE 5055
CMD ["python", "-m", "rasa_sdk", "--actions", "actions", "--port", "5055"]
