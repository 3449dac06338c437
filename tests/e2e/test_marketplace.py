"""The marketplace in a real browser against the real stack (daphne + Celery worker):

organization A publishes a flow from the wizard; B (in Korean) searches “자동화” and finds A's “업무자동화 …” template,
rates and comments, uses it and runs it; A publishes v2 as a new version; B sees “update available” and updates.
"""

import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import no_horizontal_scroll, sign_in_with_link, unique
from tests.flows.graphs import edge, node
from tests.support.data import PASSWORD
from tests.support.stack import signup

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def office_graph(greeting: str) -> dict:
    return {
        "nodes": [
            {**node("start", "trigger.manual", "시작"), "position": [0, 0]},
            {**node("greet", "data.set", "인사말", fields=[{"name": "greeting", "value": greeting}]), "position": [260, 0]},
        ],
        "edges": [edge("start", "greet")],
    }


def organization(stack, stem: str, flow_name: str | None = None) -> dict:
    """A new organization over the API (optionally with a draft flow); its host, sign-in link and API client token."""
    slug = unique(stem)
    email = f"owner@{slug}.example"
    created = signup(stack, slug, email, PASSWORD, organization=f"{stem.title()} {slug[-4:]}")
    host = f"{slug}.localhost"
    with stack.http(host) as client:
        token = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}).json()["token"]
        flow = None
        if flow_name:
            client.headers["Authorization"] = f"Bearer {token}"
            flow = client.post("/api/v1/flows", json={"name": flow_name, "graph": office_graph("안녕하세요 v1")}).json()
    return {"host": host, "login_url": created["login_url"], "token": token, "flow": flow, "name": created.get("organization", stem)}


def wait_for_run_success(page, stack, host: str, flow_id: int) -> None:
    latest = page.get_by_test_id("last-runs").locator("li[data-run-id]").first
    expect(latest).to_be_visible()
    run_id = latest.get_attribute("data-run-id")
    deadline = time.monotonic() + 30
    while "run-status-success" not in latest.inner_html() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.goto(stack.url(host, f"/flows/{flow_id}/"))
        latest = page.locator(f'li[data-run-id="{run_id}"]')
    expect(latest.locator(".run-status-success")).to_be_visible()


