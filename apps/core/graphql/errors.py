import graphene

from apps.core.errors import DomainError


class MutationRefused(DomainError):
    """A mutation that will not be carried out; answered as typed errors, never as a GraphQL error."""


class ErrorType(graphene.ObjectType):
    """A refused mutation: the input field it concerns (or null), a stable code and a message in the request's language."""

    field = graphene.String()
    code = graphene.String(required=True)
    message = graphene.String(required=True)


def errors_from(exc: DomainError) -> list[ErrorType]:
    fields = (exc.extra or {}).get("fields") if hasattr(exc, "extra") else None
    if fields:
        return [ErrorType(field=_camel(name), code=exc.code, message=str(message)) for name, message in fields.items()]
    return [ErrorType(field=_camel(exc.field) if getattr(exc, "field", None) else None, code=exc.code, message=str(exc.message))]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
