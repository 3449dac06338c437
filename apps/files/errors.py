from django.utils.translation import gettext

from apps.core.errors import DomainError


class FilesError(DomainError):
    """A file could not be stored or read. `code` is stable (`file_too_large`, `storage_full`, `file_not_found`,
    `not_a_file`, `link_expired`, `storage_unavailable`, `no_organization`); `message` is translated; `template` and
    `values` keep the English text so a step's error can be said in each reader's language (apps/flows/files.py)."""

    code = "file_error"

    def __init__(self, template: str, *, code: str, status: int = 400, values: dict | None = None, extra: dict | None = None):
        self.template = template
        self.values = dict(values or {})
        message = gettext(template) % self.values if self.values else gettext(template)
        super().__init__(message, code=code, status=status, extra=extra)
