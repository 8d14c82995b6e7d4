# One image for web (gunicorn), worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=epep.settings.production EPEP_VAR_DIR=/var/lib/epep

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      nodejs npm curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir -e .
COPY package.json ./
RUN npm install --omit=dev --no-audit --no-fund
COPY . .
RUN make assets PYTHON=python VENV=/usr/local \
 && SECRET_KEY=build ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
 && useradd --system --home /app epep && mkdir -p /var/lib/epep && chown -R epep /var/lib/epep

USER epep
EXPOSE 8000
CMD ["gunicorn", "epep.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
