"""An organization shares an imported API connector (OpenAPI/Swagger document) on the marketplace with a description
and icon; another organization installs it and calls its operations with its own credential. No credential, and no
key in the address the document came from, reaches the shared copy."""

import json

import pytest
from django.db import connection

from apps.accounts.roles import Role
from apps.connectors.models import ApiConnector
from apps.connectors.openapi import services as connector_services
from apps.flows.services.credentials import credential_create
from apps.flows.services.flows import flow_create, flow_publish
from apps.marketplace.errors import MarketplaceError
from apps.marketplace.models import SharedConnector, SharedConnectorInstall
from apps.marketplace.services.connectors import connector_install, connector_share, shareable_address
from apps.runs.models import NodeRun
from apps.runs.services.runs import run_create, run_execute
from tests.ai.support import edge, node
from tests.marketplace.support import membership
from tests.support.fake_http import FakeServer

AUTHOR_KEY = "author-key-Zq81%2Fsecret"
OTHER_KEY = "other-organization-key"

# No host: the server is where the document came from (the portal's file-data APIs publish it that way).
SPEC = {
    "swagger": "2.0",
    "info": {"title": "대기오염정보", "version": "1.0"},
    "basePath": "/air",
    "securityDefinitions": {"serviceKey": {"type": "apiKey", "in": "query", "name": "serviceKey"}},
    "security": [{"serviceKey": []}],
    "paths": {
        "/stations": {
            "get": {
                "tags": ["측정소"],
                "operationId": "getStations",
                "summary": "측정소 목록",
                "parameters": [{"name": "sido", "in": "query", "type": "string", "required": True}],
                "responses": {"200": {"description": "OK"}},
            }
        }
    },
}


def _organization(data):
    organization = data.create_organization()
    organization.allowed_internal_hosts = ["127.0.0.1"]
    organization.save()
    connection.set_tenant(organization)
    return organization


def test_share_then_install_in_another_organization_and_call_it_with_its_own_key(data):
    with FakeServer() as fake:
        fake.routes["/docs/swagger.json"] = lambda r: (200, {"Content-Type": "application/json"}, json.dumps(SPEC).encode())
        fake.routes["/air/stations"] = lambda r: (200, {}, {"stations": [{"name": "중구", "sido": r["query"].get("sido")}]})

        author = _organization(data)
        author_member = membership(data, author)
        credential_create(
            user=author_member.user, name="Portal key", type="http_query", data={"parameter": "serviceKey", "value": AUTHOR_KEY}
        )
        # Fetched with the key in the address, as the portal's links are.
        version = connector_services.connector_import(
            user=author_member.user,
            name="에어코리아",
            url=fake.url(f"/docs/swagger.json?serviceKey={AUTHOR_KEY}#top"),
            allow_hosts=["127.0.0.1"],
        )
        with pytest.raises(MarketplaceError) as refused:
            connector_share(membership=author_member, connector_id=version.connector_id, title="", summary="x")
        assert refused.value.field == "title"
        with pytest.raises(MarketplaceError) as bad_icon:
            connector_share(membership=author_member, connector_id=version.connector_id, title="Air", summary="x", icon="../../etc/passwd")
        assert bad_icon.value.field == "icon"
        viewer = membership(data, author, role=Role.VIEWER)
        with pytest.raises(Exception):  # noqa: B017 - viewers may not share
            connector_share(membership=viewer, connector_id=version.connector_id, title="Air", summary="Air quality")
        shared = connector_share(
            membership=author_member,
            connector_id=version.connector_id,
            title="에어코리아 대기오염정보",
            summary="시도별 측정소 목록과 실시간 측정값",
            icon="public-data",
        )
        shared.refresh_from_db()
        assert (shared.icon, shared.connector_name, shared.connector_version, shared.api_title) == (
            "public-data",
            "에어코리아",
            1,
            "대기오염정보",
        )
        assert shared.operations == [{"id": "getStations", "method": "GET", "path": "/stations", "summary": "측정소 목록", "tag": "측정소"}]
        assert shared.base_url == fake.url("/docs/swagger.json")
        stored = json.dumps({f.name: str(getattr(shared, f.attname)) for f in SharedConnector._meta.fields}, ensure_ascii=False)
        assert "author-key" not in stored and "Zq81" not in stored  # neither the credential nor the key in the address

        other = _organization(data)
        assert not ApiConnector.objects.exists()  # the other organization's schema: nothing of the author's
        other_member = membership(data, other)
        installed = connector_install(membership=other_member, shared=shared, name="대기질")
        connection.set_tenant(other)
        connector = ApiConnector.objects.get()
        assert (connector.name, installed.connector_id, [op["id"] for op in installed.operations]) == (
            "대기질",
            connector.pk,
            ["getStations"],
        )
        assert installed.servers[0]["url"] == fake.url("/air")  # the relative server, from the shared address
        assert SharedConnectorInstall.objects.get().organization_id == other.pk
        shared.refresh_from_db()
        assert shared.install_count == 1

        key = credential_create(
            user=other_member.user, name="Our key", type="http_query", data={"parameter": "serviceKey", "value": OTHER_KEY}
        )
        graph = {
            "nodes": [
                node("start", "trigger.manual", "Start"),
                node(
                    "air",
                    "openapi.call",
                    "Air",
                    connector=str(connector.pk),
                    operation="getStations",
                    values={"sido": "서울"},
                    authentication="http_query",
                    credential=str(key.pk),
                ),
            ],
            "edges": [edge("start", "air")],
        }
        flow = flow_create(user=None, name="Uses the shared connector", graph=graph)
        flow_publish(flow=flow, user=None)
        flow.refresh_from_db()
        run = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{}]).pk)
        assert run.status == "success", run.error
        assert NodeRun.objects.get(run=run, node_id="air").outputs["main"][0]["body"]["stations"][0]["sido"] == "서울"
        (call,) = [r for r in fake.requests if r["path"] == "/air/stations"]
        assert call["query"] == {"serviceKey": OTHER_KEY, "sido": "서울"}  # its own key, never the author's


