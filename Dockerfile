# Sammanbot: the bot, the web app (webhook, dashboard, /healthz, /metrics) in one process.
#
#   docker build -t sammanbot .
#   docker run --env-file .env -p 8080:8080 -v sammanbot-var:/app/var sammanbot
#
# flows/ and locales/ are baked in and may be mounted over (/app/flows, /app/locales)
# so admins change them without a rebuild; the bot reloads them on change and on
# SIGHUP (`docker kill --signal HUP …`). ./var (SQLite, pseudonym key) is a volume.
# The build step is scripts/install-runtime, which scripts/docker-build-check (and the
# test suite) also run without Docker.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY scripts/install-runtime scripts/
COPY storage storage
COPY bot bot
RUN sh scripts/install-runtime /src /opt/venv

FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080 \
    VAR_DIR=/app/var \
    FLOWS_DIR=/app/var/flows \
    FLOWS_SEED_DIR=/app/flows \
    LOCALES_DIR=/app/locales \
    DATABASE_URL=sqlite+aiosqlite:////app/var/sammanbot.db
RUN groupadd --system --gid 10001 sammanbot \
    && useradd --system --uid 10001 --gid sammanbot --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin sammanbot
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY flows flows
COPY locales locales
RUN mkdir -p /app/var && chown sammanbot:sammanbot /app/var
VOLUME ["/app/var"]
USER 10001:10001
EXPOSE 8080
# 200 when the database answers, updates flow and the outbox is not stuck; 503 otherwise.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('WEB_PORT', '8080'), timeout=4)"]
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
