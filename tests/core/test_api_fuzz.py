"""Property-based fuzzing of the whole REST API (from the OpenAPI schema it serves) and of the GraphQL schema
(issue 12, break 6): generated requests, valid and invalid, never get a server error, and answers that the schema
documents match it. Requests go to the Django application in-process (WSGI), as an owner with an API token."""

from __future__ import annotations

import traceback

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from apps.accounts.models import Membership
from apps.accounts.roles import Role
from apps.accounts.services.invitations import invitation_create
from apps.accounts.services.tokens import api_token_create
from apps.ai.modules.services import ai_module_create
from apps.assistant.services import assistant_draft, turn_record
from apps.connectors.openapi.services import connector_import
from apps.flows.models import Variable
from apps.flows.services.credentials import credential_create
from apps.flows.services.flows import flow_create, flow_publish
from apps.notifications.api.views import CREATE_DEFAULTS
from apps.notifications.services.rules import alert_rule_create
from apps.runs.services.runs import run_create
from tests.ai.modules import onnx_models
from tests.connectors.openapi.specs import PETS_OAS30, as_json
from tests.flows.graphs import greeting_graph

EXAMPLES_PER_OPERATION = 8
# Each attempt checks a password, which is slow on purpose.
FEWER_EXAMPLES = {"POST /api/v1/auth/token": 3}
SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    derandomize=True,  # the same cases on every run: a failure here is reproducible, not flaky
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


class InProcessApp:
    """The site's WSGI application inside the test's transaction: each request in its own savepoint (rolled back
    after a server error so later requests still work), and the exception behind any server error kept."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.exceptions: list[str] = []

    def __call__(self, environ, start_response):
        status = []

        def recording_start_response(code, headers, exc_info=None):
            status.append(int(code.split()[0]))
            return start_response(code, headers, exc_info)

        # As Django's test client does: the test's transaction must outlive the request.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        savepoint = transaction.savepoint()
        try:
            response = self.handler(environ, recording_start_response)
            body = list(response)
            response.close()
        except BaseException:
            transaction.savepoint_rollback(savepoint)
            raise
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        if status and status[0] >= 500:
            transaction.savepoint_rollback(savepoint)
        else:
            transaction.savepoint_commit(savepoint)
        return body

    def record(self, sender, request=None, **kwargs):
        self.exceptions.append(
            f"{request.method} {request.get_full_path()}\n{traceback.format_exc()}" if request else traceback.format_exc()
        )


@pytest.fixture
def app(db, mailbox):
    application = InProcessApp()
    signals.got_request_exception.connect(application.record)
    yield application
    signals.got_request_exception.disconnect(application.record)


@pytest.fixture
def world(data):
    """An organization with one of everything the API addresses by id, and an owner's token."""
    organization = data.create_organization(slug="fuzz-co")
    owner = data.owner_of(organization)
    editor = data.create_member(organization, role=Role.EDITOR)
    token = data.create_token(organization, owner)
    spare, _plaintext = api_token_create(user=owner, organization=organization, name="spare")
    connection.set_tenant(organization)
    flow = flow_create(user=owner, name="Greeter", description="", tags=["fuzz"], graph=greeting_graph())
    flow_publish(flow=flow, user=owner, message="first")
    credential = credential_create(user=owner, name="Key", type="http_header", data={"header": "X-Key", "value": "secret"})
    variable = Variable.objects.create(name="region", value="eu")
    rule = alert_rule_create(flow=flow, user=owner, **{**CREATE_DEFAULTS, "kind": "consecutive"})
    run = run_create(flow=flow, trigger="manual", user=owner)
    connector = connector_import(user=owner, name="Pets", spec_text=as_json(PETS_OAS30)).connector
    module = ai_module_create(
        user=owner,
        name="Scores",
        kind="onnx",
        model=onnx_models.logistic(*onnx_models.CHURN_V1),
        description={"features": [{"field": "a", "default": 0}, {"field": "b", "default": 0}]},
    ).module
    invitation = invitation_create(
        actor=Membership.objects.get(organization=organization, user=owner), email="invited@example.com", role=Role.VIEWER
    )
    answer = assistant_draft(user=owner, organization=organization, prompt="매일 9시에 슬랙으로 보내줘", graph=flow.draft, flow_id=flow.pk)
    turn = turn_record(user=owner, flow=flow, prompt="매일 9시에 슬랙으로 보내줘", answer=answer, graph_before=flow.draft)
    ids = {
        "/api/v1/assistant/flows/": {"flow_id": flow.pk, "turn_id": turn.pk},
        "/api/v1/flows/{flow_pk}/alert-rules": {"flow_pk": flow.pk, "id": rule.pk},
        "/api/v1/flows/": {"id": flow.pk, "number": 1},
        "/api/v1/runs/": {"id": run.pk},
        "/api/v1/connectors/openapi/": {"id": connector.pk},
        "/api/v1/ai/modules/": {"id": module.pk},
        "/api/v1/invitations/": {"id": invitation.pk},
        "/api/v1/credentials/": {"id": credential.pk},
        "/api/v1/variables/": {"id": variable.pk},
        "/api/v1/tokens/": {"id": spare.pk},
        "/api/v1/members/": {"id": editor.pk},
    }
    return {"organization": organization, "token": token, "ids": ids}


