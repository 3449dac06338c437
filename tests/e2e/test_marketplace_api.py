"""Two organizations through the HTTP API: A publishes, B finds, rates, comments, installs and runs it, A publishes v2,
B updates. A credential planted in A never shows up in any response, in the marketplace tables or in B's schema."""

import json

import pytest
from django.db import connection

from tests.flows.graphs import edge, node
from tests.marketplace.support import gql
from tests.support.fake_http import FakeServer

PLANTED = "PLANTED-A-SECRET-5d1e0c"
B_TOKEN = "b-own-token-77"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Recorder:
    """Keeps the text of every GraphQL response (any organization) and of every REST response to anyone but the
    secret's owner (whose own flow legitimately shows it), to search them all for the planted secret."""

    def __init__(self):
        self.texts: list[str] = []
        self.owner = None

    def rest(self, client, method, path, payload=None):
        response = (
            getattr(client, method)(path, payload, content_type="application/json")
            if payload is not None
            else getattr(client, method)(path)
        )
        if client is not self.owner:
            self.texts.append(response.content.decode())
        return response

    def graphql(self, client, query, variables=None):
        status, body = gql(client, query, variables)
        self.texts.append(json.dumps(body, ensure_ascii=False))
        assert status == 200 and "errors" not in body, body
        return body["data"]


