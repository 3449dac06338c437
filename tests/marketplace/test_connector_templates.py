"""The ten connector templates, each installed ("Use this template") into an organization, given database credentials
and variables, published, switched on, started the way it really starts (schedule tick, a poll of the feed or sheet, a
Toss event at the webhook, a visitor sending the hosted form) and run by the product against the local fakes."""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from apps.accounts.models import Membership
from apps.flows.host import FlowHost
from apps.flows.models import Flow, Variable
from apps.flows.nodes.registry import load_builtin_nodes
from apps.flows.services.flows import InvalidFlow, flow_publish, flow_set_active, flow_update
from apps.marketplace.content import credential_slots, shipped_template
from apps.marketplace.content.loader import template_details
from apps.marketplace.models import Template
from apps.marketplace.services.forks import template_fork
from apps.runs.models import Run
from apps.runs.services.runs import run_create, run_execute
from tests.connectors.conftest import credential
from tests.connectors.fakes import airtable, discord, google, kakao, naver, notion, public_data, telegram, toss
from tests.connectors.fakes.feeds import FakeFeeds
from tests.support.fake_http import FakeServer
from tests.support.webhooks import call_webhook

FAR = 4102444800


@dataclass
class World:
    organization: object
    owner: object
    fakes: dict
    slack: FakeServer
    flow: Flow | None = None
    credentials: dict = field(default_factory=dict)


def oauth_tokens(fake, name: str) -> dict:
    fake.oauth.access_tokens[f"access-{name}"] = FAR
    fake.oauth.refresh_tokens.add(f"refresh-{name}")
    return {"access_token": f"access-{name}", "refresh_token": f"refresh-{name}", "token_type": "Bearer", "expires_at": FAR}


def credential_values(kind: str, world: World) -> tuple[dict, dict | None]:
    fakes = world.fakes
    if kind.startswith(("google_", "gmail")):
        return {"client_id": google.CLIENT_ID, "client_secret": google.CLIENT_SECRET}, oauth_tokens(fakes["google"], kind)
    if kind == "kakao_login":
        return {"client_id": kakao.CLIENT_ID, "client_secret": kakao.CLIENT_SECRET}, oauth_tokens(fakes["kakao"], kind)
    return {
        "naver_developers": {"client_id": naver.CLIENT_ID, "client_secret": naver.CLIENT_SECRET},
        "toss_payments": {"secret_key": toss.SECRET_KEY, "webhook_security_key": toss.SECURITY_KEY},
        "slack_webhook": {"url": world.slack.url("/slack")},
        "data_go_kr": {"service_key": public_data.DECODED_KEY},
        "telegram_bot": {"bot_token": telegram.TOKEN},
        "discord_webhook": {"webhook_url": discord.WEBHOOK_URL},
        "notion_integration": {"token": notion.TOKEN},
        "airtable_token": {"token": airtable.TOKEN},
    }[kind], None


FAKES = {
    "kakao": (kakao.FakeKakao, ("kakao", "kakao_auth")),
    "naver": (naver.FakeNaver, ("naver",)),
    "google": (google.FakeGoogle, ("google_auth", "google_oauth2", "google_sheets", "gmail", "google_calendar")),
    "public_data": (public_data.FakePublicData, ("public_data",)),
    "telegram": (telegram.FakeTelegram, ("telegram",)),
    "discord": (discord.FakeDiscord, ("discord",)),
    "notion": (notion.FakeNotion, ("notion",)),
    "airtable": (airtable.FakeAirtable, ("airtable",)),
    "toss": (toss.FakeToss, ("toss",)),
    "feeds": (FakeFeeds, ()),
}


def install(world: World, slug: str, variables: dict, **parameters) -> Flow:
    """Use this template → the person's own connections and variables → publish → switch on."""
    connection.set_schema_to_public()
    call_command("marketplace_load_templates", slug, stdout=io.StringIO())
    template = Template.objects.get(title=template_details(shipped_template(slug))["title"])
    membership = Membership.objects.get(user=world.owner, organization=world.organization)
    membership.organization = world.organization
    flow = template_fork(membership=membership, template=template).flow
    connection.set_tenant(world.organization)
    graph = json.loads(json.dumps(Flow.objects.get(pk=flow.pk).draft))
    by_id = {node["id"]: node for node in graph["nodes"]}
    for node_id, param, kind in credential_slots(shipped_template(slug)):
        if kind not in world.credentials:
            values, tokens = credential_values(kind, world)
            world.credentials[kind] = credential(world.organization, world.owner, kind, values, tokens=tokens, name=kind)
        by_id[node_id]["parameters"][param] = str(world.credentials[kind].pk)
    for node_id, changes in parameters.items():
        by_id[node_id]["parameters"].update(changes)
    for name, value in variables.items():
        Variable.objects.create(name=name, value=value)
    flow = Flow.objects.get(pk=flow.pk)
    flow = flow_update(flow=flow, graph=graph)
    try:
        flow_publish(flow=flow, user=world.owner, message="installed")
    except InvalidFlow as invalid:
        raise AssertionError(invalid.extra["problems"]) from None
    flow_set_active(flow=Flow.objects.get(pk=flow.pk), active=True)
    world.flow = Flow.objects.get(pk=flow.pk)
    return world.flow


