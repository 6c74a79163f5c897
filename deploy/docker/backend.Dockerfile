# The account backend (FastAPI + SQLAlchemy Core, `python -m account_backend`) and the
# retention job that purges old data (`python -m retention`, run from this image by the
# Kubernetes CronJob). No Rasa, no TensorFlow: requirements/backend.lock. Build from the
# repository root:
#   docker build -f deploy/docker/backend.Dockerfile -t nuget-account-assistant-backend .
# ACCOUNT_DB_URL, ACCOUNT_BACKEND_TOKEN, IDENTITY_SECRET, DIGEST_SECRET (and TRACKER_DB_URL for
# retention) come from the environment at run time.
FROM python:3.10-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 SQLALCHEMY_SILENCE_UBER_WARNING=1
WORKDIR /app

COPY requirements/pip.lock requirements/backend.lock requirements/
RUN pip install --require-hashes --no-deps -r requirements/pip.lock \
    && pip install --require-hashes -r requirements/backend.lock \
    && useradd --uid 10001 --create-home --shell /usr/sbin/nologin app \
    && mkdir var && chown app:app var

COPY account_backend/ account_backend/
COPY common/ common/
COPY retention/ retention/
# the analytics tables the retention job purges beside the conversations (team_console/tables.py)
COPY team_console/tables.py team_console/__init__.py team_console/

USER 10001:10001
EXPOSE 8001
CMD ["python", "-m", "account_backend", "--host", "0.0.0.0", "--port", "8001"]
