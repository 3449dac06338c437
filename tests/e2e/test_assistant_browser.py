"""The assistant in a real browser against the real stack: a Korean sentence typed in the dashboard's start box
becomes a flow in the editor, the flow's test run goes green, a follow-up in the editor's assistant panel is shown
as a preview with its changes, applied, and "Undo this change" puts the flow back exactly as it was."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sign_in_with_link
from tests.e2e.test_editor import Organization
from tests.support.fake_http import FakeServer

pytestmark = [pytest.mark.browser, pytest.mark.stack]


@pytest.fixture
def review_api():
    with FakeServer() as server:
        server.routes["/review"] = lambda request: (200, {}, {"text": "배송이 빨라서 정말 좋아요. 다음에도 살게요."})
        yield server


def graph_of(org: Organization, flow_id: int) -> dict:
    return org.api.get(f"/api/v1/flows/{flow_id}").json()["graph"]


def test_a_korean_sentence_becomes_a_flow_that_tests_green_then_a_follow_up_and_undo(embedded_stack, new_context, shots, review_api):
    org = Organization(embedded_stack, "assist")
    assert org.api.patch("/api/v1/organization", json={"allowed_internal_hosts": ["127.0.0.1"]}).status_code == 200
    page = new_context(locale="ko-KR", viewport={"width": 1500, "height": 950}).new_page()
    sign_in_with_link(page, org.login_url)
    page.get_by_test_id("language-select").select_option("ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    page.goto(embedded_stack.url(org.host, "/"))

    box = page.get_by_test_id("assistant-box")
    expect(box).to_contain_text("무엇을 자동화할까요?")
    sentence = f"매일 아침 9시에 {review_api.url('/review')} 주소로 HTTP 요청을 보내서 받은 후기를 감정 분석해줘"
    page.get_by_test_id("assistant-box-prompt").fill(sentence)
    page.get_by_test_id("assistant-box-submit").click()

    expect(page.get_by_test_id("editor")).to_be_visible()
    flow_id = int(re.search(r"/flows/(\d+)/edit/", page.url)[1])
    panel = page.get_by_test_id("assistant-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("assistant-turn")).to_have_count(1)
    expect(panel.get_by_test_id("assistant-turn").first).to_have_attribute("data-state", "applied")
    for name in ("일정", "HTTP 요청", "감정 분석"):
        expect(page.get_by_test_id(f"node-{name}")).to_be_visible()
    shots.take(page, "01-drafted")

    # The draft runs as drafted: every step green.
    page.get_by_test_id("run-test").click()
    expect(page.get_by_test_id("run-info")).to_have_class(re.compile(r"\bsuccess\b"), timeout=30_000)
    expect(page.get_by_test_id("node-감정 분석")).to_have_attribute("data-status", "success")
    before = graph_of(org, flow_id)

    # A follow-up: shown as a preview (changed step marked), nothing saved until Apply.
    page.get_by_test_id("assistant-input").fill("감정 분석 대신 요약해줘")
    page.get_by_test_id("assistant-send").click()
    expect(panel.get_by_test_id("assistant-turn")).to_have_count(2)
    expect(page.get_by_test_id("proposal-banner")).to_be_visible()
    expect(page.get_by_test_id("node-요약")).to_have_class(re.compile(r"diff-changed"))
    expect(panel.get_by_test_id("assistant-changes").last).to_contain_text("요약")
    shots.take(page, "02-preview")
    assert graph_of(org, flow_id) == before

    panel.get_by_test_id("assistant-apply").click()
    expect(page.get_by_test_id("proposal-banner")).to_be_hidden()
    expect(page.get_by_test_id("editor")).to_have_attribute("data-save-state", "saved", timeout=15_000)
    assert [n["type"] for n in graph_of(org, flow_id)["nodes"]] == ["trigger.schedule", "net.http", "ai.summarize"]
    page.get_by_test_id("run-test").click()
    expect(page.get_by_test_id("node-요약")).to_have_attribute("data-status", "success", timeout=30_000)
    shots.take(page, "03-applied")

    # Undo this change: the flow exactly as before the follow-up.
    panel.get_by_test_id("assistant-undo").click()
    expect(page.get_by_test_id("node-감정 분석")).to_be_visible()
    expect(page.get_by_test_id("editor")).to_have_attribute("data-save-state", "saved", timeout=15_000)
    after = graph_of(org, flow_id)
    assert after["nodes"] == before["nodes"] and after["edges"] == before["edges"]
    expect(panel.get_by_test_id("assistant-turn").last).to_have_attribute("data-state", "undone")

    # The conversation is kept: after a reload the panel shows both turns.
    page.goto(org.editor_url(flow_id) + "?assistant=1")
    expect(page.get_by_test_id("assistant-turn")).to_have_count(2)
    shots.take(page, "04-undone")
