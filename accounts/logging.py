"""Structured (JSON lines) logging with the request id on every record."""

from __future__ import annotations

import json
import logging

from core.request_context import current_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    # Only these extra attributes are copied into the line: never a form's data, a
    # password, a session key or a child's name (callers log ids, not people).
    EXTRA_KEYS = ("event", "user_id", "child_id", "path", "status", "ip", "object_type", "object_id")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        for key in self.EXTRA_KEYS:
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)
