"""Hostile or careless input through GraphQL: every one gets a clear answer, never a server error or a leak."""

import json

import pytest
from django.test import Client

from apps.marketplace.models import Comment
from apps.marketplace.services import template_publish
from tests.marketplace.support import gql, make_flow, membership, runnable_graph

COMMENT = """mutation($id: ID!, $body: String!) {
  createComment(templateId: $id, body: $body) { comment { body } errors { field code message } } }"""
PUBLISH = """mutation($flowId: ID!, $details: TemplateDetailsInput!) {
  publishTemplate(flowId: $flowId, details: $details) { template { title } errors { field code message } } }"""


@pytest.fixture
def org(data):
    return data.create_organization(slug="hostile-co")


@pytest.fixture
def template(data, org):
    owner = membership(data, org)
    flow, _ = make_flow(org, user=owner.user, graph=runnable_graph())
    return template_publish(membership=owner, flow=flow, title="Greeter", summary="Says hello")


def test_huge_and_odd_inputs_get_translated_errors_not_server_errors(data, org, template):
    owner = membership(data, org)
    client = data.client_for(org, owner.user)
    _, body = gql(client, COMMENT, {"id": str(template.pk), "body": "가" * 20_000}, HTTP_ACCEPT_LANGUAGE="ko")
    assert body["data"]["createComment"]["errors"][0]["field"] == "body"
    assert "5000" in body["data"]["createComment"]["errors"][0]["message"]
    flow, _ = make_flow(org, user=owner.user, name="Tags", graph=runnable_graph())
    details = {"title": "Many tags", "summary": "s", "tags": [f"t{i}" for i in range(10_000)]}
    _, body = gql(client, PUBLISH, {"flowId": str(flow.pk), "details": details})
    assert body["data"]["publishTemplate"]["errors"][0]["field"] == "tags"
    assert not Comment.objects.exists()

    public = Client(HTTP_HOST="localhost")
    for variables in (
        {"id": "9" * 30},
        {"id": "VGVtcGxhdGU6OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"},  # Template:<too big for a database id>
        {"id": "not base64 at all ✓"},
        {"id": "-1"},
    ):
        status, body = gql(public, "query($id: ID!) { template(id: $id) { title } templateVersion(id: $id) { version } }", variables)
        assert status == 200 and body["data"] == {"template": None, "templateVersion": None}, variables
    status, body = gql(public, 'query { node(id: "VGVtcGxhdGU6OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5") { id } }')
    assert status == 200 and body["data"]["node"] is None, body

    search = """query($q: String, $tags: [String!], $types: [String!], $after: String) {
      templates(query: $q, tags: $tags, nodeTypes: $types, after: $after) { totalCount edges { node { title } } } }"""
    for variables in (
        {"q": "자동화 " * 50_000},
        {"tags": [f"t{i}" for i in range(10_000)]},
        {"types": ["x" * 500] * 1000},
        {"after": "garbage"},
        {"after": "YXJyYXljb25uZWN0aW9uOjk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"},
    ):
        status, body = gql(public, search, variables)
        assert status == 200 and "errors" not in body, (variables, body)


