"""Publishing a Celery task from a web request without letting the broker fail or stall it."""

from __future__ import annotations

import logging

log = logging.getLogger("epep")

# How long a web request may wait for the broker before giving up on publishing a task.
BROKER_TIMEOUT = 0.5


def send_task_quietly(task, *args) -> bool:
    """Publish a task after commit without letting the broker fail or stall the request.

    Returns False when the broker could not be reached within BROKER_TIMEOUT; the caller's
    periodic sweep (outbox-sweep, quality-catch-up, ...) then runs the work later, so
    every caller must have one. The task's own Celery app (the project's, epep.celery)
    is used, so this floor imports nothing of the project.
    """
    app = task.app
    if app.conf.task_always_eager:  # tests and one-process runs: run it now, errors and all
        task.apply(args=args)
        return True
    try:
        with app.connection_for_write(
            connect_timeout=BROKER_TIMEOUT,
            transport_options={"max_retries": 0, "socket_connect_timeout": BROKER_TIMEOUT,
                               "socket_timeout": BROKER_TIMEOUT, "retry_on_timeout": False},
        ) as conn:
            task.apply_async(args=args, connection=conn, retry=False)
        return True
    except Exception as exc:  # noqa: BLE001 - the broker being down must never fail the request
        log.warning("broker unavailable; a periodic sweep will run the task",
                    extra={"event": "broker_down", "task": task.name, "error": type(exc).__name__})
        return False