def test_publish_search_rate_comment_use_run_and_update(embedded_stack, new_context, shots):
    stack = embedded_stack
    a = organization(stack, "alpha", flow_name="업무자동화 아침 인사")
    b = organization(stack, "bravo")
    title = f"업무자동화 아침 인사 {a['host'].split('.')[0][-4:]}"

    # A publishes from the wizard: choose the flow, see what is shared, describe, publish.
    page_a = new_context().new_page()
    sign_in_with_link(page_a, a["login_url"])
    page_a.goto(stack.url(a["host"], "/marketplace/"))
    page_a.get_by_test_id("publish-link").click()
    page_a.get_by_test_id("choose-flow").filter(has_text="업무자동화 아침 인사").click()
    expect(page_a.get_by_test_id("shared-preview").get_by_test_id("preview-node")).to_have_count(2)
    expect(page_a.get_by_test_id("removed-preview")).to_contain_text("Nothing")
    shots.take(page_a, "a-publish-preview")
    form = page_a.get_by_test_id("publish-form")
    form.locator("#id_title").fill(title)
    form.locator("#id_summary").fill("매일 아침 팀에 인사말을 만들어 줍니다.")
    form.locator("#id_description").fill("## 사용법\n\n실행하면 **인사말**을 만듭니다.")
    form.locator("#id_tags").fill("인사, morning")
    form.locator("#id_category").select_option("productivity")
    form.locator("#id_changelog").fill("첫 버전")
    page_a.get_by_test_id("publish-button").click()
    expect(page_a.get_by_test_id("template-heading")).to_have_text(title)
    expect(page_a.get_by_test_id("latest-version")).to_contain_text("1.0.0")
    template_url = page_a.url
    shots.take(page_a, "a-published")

    # B, in Korean, searches “자동화” and finds A's template.
    page_b = new_context(locale="ko-KR").new_page()
    sign_in_with_link(page_b, b["login_url"])
    page_b.goto(stack.url(b["host"], "/marketplace/"))
    page_b.get_by_test_id("language-select").select_option("ko")
    expect(page_b.locator("h1")).to_have_text("커뮤니티 템플릿")
    page_b.get_by_test_id("search-input").fill("자동화")
    page_b.get_by_test_id("search-button").click()
    card = page_b.get_by_test_id("template-card").filter(has_text=title)
    expect(card).to_be_visible()
    shots.take(page_b, "b-search")
    card.get_by_test_id("template-title").click()
    expect(page_b.get_by_test_id("template-heading")).to_have_text(title)
    expect(page_b.get_by_test_id("description").locator("strong")).to_have_text("인사말")

    # B rates and comments.
    page_b.get_by_test_id("star-5").check()
    page_b.get_by_test_id("review-input").fill("아침마다 잘 쓰고 있어요")
    page_b.get_by_test_id("rate-button").click()
    expect(page_b.get_by_test_id("rating-average")).to_have_text("5.0")
    expect(page_b.get_by_test_id("reviews")).to_contain_text("아침마다 잘 쓰고 있어요")
    page_b.get_by_test_id("comment-input").fill("주말에도 동작하나요?")
    page_b.get_by_test_id("comment-button").click()
    expect(page_b.get_by_test_id("comment-body")).to_have_text("주말에도 동작하나요?")
    shots.take(page_b, "b-rated-and-commented")

    # B uses the template, publishes the new flow in the editor and runs it.
    page_b.get_by_test_id("use-template").click()
    page_b.get_by_test_id("install-button").click()
    expect(page_b.get_by_test_id("installed")).to_be_visible()
    shots.take(page_b, "b-installed")
    page_b.get_by_test_id("open-editor").click()
    flow_id = int(page_b.url.rstrip("/").split("/")[-2])
    page_b.get_by_test_id("publish").click()
    page_b.get_by_test_id("publish-message").fill("템플릿에서 설치")
    page_b.get_by_test_id("publish-confirm").click()
    expect(page_b.get_by_test_id("toast").first).to_be_visible()
    page_b.goto(stack.url(b["host"], f"/flows/{flow_id}/"))
    page_b.get_by_test_id("run-now").click()
    wait_for_run_success(page_b, stack, b["host"], flow_id)
    shots.take(page_b, "b-ran")

    # A changes the flow and publishes it as version 1.1.0 of the same template.
    with stack.http(a["host"]) as client:
        client.headers["Authorization"] = f"Bearer {a['token']}"
        # With pinned test data and an address inside A's own network: the wizard says what it removes, in words,
        # and warns about the address (it works for nobody who installs the template).
        v2 = {**office_graph("좋은 아침입니다 v2 http://192.168.0.10/inbox"), "pinned": {"start": [{"name": "Kim"}]}}
        changed = client.patch(f"/api/v1/flows/{a['flow']['id']}", json={"graph": v2})
        assert changed.status_code == 200, changed.text
    page_a.goto(stack.url(a["host"], f"/marketplace/publish/{a['flow']['id']}/"))
    expect(page_a.get_by_test_id("removed-item")).to_contain_text("pinned test data")
    expect(page_a.get_by_test_id("internal-address")).to_contain_text("192.168.0.10")
    shots.take(page_a, "a-publish-warns-internal-address")
    page_a.get_by_test_id("mode-version").locator("input").check()
    form = page_a.get_by_test_id("publish-form")
    form.locator("#id_template").select_option(label=title)
    form.locator("#id_version").fill("1.1.0")
    form.locator("#id_changelog").fill("인사말을 **바꿨습니다**")
    page_a.get_by_test_id("publish-button").click()
    expect(page_a.get_by_test_id("latest-version")).to_contain_text("1.1.0")
    expect(page_a.locator(".mp-changelog strong").filter(has_text="바꿨습니다")).to_be_visible()  # Markdown, rendered
    assert page_a.url == template_url
    shots.take(page_a, "a-published-v2")

    # B sees “update available”, looks at the changes and updates.
    page_b.goto(stack.url(b["host"], "/marketplace/mine/"))
    row = page_b.get_by_test_id("fork-row").filter(has_text=title)
    expect(row.get_by_test_id("update-available")).to_have_text("업데이트 있음")
    shots.take(page_b, "b-update-available")
    row.get_by_test_id("review-update").click()
    expect(page_b.get_by_test_id("version-diff")).to_contain_text("좋은 아침입니다 v2")
    expect(page_b.get_by_test_id("conflicts")).to_contain_text("없습니다")
    page_b.get_by_test_id("update-fork").click()
    expect(page_b.get_by_test_id("fork-updated")).to_contain_text("1.1.0")
    shots.take(page_b, "b-updated")
    page_b.goto(stack.url(b["host"], "/marketplace/mine/"))
    expect(page_b.get_by_test_id("fork-row").filter(has_text=title).get_by_test_id("up-to-date")).to_be_visible()
    with stack.http(b["host"]) as client:
        client.headers["Authorization"] = f"Bearer {b['token']}"
        draft = client.get(f"/api/v1/flows/{flow_id}").json()
    assert "좋은 아침입니다 v2" in str(draft)

    # Anyone can browse it on the public host, with no actions offered.
    public = new_context().new_page()
    public.goto(stack.url("localhost", "/marketplace/?q=자동화"))
    expect(public.get_by_test_id("template-card").filter(has_text=title)).to_be_visible()
    expect(public.get_by_test_id("public-note")).to_be_visible()
    shots.take(public, "public-browse")

    # On a phone the list and the detail page fit the screen (the flow drawing scrolls inside its own box).
    phone = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    for path in ("/marketplace/?q=자동화", urlsplit(template_url).path):
        phone.goto(stack.url("localhost", path))
        layout = no_horizontal_scroll(phone)
        assert layout["scrollWidth"] <= layout["innerWidth"], layout
    shots.take(phone, "phone-detail")
    # Members' pages on a phone too: A's publish wizard (preview and form), B's Korean "my templates" with its forks table.
    for member_page, host, path, shot in (
        (page_a, a["host"], f"/marketplace/publish/{a['flow']['id']}/", "phone-publish-wizard"),
        (page_b, b["host"], "/marketplace/mine/", "phone-mine-ko"),
    ):
        member_phone = new_context(
            storage_state=member_page.context.storage_state(), viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        ).new_page()
        member_phone.goto(stack.url(host, path))
        layout = no_horizontal_scroll(member_phone)
        assert layout["scrollWidth"] <= layout["innerWidth"], (path, layout)
        shots.take(member_phone, shot)
    assert new_context.page_errors == []