def run_with(world: World, items: list[dict]) -> Run:
    connection.set_tenant(world.organization)
    run = run_create(flow=world.flow, trigger=Run.Trigger.SCHEDULE, items=items)
    return execute(world, run.pk)


def execute(world: World, run_id: int) -> Run:
    connection.set_tenant(world.organization)
    finished = run_execute(run_id=run_id) or Run.objects.get(pk=run_id)
    assert finished.status == Run.Status.SUCCESS, finished.error
    return finished


def poll_trigger(world: World, node_id: str) -> list[dict]:
    """What the polling tick gives a run: the trigger step's poll with the published parameters."""
    connection.set_tenant(world.organization)
    node = next(n for n in world.flow.published_version.graph["nodes"] if n["id"] == node_id)
    return load_builtin_nodes().get(node["type"]).poll(node["parameters"], {}, FlowHost(organization=world.organization))


def slack_texts(world: World) -> list[str]:
    return [json.loads(r["body"])["text"] for r in world.slack.requests if r["path"] == "/slack"]


def last_run(world: World) -> Run:
    connection.set_tenant(world.organization)
    return Run.objects.filter(flow=world.flow).latest("pk")


# One function per template: install, start it as it starts in production, check what reached the services -------


def naver_news_keyword_to_kakaotalk_me(world):
    install(world, "naver-news-keyword-to-kakaotalk-me", {"news_keyword": "이지플로우"})
    run_with(world, [{}])
    (search,) = world.fakes["naver"].path_requests("/v1/search/news.json")
    assert search["query"]["query"] == "이지플로우" and search["query"]["sort"] == "date"
    (memo,) = world.fakes["kakao"].path_requests("/v2/api/talk/memo/default/send")
    sent = json.loads(_form(memo)["template_object"])
    first_title = html.unescape(re.sub(r"<[^>]+>", "", naver.NEWS[0]["title"]))
    assert sent["object_type"] == "text" and sent["text"].startswith("📰 '이지플로우' 새 뉴스\n") and first_title in sent["text"]


def _form(request):
    from urllib.parse import parse_qs

    return {k: v[0] for k, v in parse_qs(request["body"].decode()).items()}


def toss_payment_to_google_sheets_and_slack(world):
    fake_google, fake_toss = world.fakes["google"], world.fakes["toss"]
    sheet_id = fake_google.add_spreadsheet({"결제": [["주문번호", "상품", "금액", "결제수단", "승인시각"]]}, spreadsheet_id="sales-1")
    flow = install(
        world, "toss-payment-to-google-sheets-and-slack", {"sales_sheet": f"https://docs.google.com/spreadsheets/d/{sheet_id}/edit"}
    )
    fake_toss.add_payment("tgen_1", "ORDER-1", 15000)
    event = {
        "eventType": "PAYMENT_STATUS_CHANGED",
        "createdAt": "2026-12-07T10:00:21.000000",
        "data": {"paymentKey": "tgen_1", "orderId": "ORDER-1", "status": "DONE"},
    }
    for _attempt in range(2):  # Toss retries: one run only
        answer = call_webhook(world.organization.host, f"/webhook/{flow.webhook_token}", json.dumps(event).encode())
        assert answer.status_code == 200, answer.body
    connection.set_tenant(world.organization)
    assert Run.objects.filter(flow=flow).count() == 1
    execute(world, last_run(world).pk)
    assert fake_google.sheet("결제", "sales-1")[1][:3] == ["ORDER-1", "토스 티셔츠 외 2건", "15000"]
    assert slack_texts(world) == ["💳 결제 완료: 토스 티셔츠 외 2건 15,000원 (주문 ORDER-1)"]


