"""Connectors in a real browser against the real stack (daphne, Celery worker).

1. Hosted form: the owner publishes a flow started by a form and opens its address from the flow page; a visitor (not
   signed in, Korean browser) sends it with a wrong email, sees the errors in Korean on the form, corrects them and
   sends it: a run starts with the answers and succeeds in the worker.
2. Connections from the editor: in a step's form the admin creates an OAuth2 connection in the shared dialog (with
   the value checks), signs in on the provider's consent screen (a local fake) and comes back to the editor with the
   step filled; "Test connection" answers there. On the Connections page the same dialog adds a Naver key with its
   help and icon. When the provider then refuses to renew the token, the page shows the notice and the bell the alert.
"""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sign_in_with_link
from tests.e2e.test_editor import DESKTOP, Organization, open_editor, saved
from tests.support.fake_oauth2 import FakeOAuth2Provider

pytestmark = [pytest.mark.browser, pytest.mark.stack]

FORM_FIELDS = [
    {"label": "이름", "type": "text", "required": True, "help": "성함을 적어 주세요."},
    {"label": "이메일", "type": "email", "required": True, "key": "email"},
    {"label": "인원", "type": "number", "key": "seats"},
    {"label": "관심 상품", "type": "select", "options": "기본, 프로", "required": True, "key": "plan"},
    {"label": "개인정보 수집에 동의합니다", "type": "checkbox", "required": True, "key": "agree"},
]