def known_ids(world, path: str) -> dict:
    for prefix, values in world["ids"].items():
        if path.startswith(prefix):
            return values
    return {}


def served_schema(data, world) -> dict:
    client = data.api_client(world["organization"], world["token"])
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def describe(exc: BaseException) -> str:
    parts = [str(inner)[:1500] for inner in getattr(exc, "exceptions", ())] or [str(exc)[:1500]]
    return "\n".join([*parts, *getattr(exc, "__notes__", [])])


def operation_order(operation) -> tuple:
    # Deleting comes last, so the seeded objects are there for every other operation.
    return (operation.method.upper() == "DELETE", operation.path, operation.method)


def test_every_operation_of_the_openapi_schema_survives_generated_requests(app, data, world):
    schema = schemathesis.openapi.from_dict(served_schema(data, world))
    schema.app = app
    base_url = f"http://{world['organization'].host}"
    headers = {"Authorization": f"Bearer {world['token']}"}
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=operation_order)
    assert len(operations) > 40
    failures: list[str] = []
    answered: dict[str, set[int]] = {}
    for operation in operations:
        parameters = {name: value for name, value in known_ids(world, operation.path).items() if f"{{{name}}}" in operation.path}
        strategies = [operation.as_strategy(generation_mode=mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
        if parameters:
            strategies.append(operation.as_strategy(path_parameters=parameters))

        @settings(SETTINGS, max_examples=FEWER_EXAMPLES.get(operation.label, EXAMPLES_PER_OPERATION))
        @given(case=st.one_of(strategies))
        def fuzz(case):
            response = case.call(base_url=base_url, headers=headers)
            answered.setdefault(case.operation.label, set()).add(response.status_code)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance], headers=headers)

        # Operations on one object also get cases that address an existing one, whatever one_of drew above.
        @settings(SETTINGS, max_examples=3)
        @given(case=operation.as_strategy(path_parameters=parameters))
        def fuzz_known(case):
            response = case.call(base_url=base_url, headers=headers)
            answered.setdefault(case.operation.label, set()).add(response.status_code)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance], headers=headers)

        try:
            fuzz()
            if parameters:
                fuzz_known()
        except (Exception, BaseExceptionGroup) as exc:  # every operation is tried; all failures are reported together
            failures.append(f"{operation.label}: {describe(exc)}")
    assert not app.exceptions, "\n\n".join(app.exceptions)
    assert not failures, "\n\n".join(failures)
    # The fuzzing got past authentication and validation: nearly every operation succeeded at least once.
    never = sorted(label for label, codes in answered.items() if not any(200 <= code < 300 for code in codes))
    assert len(never) <= len(answered) // 5, "\n".join(f"{label}: {sorted(answered[label])}" for label in never)