def test_a_request_body_over_the_upload_limit_is_refused_in_words(data, org, template, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = data.client_for(org, membership(data, org).user)
    response = client.post(
        "/graphql/",
        json.dumps({"query": COMMENT, "variables": {"id": str(template.pk), "body": "x" * 20_000}}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "request_too_large"
    for broken in ("{not json", "[1, 2]"):
        response = client.post("/graphql/", broken, content_type="application/json")
        assert response.status_code == 400 and response.json()["errors"][0]["extensions"]["code"] == "invalid_json"


def test_deactivated_members_suspended_organizations_and_relay_ids_of_private_things(data, org, template):
    from graphql_relay import to_global_id

    from apps.accounts.models import Organization
    from apps.marketplace.models import Rating
    from tests.marketplace.support import seed_templates

    rate = "mutation($id: ID!) { rateTemplate(templateId: $id, stars: 5) { errors { code } } }"
    editor = membership(data, org, role="editor")
    token = data.create_token(org, editor.user)
    session = data.client_for(org, editor.user)
    editor.is_active = False
    editor.save(update_fields=["is_active"])
    assert gql(session, rate, {"id": str(template.pk)})[1]["data"]["rateTemplate"]["errors"][0]["code"] == "not_signed_in"
    status, body = gql(data.api_client(org, token), rate, {"id": str(template.pk)})
    assert status == 401 and "data" not in body
    assert not Rating.objects.exists()

    other = data.create_organization(slug="hostile-other")
    [private] = seed_templates(org, membership(data, org).user, 1, title="Internal", visibility="organization")
    stranger = data.client_for(other, membership(data, other).user)
    for kind, pk in (("Template", private.pk), ("TemplateVersion", private.latest_version_id)):
        _, body = gql(stranger, "query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id(kind, pk)})
        assert body["data"]["node"] is None, kind
    _, body = gql(stranger, "query($id: ID!) { templateVersion(id: $id) { graph } }", {"id": str(private.latest_version_id)})
    assert body["data"]["templateVersion"] is None

    owner_session = data.client_for(org, membership(data, org).user)
    Organization.objects.filter(pk=org.pk).update(status=Organization.Status.SUSPENDED)
    status, _ = gql(owner_session, rate, {"id": str(template.pk)})
    assert status == 403 and not Rating.objects.exists()


def test_null_characters_are_refused_in_words_not_by_the_database(data, org, template):
    owner = membership(data, org)
    client = data.client_for(org, owner.user)
    flow, _ = make_flow(org, user=owner.user, name="Nul", graph=runnable_graph())
    search = "query($q: String, $tags: [String!]) { templates(query: $q, tags: $tags) { totalCount } }"
    for sender, query, variables in (
        (client, COMMENT, {"id": str(template.pk), "body": "안녕\x00하세요"}),
        (client, PUBLISH, {"flowId": str(flow.pk), "details": {"title": "a", "summary": "s", "tags": ["x\x00"]}}),
        (Client(HTTP_HOST="localhost"), search, {"q": "자동\x00화"}),
    ):
        status, body = gql(sender, query, variables, HTTP_ACCEPT_LANGUAGE="ko")
        assert status == 400 and body["errors"][0]["extensions"]["code"] == "invalid_text", body
        assert "NUL" in body["errors"][0]["message"] and "문자" in body["errors"][0]["message"]
    # Spelled as an escape inside the query text: refused when the field is resolved.
    _, body = gql(Client(HTTP_HOST="localhost"), '{ templates(category: "a\\u0000") { totalCount } }', HTTP_ACCEPT_LANGUAGE="ko")
    assert body["data"]["templates"] is None and body["errors"][0]["extensions"]["code"] == "invalid_text"
    response = Client(HTTP_HOST="localhost").get("/graphql/", {"query": '{ templates(query: "a\x00") { totalCount } }'})
    assert response.status_code == 400 and response.json()["errors"][0]["extensions"]["code"] == "invalid_text"
    assert not Comment.objects.exists()


def test_aliased_introspection_counts_against_the_alias_limit_but_one_full_introspection_works(data, settings):
    from graphql import get_introspection_query

    public = Client(HTTP_HOST="localhost")
    copies = settings.EZFLOW_GRAPHQL_MAX_ALIASES + 1
    bomb = "{ " + " ".join(f"a{i}: __schema {{ types {{ fields {{ name args {{ name }} }} }} }}" for i in range(copies)) + " }"
    status, body = gql(public, bomb)
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "too_many_aliases"
    status, body = gql(public, get_introspection_query(descriptions=True))
    assert status == 200 and any(t["name"] == "Template" for t in body["data"]["__schema"]["types"])