def public_data_fine_dust_bad_to_slack(world):
    world.fakes["public_data"].stations.append({"stationName": "종로구", "sidoName": "서울", "pm10Value": "95", "pm25Value": "40"})
    address = world.fakes["public_data"].url(public_data.PATH)  # the real gateway's address, on the fake
    install(world, "public-data-fine-dust-bad-to-slack", {"sido_name": "서울"}, air={"url": address})
    run_with(world, [{}])
    assert slack_texts(world) == ["😷 서울 미세먼지 나쁨 1곳\n종로구"]
    world.fakes["public_data"].stations.pop()
    run_with(world, [{}])
    assert len(slack_texts(world)) == 1  # nothing bad: nothing sent


def rss_new_posts_to_telegram(world):
    feeds = world.fakes["feeds"]
    feeds.publish(1)
    install(world, "rss-new-posts-to-telegram", {"telegram_chat_id": "123456789"}, feed={"url": feeds.url("/rss.xml")})
    run_with(world, poll_trigger(world, "feed"))
    texts = [json.loads(r["body"])["text"] for r in world.fakes["telegram"].requests if r["path"].endswith("/sendMessage")]
    assert texts == ["📰 기사 1\nhttps://news.example.com/a1"]


def google_sheets_new_row_to_gmail(world):
    fake = world.fakes["google"]
    sheet_id = fake.add_spreadsheet(
        {"신청": [["이름", "이메일", "과정"], ["김민지", "minji@example.com", "엑셀 자동화"]]}, spreadsheet_id="signups-1"
    )
    install(world, "google-sheets-new-row-to-gmail", {}, new_row={"spreadsheet": f"https://docs.google.com/spreadsheets/d/{sheet_id}/edit"})
    run_with(world, poll_trigger(world, "new_row"))
    (mail,) = fake.sent
    assert mail["To"] == "minji@example.com" and "[엑셀 자동화] 신청이 접수되었습니다" in str(mail["Subject"])
    assert "김민지님, 안녕하세요." in mail.get_content()


def _send_form(world, answers: dict) -> Run:
    client = Client(HTTP_HOST=world.organization.host, enforce_csrf_checks=True)
    page = client.get(f"/forms/{world.flow.webhook_token}/")
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    sent = client.post(f"/forms/{world.flow.webhook_token}/", {**answers, "csrfmiddlewaretoken": token})
    assert sent.status_code == 200, sent.content.decode()[-2000:]
    return execute(world, last_run(world).pk)


def hosted_form_to_airtable_and_telegram(world):
    install(world, "hosted-form-to-airtable-and-telegram", {"airtable_base": airtable.BASE, "telegram_chat_id": "123456789"})
    _send_form(world, {"name": "박지우", "email": "jiwoo@example.com", "topic": "견적", "message": "10명 요금"})
    created = world.fakes["airtable"].records[-1]["fields"]
    assert created == {"이름": "박지우", "상태": "신규", "메모": "[견적] jiwoo@example.com 10명 요금"}
    texts = [json.loads(r["body"])["text"] for r in world.fakes["telegram"].requests if r["path"].endswith("/sendMessage")]
    assert texts == ["🙋 새 상담 신청: 박지우 (견적)\njiwoo@example.com\n10명 요금"]


def booking_form_to_google_calendar_and_gmail(world):
    install(world, "booking-form-to-google-calendar-and-gmail", {"calendar_id": "primary"})
    _send_form(world, {"name": "Jisu Kim", "email": "jisu@example.com", "date": "2031-05-20", "time": "14:00", "topic": "Pricing"})
    (event,) = world.fakes["google"].calendars["primary"]
    assert event["summary"] == "Consultation: Jisu Kim" and event["start"]["dateTime"].startswith("2031-05-20T14:00")
    assert [a["email"] for a in event.get("attendees", [])] == ["jisu@example.com"]
    (mail,) = world.fakes["google"].sent
    assert mail["To"] == "jisu@example.com" and "2031-05-20 14:00" in mail.get_content()


def naver_shopping_price_drop_to_discord(world):
    offers = [
        {"title": "로지텍 MX Keys <b>S</b>", "lprice": "109000", "mallName": "가게A", "link": "https://shop.example/1"},
        {"title": "로지텍 MX Keys", "lprice": "135000", "mallName": "가게B", "link": "https://shop.example/2"},
    ]
    world.fakes["naver"].routes["/v1/search/shop.json"] = lambda request: (200, {}, {"total": 2, "start": 1, "display": 2, "items": offers})
    install(world, "naver-shopping-price-drop-to-discord", {"product_keyword": "로지텍 MX Keys", "target_price": "120000"})
    run_with(world, [{}])
    (posted,) = world.fakes["discord"].sent
    assert posted["content"].splitlines() == [
        "🏷️ '로지텍 MX Keys' 목표가 120000원 이하 1건",
        "로지텍 MX Keys S — 109000원 (가게A)",
        "https://shop.example/1",
    ]


