"""A newcomer's first hour in a real browser: a webhook flow tested with a real request instead of typed JSON.

The person presses “Listen for a test request” on the webhook step, sends the request shown as a curl command (here
with an HTTP client, to the real stack), sees it pinned as the step's test data and tests the flow to green.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sign_in_with_link, unique
from tests.e2e.test_editor import Organization, open_editor, select
from tests.flows.graphs import edge, node
from tests.support.data import PASSWORD
from tests.support.stack import signup

pytestmark = [pytest.mark.browser, pytest.mark.stack]

ORDER_GRAPH = {
    "nodes": [
        {**node("hook", "trigger.webhook", "주문 받기"), "position": [0, 0]},
        {
            **node("set", "data.set", "합계", fields=[{"name": "total", "value": "{{ json.body.qty * json.body.price }}"}]),
            "position": [320, 0],
        },  # noqa: E501
    ],
    "edges": [edge("hook", "set")],
}


def test_listen_for_a_test_request_pins_the_real_request_and_the_flow_tests_green(embedded_stack, new_context, shots):
    org = Organization(embedded_stack, "listen")
    flow = org.flow("주문", ORDER_GRAPH)
    page = new_context(locale="ko-KR", viewport={"width": 1500, "height": 1000}).new_page()
    sign_in_with_link(page, org.login_url)
    page.get_by_test_id("language-select").select_option("ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    open_editor(page, org, flow["id"])
    select(page, "주문 받기")
    expect(page.get_by_test_id("pin-text")).to_have_attribute(
        "placeholder", '[{"body": {"name": "Kim", "amount": 12000}, "query": {}, "headers": {"Content-Type": "application/json"}}]'
    )

    page.get_by_test_id("listen-start").click()
    expect(page.get_by_test_id("listen-waiting")).to_contain_text("테스트 요청을 기다리는 중")
    url = page.get_by_test_id("listen-url").inner_text().strip()
    assert url == embedded_stack.url(org.host, flow["webhook_path"].replace("/webhook/", "/webhook-test/"))
    expect(page.get_by_test_id("listen-curl")).to_contain_text(f"curl -X POST {url}")
    shots.take(page, "01-listening")

    # The request a form or another system would send, to the address the editor shows.
    sent = embedded_stack.http(org.host).post(url.split(f":{embedded_stack.port}", 1)[1] + "?source=form", json={"qty": 3, "price": 5000})
    assert sent.status_code == 200, sent.text

    expect(page.get_by_test_id("listen-captured")).to_be_visible()
    pinned = page.get_by_test_id("pin-text").input_value()
    assert '"qty": 3' in pinned and '"source": "form"' in pinned and '"headers"' in pinned
    shots.take(page, "02-captured-and-pinned")

    page.get_by_test_id("run-test").click()
    expect(page.get_by_test_id("node-합계")).to_have_attribute("data-status", "success", timeout=30_000)
    select(page, "합계")
    expect(page.get_by_test_id("data-output")).to_contain_text("15000")
    shots.take(page, "03-tested-green")
    assert new_context.page_errors == []


def test_forgotten_password_in_korean_from_the_sign_in_page_to_signing_in_again(embedded_stack, new_context, shots):
    slug = unique("reset")
    host = f"{slug}.localhost"
    email = f"owner@{slug}.example"
    signup(embedded_stack, slug, email, PASSWORD)
    page = new_context(locale="ko-KR").new_page()
    page.goto(embedded_stack.url(host, "/login/"))
    page.get_by_test_id("forgot-password").click()
    expect(page.locator("h1")).to_have_text("비밀번호를 잊으셨나요?")
    page.locator("#id_email").fill(email)
    shots.take(page, "01-forgot")
    page.get_by_test_id("password-reset-submit").click()
    expect(page.get_by_test_id("password-reset-sent")).to_contain_text("이메일을 확인하세요")

    mail = embedded_stack.read_mail(email)
    found = re.search(rf"http://{re.escape(host)}:{embedded_stack.port}/password-reset/[^/\s]+/[^/\s]+/", mail)
    assert found, mail
    page.goto(found.group(0))
    expect(page.locator("h1")).to_have_text("새 비밀번호 정하기")
    assert "/set/" in page.url  # the token is not left in the address bar
    page.locator("#id_new_password").fill("a-new-passphrase-77")
    page.locator("#id_new_password_again").fill("a-new-passphrase-77")
    shots.take(page, "02-new-password")
    page.get_by_test_id("new-password-submit").click()
    expect(page.get_by_role("status")).to_contain_text("비밀번호를 바꿨습니다")

    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill("a-new-passphrase-77")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()
    shots.take(page, "03-signed-in-with-the-new-password")

    other = new_context(locale="ko-KR").new_page()  # signed in, the page follows the account's language: a new browser
    other.goto(found.group(0))  # the same link again: used up
    expect(other.get_by_test_id("password-reset-invalid")).to_contain_text("이 링크는 더 이상 쓸 수 없습니다")
    assert new_context.page_errors == []
