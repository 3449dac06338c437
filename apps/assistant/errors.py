from apps.core.errors import DomainError


class AssistantError(DomainError):
    pass
