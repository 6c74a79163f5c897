# The help-site page with the chat widget (`python -m help_site`, standard library only, and
# common/ for its request deadlines) and
# the widget's socket.io client, installed from the npm registry at the locked version
# (help_site/package-lock.json) in a build stage. Build from the repository root:
#   docker build -f deploy/docker/help-site.Dockerfile -t nuget-account-assistant-help-site .
# RASA_SOCKET_URL (where browsers reach Rasa's socket.io channel) comes from the environment.
FROM node:24-bookworm-slim AS widget
WORKDIR /build
COPY help_site/package.json help_site/package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM python:3.10-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app \
    HELP_SITE_HOST=0.0.0.0 HELP_SITE_PORT=8080
WORKDIR /app
RUN useradd --uid 10001 --create-home --shell /usr/sbin/nologin app

COPY help_site/ help_site/
COPY common/ common/
COPY --from=widget /build/node_modules/socket.io-client/dist/ help_site/node_modules/socket.io-client/dist/

USER 10001:10001
EXPOSE 8080
CMD ["python", "-m", "help_site"]
