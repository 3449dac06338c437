import pytest
from django.test import Client

from apps.accounts.roles import Role
from apps.marketplace.models import Comment, Rating, Template
from apps.marketplace.services import template_publish
from tests.marketplace.support import gql, make_flow, membership, runnable_graph, seed_templates

PUBLISH = """mutation($flowId: ID!, $details: TemplateDetailsInput!, $version: String) {
  publishTemplate(flowId: $flowId, details: $details, version: $version) {
    template { databaseId title latestVersion { version } canManage } errors { field code message } } }"""
RATE = """mutation($id: ID!, $stars: Int!, $review: String) {
  rateTemplate(templateId: $id, stars: $stars, review: $review) {
    rating { stars review } template { ratingAverage ratingCount } errors { field code message } } }"""
FORK = """mutation($id: ID!) { forkTemplate(templateId: $id) {
  flowId flowName credentialsNeeded { nodeName credentialType } errors { field code message } } }"""
COMMENT = """mutation($id: ID!, $body: String!, $parent: ID) {
  createComment(templateId: $id, body: $body, parentId: $parent) { comment { databaseId body isMine } errors { field code message } } }"""


@pytest.fixture
def org(data):
    return data.create_organization(slug="mut-co")


@pytest.fixture
def template(data, org):
    owner = membership(data, org)
    flow, _ = make_flow(org, user=owner.user, graph=runnable_graph())
    return template_publish(membership=owner, flow=flow, title="Greeter", summary="Says hello")


def test_public_host_is_for_browsing_only(data, template):
    status, body = gql(Client(HTTP_HOST="localhost"), RATE, {"id": str(template.pk), "stars": 5})
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "mutations_not_allowed"
    signed_in_public = data.client_for(None, data.create_user())
    status, body = gql(signed_in_public, RATE, {"id": str(template.pk), "stars": 5})
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "mutations_not_allowed"
    assert not Rating.objects.exists()


def test_members_publish_rate_comment_and_install_with_typed_errors(data, org, template):
    owner = membership(data, org)
    client = data.client_for(org, owner.user)
    flow, _ = make_flow(org, user=owner.user, name="Second", graph=runnable_graph())
    details = {"title": "", "summary": "Hi", "category": "nope"}
    _, body = gql(client, PUBLISH, {"flowId": str(flow.pk), "details": details})
    result = body["data"]["publishTemplate"]
    assert result["template"] is None
    assert {(e["field"], e["code"]) for e in result["errors"]} == {("title", "invalid"), ("category", "invalid")}
    details = {"title": "두 번째", "summary": "Hi", "category": "hr", "tags": ["x"]}
    _, body = gql(client, PUBLISH, {"flowId": str(flow.pk), "details": details, "version": "0.1.0"})
    published = body["data"]["publishTemplate"]
    assert published["errors"] == [] and published["template"]["latestVersion"]["version"] == "0.1.0"
    assert published["template"]["canManage"] is True

    _, body = gql(client, RATE, {"id": str(template.pk), "stars": 9})
    assert body["data"]["rateTemplate"]["errors"] == [{"field": "stars", "code": "invalid", "message": "Choose from 1 to 5 stars."}]
    review = (
        'mutation($id: ID!) { reviewTemplate(templateId: $id, review: "Works well") { rating { stars review } errors { field code } } }'
    )
    assert gql(client, review, {"id": str(template.pk)})[1]["data"]["reviewTemplate"]["errors"] == [{"field": "stars", "code": "invalid"}]
    _, body = gql(client, RATE, {"id": str(template.pk), "stars": 4, "review": "Nice"})
    assert body["data"]["rateTemplate"]["template"] == {"ratingAverage": 4.0, "ratingCount": 1}
    assert gql(client, review, {"id": str(template.pk)})[1]["data"]["reviewTemplate"]["rating"] == {"stars": 4, "review": "Works well"}

    _, body = gql(client, COMMENT, {"id": str(template.pk), "body": "Question"})
    question = body["data"]["createComment"]["comment"]
    assert question["isMine"] is True
    _, body = gql(client, COMMENT, {"id": str(template.pk), "body": "Answer", "parent": str(question["databaseId"])})
    assert body["data"]["createComment"]["errors"] == []
    edit = 'mutation($id: ID!) { editComment(commentId: $id, body: "Edited") { comment { body } errors { code } } }'
    assert gql(client, edit, {"id": str(question["databaseId"])})[1]["data"]["editComment"]["comment"]["body"] == "Edited"
    report = 'mutation($id: ID!) { reportComment(commentId: $id, reason: "spam") { reported errors { code } } }'
    assert gql(client, report, {"id": str(question["databaseId"])})[1]["data"]["reportComment"]["errors"][0]["code"] == "invalid"
    delete = "mutation($id: ID!) { deleteComment(commentId: $id) { comment { body isDeleted } errors { code } } }"
    assert gql(client, delete, {"id": str(question["databaseId"])})[1]["data"]["deleteComment"]["comment"] == {
        "body": "",
        "isDeleted": True,
    }

    _, body = gql(client, FORK, {"id": str(template.pk)})
    fork = body["data"]["forkTemplate"]
    assert fork["errors"] == [] and fork["flowName"] == "Greeter"
    _, body = gql(client, "{ myForks { flowId updateAvailable template { title } installedVersion { version } } }")
    assert body["data"]["myForks"] == [
        {"flowId": fork["flowId"], "updateAvailable": False, "template": {"title": "Greeter"}, "installedVersion": {"version": "1.0.0"}}
    ]


