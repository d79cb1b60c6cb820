# syntax=docker/dockerfile:1
# Visa Case Portal image: web (gunicorn), Celery worker and beat all run from it (see
# docker-compose.yml). Two stages: the build stage has gettext and pip's work; the final stage
# has no compiler and no pip cache (its only Debian packages: the PDF data sheet's Pango and
# CJK font), runs as the unprivileged user `portal`, and writes only to the uploads folder
# (/srv/portal/private) and /tmp. The build steps live in docker/build.sh, which
# .ci/run also runs on a read-only copy of the tree.

FROM python:3.11-slim-bookworm AS build
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first (hash-checked from the lock file), so code changes reuse this layer.
COPY requirements.lock docker/build.sh /build/
RUN sh /build/build.sh deps /opt/venv /build/requirements.lock
WORKDIR /app
COPY . .
ENV PATH=/opt/venv/bin:$PATH
RUN sh docker/build.sh app

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    HOME=/tmp \
    TMPDIR=/tmp \
    PORTAL_VAR_DIR=/tmp/portal \
    PORTAL_PRIVATE_MEDIA_ROOT=/srv/portal/private \
    PORTAL_BEAT_HEARTBEAT_FILE=/tmp/portal-beat-heartbeat \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
# Runtime programs and libraries only (no compiler), in one layer with no package lists kept:
# WeasyPrint's Pango and a font with Chinese characters for the questionnaire's data sheet PDF
# (cases/questionnaires/pdf.py), and Debian's Tesseract OCR (with its English model), which the
# passport reader runs in the worker (cases/uploads/mrz.py).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fontconfig \
      fonts-noto-cjk tesseract-ocr \
 && rm -rf /var/lib/apt/lists/*
# Files stay owned by root: the app cannot change its own code, settings or static files.
RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin portal \
 && install -d -o portal -g portal -m 0700 /srv/portal/private
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER portal
EXPOSE 8000
CMD ["gunicorn", "--config", "docker/gunicorn.conf.py", "portal.wsgi:application"]
