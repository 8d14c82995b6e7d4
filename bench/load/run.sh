#!/usr/bin/env bash
# 100 concurrent users on gunicorn and PostgreSQL (see bench/README.md, "load/").
#
#   bench/load/run.sh                              # 100 users, think time 5-15 s, 3 minutes
#   LOAD_WAIT_MIN=1 LOAD_WAIT_MAX=3 LOAD_LABEL=short-think bench/load/run.sh
#
# Creates and migrates the database, seeds it (once), collects static files, starts
# gunicorn as the Dockerfile does (4 workers x 2 threads) with the production settings
# (bench/load/load_settings.py: plain HTTP, so no HTTPS redirect or Secure cookies), runs
# locust headless and prints the figures. Exits non-zero when any request failed.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/epep_load}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/8}"
PORT="${LOAD_PORT:-8765}"
USERS="${LOAD_USERS_COUNT:-100}"
# Two new people a second. Signing in costs a scrypt hash (deliberately slow)
# and staff type a code that is only valid for its 30 s window, so 100 people arriving in
# 10 s queue behind each other's hashes; people arrive over a morning, not in ten seconds.
SPAWN="${LOAD_SPAWN_RATE:-2}"
DURATION="${LOAD_DURATION:-3m}"
LABEL="${LOAD_LABEL:-users${USERS}}"
OUT="$ROOT/var/bench/load"
mkdir -p "$OUT"

# locust is in the `bench` extra of pyproject.toml; install it into the venv if missing.
if [ ! -x "$ROOT/.venv/bin/locust" ]; then
  "$ROOT/.venv/bin/pip" install --quiet 'locust>=2.20'
fi

echo "== seeding $DATABASE_URL (once; later runs reuse it)"
LOG_LEVEL=WARNING "$PY" bench/load/seed_load.py

# The server's environment: production settings, with what production demands.
export PYTHONPATH="$ROOT/bench/load:$ROOT"
export DJANGO_SETTINGS_MODULE=load_settings
export SECRET_KEY="${SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')}"
export ALLOWED_HOSTS=127.0.0.1,localhost
export TRUSTED_PROXY_COUNT=1          # locust sends one X-Forwarded-For address per person
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
export LOG_LEVEL=WARNING
export EPEP_VAR_DIR="$ROOT/var"

echo "== collectstatic"
"$PY" manage.py collectstatic --noinput --verbosity 0

echo "== gunicorn on 127.0.0.1:$PORT (4 workers x 2 threads, as the Dockerfile)"
"$ROOT/.venv/bin/gunicorn" epep.wsgi:application --bind "127.0.0.1:$PORT" --workers 4 --threads 2 \
  --timeout 60 --graceful-timeout 30 --max-requests 2000 --max-requests-jitter 200 \
  --access-logformat '%(t)s "%(r)s" %(s)s %(b)s %(M)sms' --access-logfile "$OUT/gunicorn-access-$LABEL.log" --error-logfile "$OUT/gunicorn-error-$LABEL.log" \
  > "$OUT/gunicorn-$LABEL.log" 2>&1 &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null; wait "$GUNICORN" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  if curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then break; fi
  sleep 1
done
curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz"

echo "== locust: $USERS users, spawn $SPAWN/s, $DURATION, think time ${LOAD_WAIT_MIN:-5}-${LOAD_WAIT_MAX:-15} s"
echo "started $(date -u '+%Y-%m-%d %H:%M UTC'); load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
status=0
export LOAD_REQUEST_LOG="$OUT/${LABEL}_requests.csv"
# /usr/bin/time: the load generator's own CPU time, since it shares the machine's 2 cores;
# cpu_sample.py samples it and the server's every second, so a saturated generator (which sends
# and measures late) is not mistaken for a slow server.
/usr/bin/time -f "locust used %U s user + %S s system CPU over %e s" -o "$OUT/locust-$LABEL.cpu" \
  "$ROOT/.venv/bin/locust" -f bench/load/locustfile.py --headless -u "$USERS" -r "$SPAWN" -t "$DURATION" \
  --host "http://127.0.0.1:$PORT" --csv "$OUT/$LABEL" --only-summary --stop-timeout 30 --loglevel WARNING \
  > "$OUT/locust-$LABEL.log" 2>&1 &
LOCUST=$!
"$PY" bench/load/cpu_sample.py --generator "$LOCUST" --server "$GUNICORN" --csv "$OUT/cpu-$LABEL.csv" \
  > "$OUT/cpu-$LABEL.txt" 2>&1 &
SAMPLER=$!
wait "$LOCUST" || status=$?
wait "$SAMPLER" || true
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
cat "$OUT/locust-$LABEL.cpu"
"$PY" bench/load/report.py "$LOAD_REQUEST_LOG" "$OUT/${LABEL}_failures.csv" > "$OUT/$LABEL-report.txt" \
  || status=$?
# The summary ends with both sides' CPU (and the warning when the generator was saturated).
cat "$OUT/cpu-$LABEL.txt" >> "$OUT/$LABEL-report.txt"
cat "$OUT/$LABEL-report.txt"
if [ "$status" -ne 0 ]; then
  echo "FAILED: locust exited $status (a request failed or locust itself did; see $OUT/locust-$LABEL.log)" >&2
  exit 1
fi
