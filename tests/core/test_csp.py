"""Issue 12, break 8: a strict Content-Security-Policy on every page (apps/core/csp.py). The browser tests
(tests/e2e, watch_csp in tests/e2e/browser.py) prove the pages work under it."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_kind_of_page_carries_the_policy(data):
    organization = data.create_organization()
    owner = data.owner_of(organization)
    member = data.client_for(organization, owner)
    public = data.client_for(None)
    for client, path in ((public, "/"), (public, "/signup/"), (public, "/login/"), (member, "/"), (member, "/monitoring/")):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], path  # no inline script, no eval, no nonce unless a page asks for one
        assert policy["style-src"] == ["'self'"] and policy["object-src"] == ["'none'"], path
        assert policy["base-uri"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"], path
        assert policy["default-src"] == ["'self'"], path
    host = organization.host
    assert directives(member.get("/monitoring/"))["connect-src"] == ["'self'", f"ws://{host}", f"wss://{host}"]
    assert "Content-Security-Policy" in member.get("/no-such-page/")  # error pages too


def test_the_editor_page_allows_inline_style_elements_only(data):
    """Its code field (CodeMirror) adds <style> elements without the nonce; scripts stay strict."""
    from apps.flows.services.flows import flow_create

    organization = data.create_organization()
    client = data.client_for(organization, data.owner_of(organization))
    from django.db import connection

    connection.set_tenant(organization)
    flow = flow_create(user=None, name="Editor CSP", graph={"nodes": [], "edges": []})
    connection.set_schema_to_public()
    policy = directives(client.get(f"/flows/{flow.pk}/edit/"))
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"] and policy["script-src"] == ["'self'"]


def test_a_page_that_asks_for_a_nonce_gets_one_in_the_header(rf):
    from django.http import HttpResponse

    from apps.core.csp import EZFlowCSPMiddleware

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    request = rf.get("/", HTTP_HOST="localhost")
    response = EZFlowCSPMiddleware(view)(request)
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in directives(response)["script-src"]


@pytest.mark.parametrize("folder", ["templates"])
def test_templates_have_no_inline_script_or_handlers(folder):
    found = []
    for path in (ROOT / folder).rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|\son[a-z]+=\"|javascript:|<style", text):
            found.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert found == []