def test_hidden_or_missing_connectors_are_refused(data):
    author = _organization(data)
    member = membership(data, author)
    with pytest.raises(MarketplaceError) as missing:
        connector_share(membership=member, connector_id=999, title="Nope", summary="Nope")
    assert missing.value.code == "not_found"
    version = connector_services.connector_import(user=member.user, name="Air", spec_text=json.dumps({**SPEC, "host": "api.example.com"}))
    shared = connector_share(membership=member, connector_id=version.connector_id, title="Air", summary="Air quality")
    assert shared.icon == "openapi" and shared.base_url == ""
    shared.is_hidden = True
    shared.save()
    other = _organization(data)
    with pytest.raises(MarketplaceError) as hidden:
        connector_install(membership=membership(data, other), shared=shared)
    assert hidden.value.code == "not_found"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://user:pw@data.example.kr/doc.json?serviceKey=abc#x", "https://data.example.kr/doc.json"),
        ("http://127.0.0.1:8080/a/b.yaml", "http://127.0.0.1:8080/a/b.yaml"),
        ("ftp://example.com/doc", ""),
        ("", ""),
    ],
)
def test_the_shared_address_keeps_no_secret(given, kept):
    assert shareable_address(given) == kept


def test_the_pages_share_list_and_install_a_connector_in_korean(data):
    author = _organization(data)
    version = connector_services.connector_import(
        user=data.owner_of(author), name="Air", spec_text=json.dumps({**SPEC, "host": "api.example.com"})
    )
    page = data.client_for(author, data.owner_of(author))
    assert f"/marketplace/connectors/share/{version.connector_id}/" in page.get(f"/connectors/api/{version.connector_id}/").content.decode()
    form = page.get(f"/marketplace/connectors/share/{version.connector_id}/").content.decode()
    assert 'value="public-data"' in form and "Credentials are never shared" in form
    refused = page.post(f"/marketplace/connectors/share/{version.connector_id}/", {"title": "Air", "summary": "", "icon": "openapi"})
    assert refused.status_code == 400 and "Describe what the API does" in refused.content.decode()
    shared_page = page.post(
        f"/marketplace/connectors/share/{version.connector_id}/", {"title": "대기질 API", "summary": "측정소 목록", "icon": "public-data"}
    )
    assert shared_page.status_code == 302, shared_page.content.decode()[:500]
    shared = SharedConnector.objects.get()

    other = _organization(data)
    browser = data.client_for(other, data.owner_of(other))
    browser.cookies["django_language"] = "ko"
    listing = browser.get("/marketplace/connectors/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "대기질 API" in listing and "/static/connectors/icons/public-data.svg" in listing and "공유된 API 커넥터" in listing
    detail = browser.get(f"/marketplace/connectors/{shared.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "/stations" in detail and "자격 증명은 공유되지 않습니다" in detail
    installed = browser.post(f"/marketplace/connectors/{shared.pk}/", {"name": "대기질"})
    assert installed.status_code == 302, installed.content.decode()[:500]
    connection.set_tenant(other)
    connector = ApiConnector.objects.get()
    assert connector.name == "대기질" and installed["Location"] == f"/connectors/api/{connector.pk}/"
