# One image for web (gunicorn), worker and beat. Built in two stages so that Node.js is
# used to build GOV.UK Frontend's files but is not shipped in the running image.

# --- Stage 1: GOV.UK Frontend from its npm package (as `make assets` does) -------------
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error \
 && mkdir -p govuk \
 && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js govuk/ \
 && cp -r node_modules/govuk-frontend/dist/govuk/assets govuk/assets \
 && sed 's#/assets/#/static/govuk/assets/#g' node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css \
      > govuk/govuk-frontend.min.css

# --- Stage 2: the portal ------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=epep.settings.production \
    EPEP_VAR_DIR=/var/lib/epep MEDIA_ROOT=/var/lib/epep/private STATIC_ROOT=/app/staticfiles \
    XDG_CACHE_HOME=/tmp/.cache
# (Fontconfig, used by WeasyPrint, keeps its cache under XDG_CACHE_HOME: /tmp, since the
# root filesystem is read-only.)

# WeasyPrint needs Pango and HarfBuzz; the PDF stylesheet uses Liberation Sans or DejaVu Sans.
# `manage.py backup` and `restore` (make backup) need pg_dump and pg_restore of the server's
# major version (PostgreSQL 16 in docker-compose.yml), which Debian bookworm does not ship:
# they come from the PostgreSQL project's own apt repository.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-liberation fonts-dejavu-core ca-certificates curl \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
      > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-16 \
 && apt-get purge -y curl && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The pinned, hashed lock file (make lock), not pyproject.toml's ranges: every build gets
# the same packages, and a tampered download fails the build.
COPY requirements/production.txt requirements/production.txt
RUN pip install --require-hashes -r requirements/production.txt
COPY . .
COPY --from=assets /build/govuk static/govuk
# Static files are collected into the image (not the data volume), so each new image
# serves its own CSS and JS. The throwaway settings below are for this one command only.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput --verbosity 0 \
 && rm -f /tmp/build.sqlite3 \
 && groupadd --system --gid 10001 epep \
 && useradd --system --uid 10001 --gid epep --home-dir /app --shell /usr/sbin/nologin epep \
 && mkdir -p /var/lib/epep/private && chown -R epep:epep /var/lib/epep

# A non-root user. docker-compose.yml runs the root filesystem read-only: only
# /var/lib/epep (documents and other state, a volume) and /tmp (a tmpfs) are writable.
USER epep:epep
EXPOSE 8000
# /healthz answers 200 when the database does. ALLOWED_HOSTS and the HTTPS redirect apply
# to it too, so the check sends the first allowed host and the proxy's HTTPS header.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as u; h = os.environ['ALLOWED_HOSTS'].split(',')[0].lstrip('.'); u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=4)"]
CMD ["gunicorn", "epep.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "2", \
     "--timeout", "60", "--graceful-timeout", "30", "--max-requests", "2000", "--max-requests-jitter", "200", \
     "--access-logfile", "-"]
