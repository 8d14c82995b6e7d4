"""`make run`: the portal, a Celery worker and Celery beat, stopped together with Ctrl+C."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
    args = parser.parse_args(argv)
    # Before the settings are read: SITE_URL (the address in emails) follows PORT unless it
    # is set (epep.settings.local), here and in the web process, worker and beat started
    # below, which inherit this environment.
    os.environ["PORT"] = str(args.port)
    import django

    django.setup()
    from accounts.demo import DEMO_LOGINS

    python = sys.executable
    commands = {
        "web": [python, "manage.py", "runserver", f"127.0.0.1:{args.port}", "--noreload"],
        "worker": [python, "-m", "celery", "-A", "epep", "worker", "--loglevel=WARNING",
                   "--concurrency=2"],
        "beat": [python, "-m", "celery", "-A", "epep", "beat", "--loglevel=WARNING",
                 "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"],
    }
    processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}  # noqa: S603
    time.sleep(2)
    print(f"\nThe portal is at http://127.0.0.1:{args.port}/ (Ctrl+C stops everything).")
    print("Demo logins, all with the password demo-pass-2026:")
    for email, _name, role in DEMO_LOGINS:
        print(f"  {email:<20} {role.label}")
    from django.conf import settings

    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        print(f"Emails are written as files to {settings.EMAIL_FILE_PATH}/; their links use {settings.SITE_URL}.")
    else:
        print(f"Links in emails use {settings.SITE_URL}.")
    if settings.DEBUG:
        print("DEBUG is on: Django's debug pages are shown instead of the GOV.UK error pages.")
    if settings.MFA_REQUIRED_FOR_STAFF:
        print("Staff logins (admin, vs, sw, dt) set up an authenticator app at first sign-in;\n"
              "to try the demo without one, run: MFA_REQUIRED_FOR_STAFF=false make run")
    print(flush=True)
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            for name, proc in processes.items():
                if proc.poll() is not None:
                    print(f"{name} stopped with exit code {proc.returncode}; stopping the rest.")
                    stopping = True
            time.sleep(0.5)
    finally:
        for proc in processes.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in processes.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epep.settings.local")
    sys.exit(main())
