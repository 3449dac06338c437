"""Domain errors carry a stable code (for API clients) and a translated message (for people)."""

from django.core.exceptions import ValidationError

from apps.core.errors import DomainError


class AccountsError(DomainError):
    pass


class NotAllowed(AccountsError):
    code = "permission_denied"
    status = 403


class InvalidLink(AccountsError):
    code = "invalid_link"


class LoginFailed(AccountsError):
    code = "invalid_credentials"
    status = 401


class LockedOut(AccountsError):
    code = "locked_out"
    status = 429


def field_errors(errors: dict[str, list]) -> ValidationError:
    """A ValidationError holding every problem at once, keyed by field."""
    return ValidationError({field: messages for field, messages in errors.items() if messages})