def test_roles_anonymous_and_korean_messages(data, org, template):
    viewer = membership(data, org, role=Role.VIEWER)
    client = data.client_for(org, viewer.user)
    _, body = gql(client, FORK, {"id": str(template.pk)})
    assert body["data"]["forkTemplate"]["errors"][0]["code"] == "permission_denied"
    flow, _ = make_flow(org, user=viewer.user, name="Viewer's", graph=runnable_graph())
    _, body = gql(client, PUBLISH, {"flowId": str(flow.pk), "details": {"title": "t", "summary": "s"}})
    assert body["data"]["publishTemplate"]["errors"][0]["code"] == "permission_denied"
    _, body = gql(client, RATE, {"id": str(template.pk), "stars": 3})  # viewers may rate
    assert body["data"]["rateTemplate"]["errors"] == []
    _, body = gql(client, RATE, {"id": str(template.pk), "stars": 0}, HTTP_ACCEPT_LANGUAGE="ko")
    assert body["data"]["rateTemplate"]["errors"][0]["message"] == "별점은 1에서 5 사이로 선택하세요."
    _, body = gql(Client(HTTP_HOST=org.host), RATE, {"id": str(template.pk), "stars": 3})
    assert body["data"]["rateTemplate"]["errors"][0]["code"] == "not_signed_in"


