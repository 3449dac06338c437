"""JSON log lines carrying the organization, flow, run and node they are about.

The ids live in context variables, set by the request middleware and by run execution, so every log call made
while handling them carries them without passing anything around. Logs hold ids and codes, never item data.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from contextlib import contextmanager

_FIELDS = ("organization", "flow_id", "run_id", "node_id")
_context: dict[str, contextvars.ContextVar] = {name: contextvars.ContextVar(f"ezflow_log_{name}", default=None) for name in _FIELDS}


@contextmanager
def log_context(**fields):
    tokens = [(_context[name], _context[name].set(value)) for name, value in fields.items() if name in _context]
    try:
        yield
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)


def set_log_field(name: str, value) -> None:
    _context[name].set(value)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, variable in _context.items():
            # An id passed explicitly with `extra=` wins over the one in the context.
            value = getattr(record, name, None)
            if value is None:
                value = variable.get()
            if value is not None:
                entry[name] = value
        for key in ("status", "error_code", "duration_ms", "trigger"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class LogContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        with log_context(organization=getattr(tenant, "schema_name", None)):
            return self.get_response(request)
