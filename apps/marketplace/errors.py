from apps.core.errors import DomainError


class MarketplaceError(DomainError):
    """A refused marketplace action: a stable `code`, the `field` it concerns (if any) and a translated message."""