GRAPHQL_EXAMPLES_PER_OPERATION = 10


def test_every_graphql_query_and_mutation_survives_generated_documents(app, data, world, monkeypatch):
    """Server errors here are 5xx answers, resolvers failing with anything but a GraphQL or domain error (anything
    else is a bug that graphql-core would hide in a 200) and errors at a field without a code. (Schemathesis' own
    GraphQL check takes every coded refusal it does not know, like `invalid_text`, for a server error.)"""
    from graphql import GraphQLError, get_introspection_query

    from apps.core.errors import DomainError
    from apps.core.graphql.view import RootGraphQLView

    unexpected: list[str] = []

    def resolver_errors(next_, root, info, **arguments):
        try:
            return next_(root, info, **arguments)
        except (GraphQLError, DomainError):
            raise
        except Exception:
            unexpected.append(f"{info.parent_type.name}.{info.field_name}({arguments})\n{traceback.format_exc()}")
            raise

    original = RootGraphQLView.get_middleware
    monkeypatch.setattr(RootGraphQLView, "get_middleware", lambda self, request: [*original(self, request), resolver_errors])
    client = data.api_client(world["organization"], world["token"])
    introspection = client.post("/graphql/", {"query": get_introspection_query()}, content_type="application/json")
    assert introspection.status_code == 200, introspection.content[:300]
    schema = schemathesis.graphql.from_dict(introspection.json())
    schema.location = "/graphql/"
    schema.app = app
    base_url = f"http://{world['organization'].host}"
    headers = {"Authorization": f"Bearer {world['token']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10
    failures: list[str] = []
    answered: dict[str, set[int]] = {}
    for operation in operations:

        @settings(SETTINGS, max_examples=GRAPHQL_EXAMPLES_PER_OPERATION)
        @given(case=operation.as_strategy())
        def fuzz(case):
            response = case.call(base_url=base_url, headers=headers)
            answered.setdefault(case.operation.label, set()).add(response.status_code)
            assert response.status_code < 500, (case.body, response.text[:500])
            # A resolver's refusal carries a stable code; an error at a field without one is a failure.
            uncoded = [e for e in response.json().get("errors") or [] if "path" in e and not (e.get("extensions") or {}).get("code")]
            assert not uncoded, (case.body, uncoded)

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label}: {describe(exc)}")
    assert not app.exceptions, "\n\n".join(app.exceptions)
    assert not failures, "\n\n".join(failures)
    assert not unexpected, "\n\n".join(unexpected[:5])
    assert all(200 in codes for codes in answered.values()), answered


def simplest(node: dict, components: dict):
    """The simplest value `node` (an OpenAPI schema) allows: required properties only, the least of every range,
    the first of every choice (one value per variant for a `oneOf` at the top)."""
    if "$ref" in node:
        return simplest(components[node["$ref"].rsplit("/", 1)[-1]], components)
    for combinator in ("allOf", "oneOf", "anyOf"):
        if combinator in node:
            return simplest(node[combinator][0], components)
    if "enum" in node:
        return node["enum"][0]
    if "example" in node:  # a value of a shape given by a pattern
        return node["example"]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return {name: simplest(node["properties"].get(name, {}), components) for name in node.get("required", [])}
    if kind == "array":
        return [simplest(node.get("items", {}), components) for _ in range(node.get("minItems", 0))]
    if kind == "string":
        by_format = {"email": "someone@example.com", "date": "2026-01-31", "uri": "https://example.com/"}
        if node.get("format") in by_format:  # (the one pattern with a format is an address's)
            return by_format[node["format"]]
        return "a" * max(node.get("minLength", 0), 1 if "pattern" in node else 0)
    if kind in ("integer", "number"):
        return node.get("minimum", 0)
    if kind == "boolean":
        return False
    return None