def wait_for_run(org: Organization, flow_id: int, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listed = org.api.get("/api/v1/runs", params={"flow": flow_id}).json()
        runs = listed["results"] if isinstance(listed, dict) else listed
        if runs and runs[0]["status"] in ("success", "failed"):
            return org.api.get(f"/api/v1/runs/{runs[0]['id']}").json()
        time.sleep(0.3)
    raise AssertionError("no finished run")


def test_a_visitor_sends_the_hosted_form_and_a_run_starts_with_the_answers(embedded_stack, new_context, shots):
    org = Organization(embedded_stack, "hostedform")
    graph = {
        "nodes": [
            {
                "id": "form",
                "type": "form.submitted",
                "name": "상담 신청 폼",
                "parameters": {
                    "title": "상담 신청",
                    "description": "남겨 주시면 연락드립니다.",
                    "fields": FORM_FIELDS,
                    "submit_label": "신청하기",
                    "thank_you": "신청해 주셔서 감사합니다!",
                },
            },
            {
                "id": "set",
                "type": "data.set",
                "name": "정리",
                "parameters": {"fields": [{"name": "who", "value": "{{ json.이름 }} <{{ json.email }}>"}]},
            },
        ],
        "edges": [{"source": "form", "target": "set"}],
    }
    flow = org.flow("상담 신청 접수", graph)
    assert org.api.post(f"/api/v1/flows/{flow['id']}/publish", json={"message": "폼"}).status_code == 201
    assert org.api.post(f"/api/v1/flows/{flow['id']}/activate").status_code == 200

    owner = new_context(viewport=DESKTOP).new_page()
    sign_in_with_link(owner, org.login_url)
    owner.goto(embedded_stack.url(org.host, f"/flows/{flow['id']}/"))
    address = owner.get_by_test_id("webhook-url").input_value()
    assert address.endswith(f"/forms/{flow['webhook_path'].rsplit('/', 1)[-1]}/")
    expect(owner.get_by_test_id("open-trigger-page")).to_be_visible()
    shots.take(owner, "01-flow-page-with-form-address")

    visitor = new_context(locale="ko-KR", viewport={"width": 390, "height": 844}).new_page()
    visitor.goto(address)
    expect(visitor.get_by_test_id("form-title")).to_have_text("상담 신청")
    visitor.get_by_label("이름").fill("김지수")
    visitor.get_by_label("이메일").fill("jisu-at-example")
    visitor.get_by_label("인원").fill("3")
    visitor.get_by_label("관심 상품").select_option("프로")
    shots.take(visitor, "02-form-filled-wrong")
    visitor.get_by_test_id("form-submit").click()
    expect(visitor.get_by_test_id("form-error")).to_have_text("아래에 표시된 답변을 고쳐 주세요.")
    errors = visitor.get_by_test_id("form-field-error")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("이메일 주소를 입력하세요")
    expect(errors.nth(1)).to_contain_text("계속하려면 이 칸을 체크하세요.")
    expect(visitor.get_by_label("이름")).to_have_value("김지수")  # what was typed stays
    shots.take(visitor, "03-errors-in-korean")

    visitor.get_by_label("이메일").fill("jisu@example.com")
    visitor.get_by_label("개인정보 수집에 동의합니다").check()
    visitor.get_by_test_id("form-submit").click()
    expect(visitor.get_by_test_id("form-thank-you")).to_have_text("신청해 주셔서 감사합니다!")
    shots.take(visitor, "04-thank-you")

    run = wait_for_run(org, flow["id"])
    assert run["status"] == "success", run
    (item,) = run["input_items"]
    assert {k: v for k, v in item.items() if k != "submitted_at"} == {
        "이름": "김지수",
        "email": "jisu@example.com",
        "seats": 3,
        "plan": "프로",
        "agree": True,
    }
    assert "김지수 <jisu@example.com>" in json.dumps(run["node_runs"], ensure_ascii=False)  # the next step read the answers
    owner.goto(embedded_stack.url(org.host, f"/runs/{run['id']}/"))
    expect(owner.get_by_text("김지수 <jisu@example.com>").first).to_be_attached()
    shots.take(owner, "05-run-with-the-answers")


def test_connections_from_the_editor_and_the_connections_page(embedded_stack, new_context, shots):
    org = Organization(embedded_stack, "connux")
    assert org.api.patch("/api/v1/organization", json={"allowed_internal_hosts": ["127.0.0.1"]}).status_code == 200
    with FakeOAuth2Provider(expires_in=30) as provider:  # tokens live 30 s: every use renews them first
        graph = {
            "nodes": [
                {"id": "start", "type": "trigger.manual", "name": "Start", "position": [0, 0], "parameters": {}},
                {
                    "id": "crm",
                    "type": "net.http",
                    "name": "CRM call",
                    "position": [280, 0],
                    "parameters": {"method": "GET", "url": provider.url("/api/me"), "authentication": "oauth2", "credential": ""},
                },
            ],
            "edges": [{"source": "start", "target": "crm"}],
        }
        flow = org.flow("CRM sync", graph)
        page = new_context(viewport=DESKTOP).new_page()
        sign_in_with_link(page, org.login_url)
        open_editor(page, org, flow["id"])
        page.get_by_test_id("node-CRM call").click()
        expect(page.get_by_test_id("param-credential-connections")).to_have_attribute("href", "/connections/")

        # The shared dialog, from the step's form.
        page.get_by_test_id("param-credential-new").click()
        dialog = page.get_by_test_id("connection-dialog")
        expect(dialog).to_be_visible()
        dialog.get_by_test_id("credential-name").fill("Our CRM")
        dialog.get_by_test_id("credential-authorization_url").fill("not an address")
        dialog.get_by_test_id("credential-token_url").fill(provider.url("/token"))
        dialog.get_by_test_id("credential-client_id").fill(provider.client_id)
        dialog.get_by_test_id("credential-client_secret").fill(provider.client_secret)
        dialog.get_by_test_id("credential-save").click()
        expect(dialog.get_by_test_id("credential-authorization_url-error")).to_contain_text("https://")
        expect(dialog.get_by_test_id("credential-oauth2-hint")).to_contain_text("/oauth2/callback/")
        shots.take(page, "01-dialog-value-check")
        dialog.get_by_test_id("credential-authorization_url").fill(provider.url("/authorize"))
        dialog.get_by_test_id("credential-scopes").fill("read")
        dialog.get_by_test_id("credential-test_url").fill(provider.url("/api/me"))
        # Leaving for the consent screen must not make the browser ask "leave this page?": the editor saves the
        # step's new choice first. (With a listener Playwright no longer answers such prompts itself.)
        prompts: list[str] = []

        def answer(prompt) -> None:
            prompts.append(prompt.type)
            prompt.accept()

        page.on("dialog", answer)
        # Consent screen (the fake answers at once) → callback → back in the editor with the step filled. The editor's
        # address matches before the sign-in too: wait for the navigation that comes back with the connection.
        with page.expect_navigation(url=lambda address: "credential=" in address and "/edit/" in address, timeout=30_000):
            dialog.get_by_test_id("credential-save").click()
        page.remove_listener("dialog", answer)
        assert prompts == []
        expect(page.get_by_test_id("node-name")).to_have_value("CRM call")
        credential = page.get_by_test_id("param-credential")
        expect(credential.locator("option:checked")).to_have_text("Our CRM")
        assert "credential=" not in page.url  # the query is taken out once applied
        saved(page)
        stored = org.api.get(f"/api/v1/flows/{flow['id']}").json()["graph"]["nodes"][1]["parameters"]["credential"]
        listed = {c["name"]: c for c in org.api.get("/api/v1/credentials").json()}
        assert str(stored) == str(listed["Our CRM"]["id"]) and listed["Our CRM"]["status"] == "connected"
        expect(page.get_by_test_id("param-credential-reconnect")).to_have_text("Reconnect")
        shots.take(page, "02-back-in-the-editor")

        page.get_by_test_id("param-credential-test").click()
        expect(page.get_by_test_id("param-credential-test-result")).to_contain_text("✓")
        shots.take(page, "03-test-connection")

        # The Connections page: the same dialog, with the kind's help and icon.
        page.goto(embedded_stack.url(org.host, "/connections/"))
        page.get_by_test_id("new-connection").click()
        dialog = page.get_by_test_id("connection-dialog")
        dialog.get_by_test_id("connection-kind").select_option("naver_developers")
        expect(dialog.get_by_test_id("credential-help")).to_contain_text("Naver Developers")
        expect(dialog.locator("img.ez-service-icon")).to_have_attribute("src", "/static/connectors/icons/naver.svg")
        dialog.get_by_test_id("credential-client_id").fill("naver-client-id")
        dialog.get_by_test_id("credential-client_secret").fill("naver-client-secret")
        shots.take(page, "04-connections-page-dialog")
        dialog.get_by_test_id("credential-save").click()
        row = page.get_by_test_id("credential").filter(has_text="Naver")
        expect(row.get_by_test_id("service-icon")).to_have_attribute("src", "/static/connectors/icons/naver.svg")

        # The provider stops renewing: the next use fails, the page says so and the admins are alerted.
        provider.revoke_refresh_tokens()
        crm = page.get_by_test_id("credential").filter(has_text="Our CRM")
        crm.get_by_test_id("test-connection").click()
        expect(page.get_by_test_id("reconnect-notice")).to_contain_text("Our CRM")
        expect(page.get_by_test_id("credential").filter(has_text="Our CRM").get_by_test_id("credential-status")).to_have_attribute(
            "data-status", "needs_reconnect"
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            listed = org.api.get("/api/v1/notifications").json()
            items = listed["results"] if isinstance(listed, dict) and "results" in listed else listed
            if any(n["url"] == "/connections/" for n in items):
                break
            time.sleep(0.3)
        else:
            raise AssertionError("no alert about the connection")
        page.goto(embedded_stack.url(org.host, "/notifications/"))
        expect(page.get_by_text("The connection “Our CRM” must be reconnected").first).to_be_visible()
        shots.take(page, "05-alert")
