"""Marketplace templates as skeletons for the offline planner: a request close to a template (its words in the
template's title, summary and tags, every step it names in the template's graph) starts from the template's graph
with the slots filled, and the answer says so; far requests, templates another organization keeps to itself and
templates that would not validate are not used."""

import pytest
from django.db import connection

from apps.assistant.planner import plan
from apps.assistant.planner.templates import closest, content_words, from_content
from apps.flows.models import Variable
from apps.marketplace.content import shipped_template, shipped_templates
from apps.marketplace.models import Template, TemplateVersion, Visibility
from apps.marketplace.services import template_search_refresh

SHIPPED = [from_content(content) for content in shipped_templates()]
CALENDAR = "매일 아침 8시에 오늘 구글 캘린더 일정을 카카오톡으로 보내줘"


def test_a_close_request_starts_from_the_template_and_fills_its_slots():
    prompt = "2시간마다 네이버 뉴스에서 '환율'을 검색해서 카카오톡으로 보내줘"
    draft = plan(prompt, language="ko", time_zone="Asia/Seoul", templates=SHIPPED)
    assert draft.template == {"id": "naver-news-keyword-to-kakaotalk-me", "title": "매일 아침 네이버 뉴스 키워드 → 카카오톡 나에게 보내기"}
    assert draft.valid and not draft.problems
    template_graph = shipped_template("naver-news-keyword-to-kakaotalk-me")["graph"]
    assert [n["id"] for n in draft.graph["nodes"]] == [n["id"] for n in template_graph["nodes"]]
    assert draft.graph["edges"] == template_graph["edges"]
    trigger = draft.graph["nodes"][0]["parameters"]
    assert trigger["cron"] == "0 */2 * * *" and trigger["time_zone"] == "Asia/Seoul" and trigger["preset"] == "custom"
    search = next(n for n in draft.graph["nodes"] if n["type"] == "naver.search")
    assert search["parameters"]["query"] == "환율"
    assert {c["action"] for c in draft.changes} == {"added"} and len(draft.changes) == len(template_graph["nodes"])
    assert {m["node_id"] for m in draft.missing if m["code"] == "connect"} == {"search", "kakao"}


def test_english_requests_find_korean_templates_by_their_english_titles():
    draft = plan("Every morning at 7 send today's Google Calendar agenda to KakaoTalk", language="en", templates=SHIPPED)
    assert draft.template["id"] == "today-calendar-agenda-to-kakaotalk" and draft.valid
    assert draft.graph["nodes"][0]["parameters"]["cron"] == "0 7 * * *"


@pytest.mark.parametrize(
    "prompt",
    [
        "평일 오후 6시에 슬랙으로 퇴근 알림 보내줘",  # shares only "Slack" and "alert" with many templates
        "Every Friday at 5 pm send an email to boss@example.com",
        "매일 아침 7시에 네이버 블로그에서 '맛집'을 검색해서 디스코드 채널에 올려줘",  # not the shopping price template
        "웹훅으로 요청이 오면 슬랙으로 보내줘",
        # Close to the calendar → KakaoTalk template, but the results go elsewhere: a template never picks the destination.
        "At 8 in the morning every day, find today's Google Calendar events and text them to 010-9876-5432 by SMS",
    ],
)
def test_far_requests_do_not_start_from_a_template(prompt):
    draft = plan(prompt, templates=SHIPPED)
    assert draft.template is None and draft.valid
    assert draft.graph == plan(prompt).graph  # exactly the catalog draft


def test_a_template_must_hold_every_named_step_and_the_requested_trigger():
    assert "캘린더" in content_words(CALENDAR) and "보내줘" not in content_words(CALENDAR)
    calendar = next(s for s in SHIPPED if s.id == "today-calendar-agenda-to-kakaotalk")
    kinds = {"today-calendar-agenda-to-kakaotalk": "schedule"}

    def trigger_of(graph):
        return kinds.get("today-calendar-agenda-to-kakaotalk") if graph is calendar.graph else "manual"

    common = {"trigger_of": trigger_of, "condition_key": None, "skeletons": [calendar]}
    assert closest(CALENDAR, named_steps=["kakao.talk_to_me"], trigger_kind="schedule", **common)[0] is calendar
    assert closest(CALENDAR, named_steps=["kakao.talk_to_me", "net.slack"], trigger_kind="schedule", **common) is None
    assert closest(CALENDAR, named_steps=["kakao.talk_to_me"], trigger_kind="webhook", **common) is None
    assert closest(CALENDAR, named_steps=["kakao.talk_to_me"], trigger_kind="schedule", **{**common, "condition_key": "flow.if"}) is None


