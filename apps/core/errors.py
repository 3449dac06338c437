"""Domain errors carry a stable code (for API clients), a translated message (for people) and an HTTP status."""


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message, *, code: str | None = None, field: str | None = None, status: int | None = None, extra: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.extra = extra or {}
        if code:
            self.code = code
        if status:
            self.status = status


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409