def test_api_token_and_session_csrf(data, org, template):
    editor = membership(data, org, role=Role.EDITOR)
    token = data.create_token(org, editor.user)
    status, body = gql(data.api_client(org, token), RATE, {"id": str(template.pk), "stars": 5})
    assert status == 200 and body["data"]["rateTemplate"]["errors"] == []
    status, body = gql(data.api_client(org, "ezf_bad_token"), RATE, {"id": str(template.pk), "stars": 5})
    assert status == 401 and body["errors"][0]["extensions"]["code"] == "invalid_token"

    browser = data.client_for(org, editor.user)
    browser.handler.enforce_csrf_checks = True
    status, body = gql(browser, RATE, {"id": str(template.pk), "stars": 1})
    assert status == 403 and body["errors"][0]["extensions"]["code"] == "csrf_failed"
    assert Rating.objects.get().stars == 5
    browser.get("/graphql/", {"query": "{ categories { value } }"})  # sets the CSRF cookie, like any page
    status, body = gql(browser, RATE, {"id": str(template.pk), "stars": 2}, HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
    assert status == 200 and body["data"]["rateTemplate"]["errors"] == [] and Rating.objects.get().stars == 2


def test_organizations_are_isolated(data, org, template):
    owner = membership(data, org)
    other = data.create_organization(slug="mut-other")
    stranger = membership(data, other)
    [private] = seed_templates(org, owner.user, 1, title="Internal only", visibility="organization")
    [unlisted] = seed_templates(org, owner.user, 1, title="By link", visibility="unlisted")
    mine, theirs = data.client_for(org, owner.user), data.client_for(other, stranger.user)
    listing = "{ templates { edges { node { title } } } }"
    assert {e["node"]["title"] for e in gql(mine, listing)[1]["data"]["templates"]["edges"]} == {"Greeter", "Internal only"}
    assert {e["node"]["title"] for e in gql(theirs, listing)[1]["data"]["templates"]["edges"]} == {"Greeter"}
    detail = "query($id: ID!) { template(id: $id) { title } }"
    assert gql(theirs, detail, {"id": str(private.pk)})[1]["data"]["template"] is None
    assert gql(theirs, detail, {"id": str(unlisted.pk)})[1]["data"]["template"] == {"title": "By link"}
    assert gql(Client(HTTP_HOST="localhost"), detail, {"id": str(private.pk)})[1]["data"]["template"] is None
    _, body = gql(theirs, FORK, {"id": str(private.pk)})
    assert body["data"]["forkTemplate"]["errors"][0]["code"] == "not_found"

    flow, _ = make_flow(org, user=owner.user, name="Org A flow", graph=runnable_graph())
    _, body = gql(theirs, "query($id: ID!) { publishPreview(flowId: $id) { graph } }", {"id": str(flow.pk)})
    assert body["data"]["publishPreview"] is None  # other organization's schema has no such flow
    _, body = gql(theirs, PUBLISH, {"flowId": str(flow.pk), "details": {"title": "Stolen", "summary": "x"}})
    assert body["data"]["publishTemplate"]["errors"][0]["code"] == "not_found"
    version = template.latest_version
    _, body = gql(theirs, "mutation($id: ID!) { yankTemplateVersion(versionId: $id) { errors { code } } }", {"id": str(version.pk)})
    assert body["data"]["yankTemplateVersion"]["errors"][0]["code"] == "permission_denied"
    assert gql(theirs, "{ myOrganizationTemplates { title } }")[1]["data"]["myOrganizationTemplates"] == []
    assert len(gql(mine, "{ myOrganizationTemplates { title } }")[1]["data"]["myOrganizationTemplates"]) == 3
    assert not Template.objects.filter(title="Stolen").exists() and not Comment.objects.exists()


def test_depth_alias_and_cost_limits_but_introspection_is_allowed(data, template, settings):
    public = Client(HTTP_HOST="localhost")
    deep = "{ templates { edges { node { " + "forkedFrom { " * 9 + "title" + " }" * 9 + " } } } }"
    status, body = gql(public, deep)
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "query_too_deep"
    aliases = "{ " + " ".join(f"a{i}: categories {{ value }}" for i in range(settings.EZFLOW_GRAPHQL_MAX_ALIASES + 1)) + " }"
    status, body = gql(public, aliases)
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "too_many_aliases"
    costly = "{ templates(first: 50) { edges { node { versions { graph } comments { body replies { body author { displayName } } } "
    costly += " ".join(f"f{i}: reviews {{ stars review author {{ displayName }} }}" for i in range(19)) + " } } } }"
    status, body = gql(public, costly)
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "query_too_costly"
    status, body = gql(public, "{ templates { edges { node { searchText } } } }")  # the standard rules run too
    assert status == 400 and "Cannot query field 'searchText'" in body["errors"][0]["message"]
    # Fragments spreading fragments twice per level (2^30 fields if expanded) and a fragment cycle: refused at once.
    bomb = "".join(f"fragment F{i} on Template {{ ...F{i + 1} ...F{i + 1} }} " for i in range(30))
    bomb = "{ templates { edges { node { ...F0 } } } } " + bomb + "fragment F30 on Template { title }"
    status, body = gql(public, bomb)
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "query_too_costly"
    cycle = "{ templates { edges { node { ...A } } } } fragment A on Template { forkedFrom { ...B } } fragment B on Template { ...A }"
    status, body = gql(public, cycle)
    assert status == 400 and "A" in body["errors"][0]["message"]
    status, body = gql(public, "{ categories { value } }" + " " * settings.EZFLOW_GRAPHQL_MAX_QUERY_LENGTH)
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "query_too_long"
    status, body = gql(
        public, "{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }"
    )
    assert status == 200 and any(t["name"] == "Template" for t in body["data"]["__schema"]["types"])
