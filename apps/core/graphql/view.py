"""/graphql/: queries on every host; on an organization host also mutations, by people signed in with the browser
session (then the CSRF token is required, as for forms) or by an `Authorization: <scheme> …` header whose scheme an
app registered (accounts: `Bearer ezf_…`)."""

from __future__ import annotations

import json
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_tenants.utils import get_public_schema_name
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionResult, GraphQLError, OperationType, execute, get_operation_ast, parse, validate

from apps.core.errors import DomainError
from apps.core.graphql.limits import validation_rules
from apps.core.graphql.registry import graphql_registry
from apps.core.jsonbody import JSONInputError, json_loads


def _refuse(status: int, code: str, message: str) -> HttpResponse:
    body = {"errors": [{"message": str(message), "extensions": {"code": code}}]}
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")


def _csrf_failure(request) -> bool:
    check = CsrfViewMiddleware(lambda _request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {}) is not None


def _holds_null(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_null(k) or _holds_null(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_null(v) for v in value)
    return False


def null_character_guard(next_, root, info, **arguments):
    """GraphQL string literals can spell NUL as an escape (\\u0000), which no body check sees."""
    if arguments and _holds_null(arguments):
        raise GraphQLError(_("The text contains an invisible NUL character. Remove it and try again."), extensions={"code": "invalid_text"})
    return next_(root, info, **arguments)


def _unreadable(request) -> HttpResponse | None:
    """A body too big to accept or not JSON gets a translated answer (graphene-django answers in English, or not at
    all); text with NUL characters too (PostgreSQL cannot store or compare them)."""
    data = dict(request.GET.lists())
    if request.method == "POST":
        try:
            body = request.body
        except RequestDataTooBig:
            return _refuse(413, "request_too_large", _("This request is too large. Send less text at once."))
        if request.content_type == "application/json":
            try:
                data = json_loads(body or b"null")
            except JSONInputError as exc:
                return _refuse(400, exc.code, str(exc.message))
            except ValueError:
                data = None
            if not isinstance(data, dict):
                return _refuse(400, "invalid_json", _("Send the query as a JSON object with a “query” field."))
        else:
            data = {**data, **dict(request.POST.lists())}
    if _holds_null(data):
        return _refuse(400, "invalid_text", _("The text contains an invisible NUL character. Remove it and try again."))
    return None


@lru_cache(maxsize=512)
def prepared(schema, query: str, public: bool, language: str):
    """Parsed and validated documents, by schema and query text: clients send the same few queries again and again.
    (Validation messages are translated, hence the language in the key.)"""
    try:
        document = parse(query)
    except GraphQLError as error:
        return None, (error,)
    return document, tuple(validate(schema.graphql_schema, document, validation_rules(public=public), max_errors=20))


def _public_host(request) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is None or tenant.schema_name == get_public_schema_name()


@method_decorator(csrf_exempt, name="dispatch")  # enforced below, only for session-authenticated requests
class RootGraphQLView(GraphQLView):
    graphiql = False

    def __init__(self, schema=None, **options):
        # The registry's schema at each request (not graphene-django's cached setting): built once, at first use.
        super().__init__(schema=schema or graphql_registry.schema(), **options)

    def dispatch(self, request, *args, **kwargs):
        refused = _unreadable(request)
        if refused is not None:
            return refused
        scheme, space, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        authenticate = graphql_registry.authenticator(scheme) if space else None
        if authenticate is not None:
            try:
                authenticate(request, credentials.strip())
            except DomainError as exc:
                return _refuse(exc.status, exc.code, exc.message)
        elif request.method == "POST" and request.user.is_authenticated and _csrf_failure(request):
            return _refuse(403, "csrf_failed", _("Your form expired. Please go back, reload the page and try again."))
        self.public = _public_host(request)
        return super().dispatch(request, *args, **kwargs)

    def get_middleware(self, request):
        return [null_character_guard, *(self.middleware or ())]

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        if not query:
            raise HttpError(HttpResponseBadRequest("Must provide query string."))
        if len(query) > settings.EZFLOW_GRAPHQL_MAX_QUERY_LENGTH:
            return ExecutionResult(errors=[GraphQLError(_("This query is too long."), extensions={"code": "query_too_long"})])
        document, errors = prepared(self.schema, query, self.public, getattr(request, "LANGUAGE_CODE", ""))
        if errors:
            return ExecutionResult(errors=list(errors))
        operation = get_operation_ast(document, operation_name)
        if request.method == "GET" and operation is not None and operation.operation != OperationType.QUERY:
            raise HttpError(HttpResponseNotAllowed(["POST"], "Changes need a POST request."))
        try:
            return execute(
                self.schema.graphql_schema,
                document,
                root_value=self.get_root_value(request),
                context_value=request,
                variable_values=variables,
                operation_name=operation_name,
                middleware=self.get_middleware(request),
            )
        except Exception as exc:  # noqa: BLE001 - reported to the client as a GraphQL error, like graphene-django does
            return ExecutionResult(errors=[exc])