def rss_to_notion_reading_list(world):
    feeds = world.fakes["feeds"]
    feeds.publish(2)
    install(world, "rss-to-notion-reading-list", {"notion_database": notion.DATABASE}, feed={"url": feeds.url("/rss.xml")})
    run_with(world, poll_trigger(world, "feed"))
    created = [r for r in world.fakes["notion"].requests if r["path"] == "/v1/pages"]
    (body,) = [json.loads(r["body"]) for r in created]
    assert body["properties"]["이름"]["title"][0]["text"]["content"] == "기사 2"
    assert body["properties"]["메모"]["rich_text"][0]["text"]["content"] == "https://news.example.com/a2"


def today_calendar_agenda_to_kakaotalk(world):
    import datetime as dt
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(world.organization.time_zone)  # "today" is the organization's day
    today = dt.datetime.now(zone).date()
    for hour, title in ((10, "주간 회의"), (15, "고객 미팅")):
        start = dt.datetime.combine(today, dt.time(hour), tzinfo=zone)
        world.fakes["google"].calendars["primary"].append(
            {
                "id": f"e{hour}",
                "summary": title,
                "start": {"dateTime": start.isoformat()},
                "end": {"dateTime": (start + dt.timedelta(hours=1)).isoformat()},
            }
        )
    install(world, "today-calendar-agenda-to-kakaotalk", {"calendar_id": "primary"})
    run_with(world, [{}])
    (memo,) = world.fakes["kakao"].path_requests("/v2/api/talk/memo/default/send")
    sent = json.loads(_form(memo)["template_object"])
    assert sent["text"].splitlines() == ["📅 오늘 일정 2개", "주간 회의", "고객 미팅"]


SCENARIOS = {
    "naver-news-keyword-to-kakaotalk-me": (naver_news_keyword_to_kakaotalk_me, ("naver", "kakao")),
    "toss-payment-to-google-sheets-and-slack": (toss_payment_to_google_sheets_and_slack, ("toss", "google")),
    "public-data-fine-dust-bad-to-slack": (public_data_fine_dust_bad_to_slack, ("public_data",)),
    "rss-new-posts-to-telegram": (rss_new_posts_to_telegram, ("feeds", "telegram")),
    "google-sheets-new-row-to-gmail": (google_sheets_new_row_to_gmail, ("google",)),
    "hosted-form-to-airtable-and-telegram": (hosted_form_to_airtable_and_telegram, ("airtable", "telegram")),
    "booking-form-to-google-calendar-and-gmail": (booking_form_to_google_calendar_and_gmail, ("google",)),
    "naver-shopping-price-drop-to-discord": (naver_shopping_price_drop_to_discord, ("naver", "discord")),
    "rss-to-notion-reading-list": (rss_to_notion_reading_list, ("feeds", "notion")),
    "today-calendar-agenda-to-kakaotalk": (today_calendar_agenda_to_kakaotalk, ("google", "kakao")),
}


@pytest.mark.parametrize("slug", list(SCENARIOS))
def test_a_connector_template_installs_and_runs_against_the_fakes(slug, data, settings):
    scenario, needed = SCENARIOS[slug]
    organization = data.create_organization()
    organization.allowed_internal_hosts = ["127.0.0.1"]
    organization.save()
    started, urls = {}, {}
    try:
        for name in needed:
            fake_class, keys = FAKES[name]
            started[name] = fake_class().__enter__()
            urls.update({key: started[name].url("") for key in keys})
        settings.EZFLOW_CONNECTOR_BASE_URLS = urls
        with FakeServer() as slack:
            slack.routes["/slack"] = lambda request: (200, {}, b"ok")
            scenario(World(organization=organization, owner=data.owner_of(organization), fakes=started, slack=slack))
    finally:
        for fake in started.values():
            fake.__exit__(None, None, None)


def test_there_are_ten_connector_templates_in_both_languages():
    registry = load_builtin_nodes()
    connector_steps = {key for key in registry.keys() if key.split(".")[0] not in ("trigger", "net", "data", "flow", "code", "transform")}  # noqa: SIM118
    for slug in SCENARIOS:
        content = shipped_template(slug)
        assert {node["type"] for node in content["graph"]["nodes"]} & connector_steps, slug
        assert content["title"]["ko"] and content["title"]["en"]
    assert len(SCENARIOS) == 10
