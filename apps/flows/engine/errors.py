"""Errors of the pure-Python engine. Each carries a stable code; the Django layer translates it for people."""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    """Marks an English message for the Korean catalogue without importing Django (makemessages finds the calls).

    Messages with values are templates: `NodeError(gettext_noop("Over %(limit)s bytes."), values={"limit": 5})`.
    The engine keeps the English text in `message`; the Django layer translates `template` % `values` for people."""
    return message


def _formatted(template: str, values: dict) -> str:
    try:
        return template % values
    except (KeyError, ValueError, TypeError):  # a wrong template must never hide the error itself
        return f"{template} {values}"


class EngineError(Exception):
    code = "engine_error"

    def __init__(self, message: str, *, code: str | None = None, detail: str = "", params: dict | None = None, values: dict | None = None):
        self.template = message
        self.values = dict(values or {})
        message = _formatted(message, self.values) if self.values else message
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.params = params or {}
        if code:
            self.code = code

    @property
    def translatable(self) -> dict:
        """What the Django layer needs to say this error in the reader's language (stored with the run)."""
        return {"template": self.template, "values": self.values} if self.template else {}


class ExpressionError(EngineError):
    code = "expression_error"


class ExpressionSecurityError(ExpressionError):
    code = "expression_forbidden"


class NodeError(EngineError):
    """A node failed on its input; the run records message and detail for the person who built the flow."""

    code = "node_error"


class StopFlow(NodeError):
    code = "stopped_by_flow"


class RunCancelled(EngineError):
    code = "cancelled"


class Suspend(Exception):  # noqa: N818  (not an error: the run continues later)
    """Raised by a node (wait) to park the run; the host persists and resumes it at `resume_at`."""

    def __init__(self, resume_at, state: dict | None = None):
        super().__init__("suspended")
        self.resume_at = resume_at
        self.state = state or {}