def test_a_template_whose_draft_would_not_validate_is_not_used():
    broken = from_content(shipped_template("naver-news-keyword-to-kakaotalk-me"))
    broken.graph = {**broken.graph, "edges": [*broken.graph["edges"], {"source": "nowhere", "target": "x", "source_port": "main"}]}
    prompt = "2시간마다 네이버 뉴스에서 '환율'을 검색해서 카카오톡으로 보내줘"
    draft = plan(prompt, language="ko", templates=[broken])
    assert draft.template is None and draft.valid and draft.graph == plan(prompt, language="ko").graph


# -- through the API, with templates in the marketplace


@pytest.fixture
def organization(data):
    organization = data.create_organization()
    organization.time_zone = "Asia/Seoul"
    organization.save()
    connection.set_tenant(organization)
    return organization


def publish(author_organization, slug: str, visibility=Visibility.PUBLIC) -> Template:
    """A shipped template in the marketplace as its author would publish it (title in its language, the other
    language's title in the description's heading, as the loader writes it)."""
    content = shipped_template(slug)
    language, other = content["language"], "en" if content["language"] == "ko" else "ko"
    template = Template.objects.create(
        title=content["title"][language],
        summary=content["summary"][language],
        description=f"{content['description'][language]}\n\n---\n\n### English: {content['title'][other]}\n\n*{content['summary'][other]}*",
        tags=[t.lower() for t in content["tags"]],
        language=language,
        visibility=visibility,
        author_organization=author_organization,
    )
    node_types = sorted({n["type"] for n in content["graph"]["nodes"]})
    version = TemplateVersion.objects.create(
        template=template, version="1.0.0", major=1, minor=0, patch=0, graph=content["graph"], node_types=node_types
    )
    Template.objects.filter(pk=template.pk).update(latest_version=version, node_types=node_types)
    template_search_refresh(template=template)
    return template


def test_the_draft_api_builds_from_a_public_template_and_says_so(data, organization):
    author = data.create_organization()
    template = publish(author, "today-calendar-agenda-to-kakaotalk")
    connection.set_tenant(organization)
    body = data.editor_api(organization).post("/api/v1/assistant/draft", {"prompt": CALENDAR}, content_type="application/json").json()
    assert body["message"].startswith(f"'{template.title}' 템플릿을 바탕으로 만들었어요.")
    assert [n["id"] for n in body["graph"]["nodes"]] == ["morning", "events", "collect", "kakao"]
    assert body["graph"]["nodes"][0]["parameters"]["cron"] == "0 8 * * *"
    assert not [m for m in body["missing"] if m["code"] == "problem"]
    assert {m["node_id"] for m in body["missing"] if m["code"] == "connect"} == {"events", "kakao"}
    variables = [m for m in body["missing"] if m["code"] == "fill" and "calendar_id" in m["message"]]
    assert [m["node_id"] for m in variables] == ["events"] and "조직 변수" in variables[0]["message"]

    prompt = "Every morning at 7 send today's Google Calendar agenda to KakaoTalk"
    Variable.objects.create(name="calendar_id", value="primary")
    english = data.editor_api(organization).post("/api/v1/assistant/draft", {"prompt": prompt}, content_type="application/json").json()
    assert english["message"].startswith(f"I built this from the template “{template.title}”.")
    assert not [m for m in english["missing"] if "calendar_id" in m["message"]]  # the organization has it now


def test_another_organizations_own_templates_are_not_used_but_ours_are(data, organization):
    other = data.create_organization()
    publish(other, "today-calendar-agenda-to-kakaotalk", visibility=Visibility.ORGANIZATION)
    connection.set_tenant(organization)
    api = data.editor_api(organization)
    body = api.post("/api/v1/assistant/draft", {"prompt": CALENDAR}, content_type="application/json").json()
    assert "템플릿" not in body["message"] and body["graph"]["nodes"][0]["id"] == "n1"

    ours = publish(organization, "today-calendar-agenda-to-kakaotalk", visibility=Visibility.ORGANIZATION)
    connection.set_tenant(organization)
    body = api.post("/api/v1/assistant/draft", {"prompt": CALENDAR}, content_type="application/json").json()
    assert body["message"].startswith(f"'{ours.title}' 템플릿을 바탕으로 만들었어요.")


def test_follow_ups_never_switch_to_a_template(data, organization):
    publish(data.create_organization(), "today-calendar-agenda-to-kakaotalk")
    connection.set_tenant(organization)
    api = data.editor_api(organization)
    first = api.post("/api/v1/assistant/draft", {"prompt": "매일 9시에 슬랙으로 보내줘"}, content_type="application/json").json()
    follow = api.post("/api/v1/assistant/draft", {"prompt": CALENDAR, "graph": first["graph"]}, content_type="application/json").json()
    assert "템플릿" not in follow["message"] and follow["graph"]["nodes"][0]["id"] == first["graph"]["nodes"][0]["id"]