def schema_text(schema: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'", [schema])
        tables = [row[0] for row in cursor.fetchall()]
        dump = []
        for table in tables:
            cursor.execute(f'SELECT coalesce(json_agg(t)::text, \'\') FROM "{schema}"."{table}" t')
            dump.append(cursor.fetchone()[0])
    return "\n".join(dump)


def test_publish_find_rate_install_run_update_and_no_secret_leaks(data, eager_tasks, django_capture_on_commit_callbacks):
    rec = Recorder()
    org_a, org_b = data.create_organization(slug="market-a"), data.create_organization(slug="market-b")
    a, b = data.editor_api(org_a, role="admin"), data.editor_api(org_b, role="admin")
    rec.owner = a

    with FakeServer() as server:
        server.routes["/orders"] = lambda request: (200, {}, {"auth": request["headers"].get("Authorization")})
        # A: a credential holding the planted secret, used by an HTTP node, also pasted into a header and the address.
        credential = rec.rest(a, "post", "/api/v1/credentials", {"name": "CRM", "type": "http_bearer", "data": {"token": PLANTED}}).json()
        graph = {
            "nodes": [
                node("start", "trigger.manual", "Start"),
                node("set", "data.set", "Greet", fields=[{"name": "greeting", "value": "v1 {{ json.name }}"}]),
                node(
                    "call",
                    "net.http",
                    "Call CRM",
                    url=f"http://kim:{PLANTED}@127.0.0.1:{server.port}/orders",
                    headers={"X-Api-Key": PLANTED},
                    authentication="http_bearer",
                    credential=str(credential["id"]),
                ),
            ],
            "edges": [edge("start", "set"), edge("set", "call")],
            "pinned": {"start": [{"name": PLANTED}]},
        }
        flow_a = rec.rest(a, "post", "/api/v1/flows", {"name": "CRM sync", "graph": graph}).json()

        preview = rec.graphql(
            a, "query($id: ID!) { publishPreview(flowId: $id) { removed { nodeName path kind } credentialTypes } }", {"id": flow_a["id"]}
        )
        assert {r["kind"] for r in preview["publishPreview"]["removed"]} == {"pinned", "credential", "header", "secret"}
        publish = """mutation($flow: ID!) { publishTemplate(flowId: $flow, details: {
            title: "고객관리 업무자동화", summary: "Sync orders to the CRM", category: "sales", tags: ["crm"],
            description: "## How\\nFill in **your** token."}) { template { databaseId } errors { code message } } }"""
        published = rec.graphql(a, publish, {"flow": flow_a["id"]})["publishTemplate"]
        assert published["errors"] == []
        template_id = published["template"]["databaseId"]

        # B finds it by a Korean substring, reads it, rates and comments.
        found = rec.graphql(
            b, '{ templates(query: "자동화") { edges { node { databaseId title descriptionHtml organization { name } } } } }'
        )
        assert [e["node"]["databaseId"] for e in found["templates"]["edges"]] == [template_id]
        rate = 'mutation($id: ID!) { rateTemplate(templateId: $id, stars: 5, review: "잘 됩니다") { errors { code } } }'
        assert rec.graphql(b, rate, {"id": template_id})["rateTemplate"]["errors"] == []
        comment = 'mutation($id: ID!) { createComment(templateId: $id, body: "토큰은 어디에 넣나요?") { errors { code } } }'
        assert rec.graphql(b, comment, {"id": template_id})["createComment"]["errors"] == []

        # B installs it, fills in its own credential, publishes and runs it.
        fork = rec.graphql(
            b,
            "mutation($id: ID!) { forkTemplate(templateId: $id) { flowId credentialsNeeded { nodeName credentialType } errors { code } } }",
            {"id": template_id},
        )
        fork = fork["forkTemplate"]
        assert fork["credentialsNeeded"] == [{"nodeName": "Call CRM", "credentialType": "http_bearer"}]
        own = rec.rest(b, "post", "/api/v1/credentials", {"name": "Our CRM", "type": "http_bearer", "data": {"token": B_TOKEN}}).json()
        rec.rest(b, "patch", "/api/v1/organization", {"allowed_internal_hosts": ["127.0.0.1"]})
        flow_b = rec.rest(b, "get", f"/api/v1/flows/{fork['flowId']}").json()
        for n in flow_b["graph"]["nodes"]:
            if n["id"] == "call":
                n["parameters"]["credential"] = str(own["id"])
        rec.rest(b, "patch", f"/api/v1/flows/{fork['flowId']}", {"graph": flow_b["graph"]})

        def run_b():
            assert rec.rest(b, "post", f"/api/v1/flows/{fork['flowId']}/publish", {}).status_code in (200, 201)
            with django_capture_on_commit_callbacks(execute=True):
                started = rec.rest(b, "post", f"/api/v1/flows/{fork['flowId']}/run", {"items": [{"name": "Kim"}]})
            detail = rec.rest(b, "get", f"/api/v1/runs/{started.json()['id']}").json()
            assert detail["status"] == "success", detail
            return {n["node_id"]: n for n in detail["node_runs"]}

        first = run_b()
        assert first["set"]["output_sample"]["main"]["items"][0]["greeting"] == "v1 Kim"
        assert server.requests[-1]["headers"]["Authorization"] == f"Bearer {B_TOKEN}"

        # A publishes v2; B sees the update with a diff, updates and keeps its credential.
        flow_a_now = rec.rest(a, "get", f"/api/v1/flows/{flow_a['id']}").json()
        for n in flow_a_now["graph"]["nodes"]:
            if n["id"] == "set":
                n["parameters"]["fields"][0]["value"] = "v2 {{ json.name }}"
        rec.rest(a, "patch", f"/api/v1/flows/{flow_a['id']}", {"graph": flow_a_now["graph"]})
        v2 = 'mutation($t: ID!, $f: ID!) { publishTemplateVersion(templateId: $t, flowId: $f, version: "1.1.0", changelog: "v2") '
        v2 += "{ errors { code } } }"
        assert rec.graphql(a, v2, {"t": template_id, "f": flow_a["id"]})["publishTemplateVersion"]["errors"] == []

        forks = rec.graphql(b, "{ myForks { flowId updateAvailable latestVersion { version } } }")["myForks"]
        assert forks == [{"flowId": fork["flowId"], "updateAvailable": True, "latestVersion": {"version": "1.1.0"}}]
        status = rec.graphql(
            b, "query($id: ID!) { forkStatus(flowId: $id) { localChanges upstreamChanges conflicts { path } } }", {"id": fork["flowId"]}
        )
        assert "v2" in status["forkStatus"]["upstreamChanges"] and status["forkStatus"]["conflicts"] == []
        updated = rec.graphql(
            b,
            "mutation($id: ID!) { updateFork(flowId: $id) { version { version } conflicts { path } errors { code } } }",
            {"id": fork["flowId"]},
        )
        assert updated["updateFork"] == {"version": {"version": "1.1.0"}, "conflicts": [], "errors": []}
        second = run_b()
        assert second["set"]["output_sample"]["main"]["items"][0]["greeting"] == "v2 Kim"
        assert server.requests[-1]["headers"]["Authorization"] == f"Bearer {B_TOKEN}"
        assert rec.graphql(b, "{ myForks { updateAvailable } }")["myForks"] == [{"updateAvailable": False}]

    # The planted secret is nowhere outside A.
    for text in rec.texts:
        assert PLANTED not in text
    assert all(PLANTED not in str(request) for request in server.requests)
    connection.set_schema_to_public()
    assert PLANTED not in schema_text(org_b.schema_name)
    assert PLANTED not in schema_text("public")
    assert PLANTED in json.dumps(rec.rest(a, "get", f"/api/v1/flows/{flow_a['id']}").json())  # the search would see it (sanity)
    assert len(rec.texts) > 20