# Refusals about what a value means, which no schema can say: a text that is not an OpenAPI document, an address
# that cannot be fetched (example.com does not resolve here), a file that is not an ONNX model, a model server's
# address for a module that runs an ONNX file, a sign-in asked for a credential that is not OAuth2.
MEANING_REFUSALS = {
    ("POST /api/v1/connectors/openapi", "spec_not_openapi"),
    ("POST /api/v1/connectors/openapi", "fetch_failed"),
    ("POST /api/v1/ai/modules", "module_not_onnx"),
    ("POST /api/v1/ai/modules/{id}/versions", "module_not_onnx"),
    ("POST /api/v1/ai/modules/{id}/versions", "module_kind"),
    ("POST /api/v1/credentials/{id}/oauth2/authorize", "not_oauth2"),
}


def test_the_simplest_body_the_schema_allows_is_accepted(app, data, world):
    """Where the schema is looser than the API, the simplest body it allows is what the API refuses: for each
    operation with a body (and each shape of a body that has several), that body gets no 400."""
    raw = served_schema(data, world)
    components = raw["components"]["schemas"]
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = app
    base_url = f"http://{world['organization'].host}"
    headers = {"Authorization": f"Bearer {world['token']}"}
    refused, tried = [], []
    for operation in sorted((result.ok() for result in schema.get_all_operations()), key=operation_order):
        body = raw["paths"][operation.path][operation.method.lower()].get("requestBody")
        if not body or operation.method.upper() == "DELETE" or operation.path == "/api/v1/auth/token":
            continue
        body_schema = body["content"]["application/json"]["schema"]
        top = components.get(body_schema.get("$ref", "").rsplit("/", 1)[-1], body_schema)
        parameters = {name: value for name, value in known_ids(world, operation.path).items() if f"{{{name}}}" in operation.path}
        for variant in top.get("oneOf", [body_schema]):
            value = simplest(variant, components)
            case = operation.Case(body=value, path_parameters=parameters, media_type="application/json")
            response = case.call(base_url=base_url, headers=headers)
            tried.append((operation.label, value, response.status_code))
            if response.status_code == 400 and (operation.label, response.json()["error"]["code"]) not in MEANING_REFUSALS:
                refused.append(f"{operation.label} {value!r}: {response.text[:300]}")
    assert len(tried) > 25 and not app.exceptions
    accepted = [entry for entry in tried if 200 <= entry[2] < 300]
    assert len(accepted) >= len(tried) * 3 // 4, tried
    assert not refused, "\n".join(refused)


def test_digits_that_are_not_decimal_are_not_ids(data, world):
    """`"⁶".isdigit()` is true but int("⁶") fails: ids in query strings and GraphQL arguments are checked with
    isdecimal() (found by the GraphQL fuzzing above; these REST answers were server errors too)."""
    client = data.api_client(world["organization"], world["token"])
    flow_id = world["ids"]["/api/v1/flows/"]["id"]
    assert client.get("/api/v1/runs", {"q": "⁶"}).status_code == 400
    assert client.get("/api/v1/runs/stats", {"flow": "⁶"}).status_code == 404
    assert client.get(f"/api/v1/flows/{flow_id}/versions/diff", {"from": "⁶"}).status_code == 400
    query = 'mutation { publishTemplateVersion(templateId: "⁶", flowId: 1, version: "1.0.1", changelog: "x") { errors { code } } }'
    answer = client.post("/graphql/", {"query": query}, content_type="application/json")
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.content


def test_the_schema_describes_every_operation_without_guessing():
    """drf-spectacular warns where it has to guess (a view without a serializer, an unknown authenticator); every
    write documents its body (or says it has none) and every answer but 204 its content."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator(urlconf="ezflow_site.urls_tenant").get_schema(request=None, public=True)
    assert dict(GENERATOR_STATS._warn_cache) == {} and dict(GENERATOR_STATS._error_cache) == {}
    undocumented = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status != "204" and not response.get("content"):
                    undocumented.append(f"{method.upper()} {path} {status}")
    assert undocumented == []
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
