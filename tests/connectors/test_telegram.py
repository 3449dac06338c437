"""Telegram bot messages against a local fake of the Bot API, through the engine."""

import json

import pytest
from django.utils import translation

from apps.flows.error_text import engine_error_text
from apps.flows.models import Credential as CredentialRow
from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.telegram import BLOCKED, TOKEN, FakeTelegram


@pytest.fixture
def telegram(base_urls):
    with FakeTelegram() as fake:
        base_urls(telegram=fake.url(""))
        yield fake


@pytest.fixture
def bot(organization, owner):
    return credential(organization, owner, "telegram_bot", {"bot_token": TOKEN})


def test_a_bot_sends_one_message_per_item(organization, telegram, bot):
    result = run_step(
        organization,
        "telegram.send_message",
        credential=str(bot.pk),
        chat_id="{{ json.chat }}",
        text="새 주문: {{ json.order }}",
        parse_mode="HTML",
        silent=True,
        link_preview=False,
        items=[{"chat": "123456789", "order": "A-1"}, {"chat": "-1001234567890", "order": "A-2"}],
    )
    assert result.status == "success", result.error
    first, second = result.last_items
    assert first["telegram"] == {"message_id": 101, "chat_id": 123456789, "date": 1796633600} and first["order"] == "A-1"
    assert second["telegram"]["chat_id"] == -1001234567890
    request = telegram.requests[-2]
    assert request["method"] == "POST" and request["path"] == f"/bot{TOKEN}/sendMessage"
    assert json.loads(request["body"]) == {
        "chat_id": "123456789",
        "text": "새 주문: A-1",
        "disable_notification": True,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }


def test_telegram_errors_in_words_without_the_token(organization, owner, telegram, bot):
    unknown = run_step(organization, "telegram.send_message", credential=str(bot.pk), chat_id="42", text="hi")
    assert unknown.error_code == "telegram_chat_not_found" and "400" in unknown.error and "Start" in unknown.error
    with translation.override("ko"):
        assert "시작" in engine_error_text(unknown.error, unknown.error_args)
    blocked = run_step(organization, "telegram.send_message", credential=str(bot.pk), chat_id=BLOCKED, text="hi")
    assert blocked.error_code == "telegram_blocked"
    bad_html = run_step(organization, "telegram.send_message", credential=str(bot.pk), chat_id="123456789", text="<b", parse_mode="HTML")
    assert bad_html.error_code == "telegram_bad_formatting"
    wrong = credential(organization, owner, "telegram_bot", {"bot_token": "987654321:AAEwrong_token_wrong_token_00"}, name="Wrong")
    refused = run_step(organization, "telegram.send_message", credential=str(wrong.pk), chat_id="123456789", text="hi")
    assert refused.error_code == "telegram_unauthorized" and "@BotFather" in refused.error
    telegram.next_answers.append(
        (429, {}, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 35", "parameters": {"retry_after": 35}})
    )
    limited = run_step(organization, "telegram.send_message", credential=str(bot.pk), chat_id="123456789", text="hi")
    assert limited.error_code == "rate_limited" and "35" in limited.error
    for failed in (unknown, blocked, bad_html, refused, limited):
        assert TOKEN not in json.dumps([failed.error, failed.error_args, failed.last_items], default=str)
    assert len(telegram.sent) == 0


def test_a_malformed_token_is_refused_when_saved_and_the_connection_test_calls_get_me(admin, organization, owner, telegram, bot):
    answer = admin.post(
        "/api/v1/credentials", {"name": "x", "type": "telegram_bot", "data": {"bot_token": "not a token"}}, content_type="application/json"
    )
    assert answer.status_code == 400 and "123456789:AAE" in json.dumps(answer.json(), ensure_ascii=False)
    assert admin.post(f"/api/v1/credentials/{bot.pk}/test", {}, content_type="application/json").json()["ok"] is True
    assert telegram.requests[-1]["path"] == f"/bot{TOKEN}/getMe"
    assert CredentialRow.objects.get(pk=bot.pk).encrypted_data != TOKEN


# ---- the message trigger --------------------------------------------------------------------------------------


def _update(update_id=1001, text="안녕하세요", chat_id=123456789):
    return {
        "update_id": update_id,
        "message": {
            "message_id": 55,
            "from": {"id": chat_id, "is_bot": False, "first_name": "민지", "username": "minji"},
            "chat": {"id": chat_id, "first_name": "민지", "type": "private"},
            "date": 1765155600,
            "text": text,
        },
    }


def _publish(organization, bot, django_capture_on_commit_callbacks, **trigger):
    from django.db import connection

    from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
    from tests.flows.engine.helpers import edge, node

    connection.set_tenant(organization)
    graph = {
        "nodes": [
            node("tg", "telegram.message_received", "Telegram", credential=str(bot.pk), **trigger),
            node("set", "data.set", "Set", fields=[{"name": "said", "value": "{{ json.text }}"}]),
        ],
        "edges": [edge("tg", "set")],
    }
    with django_capture_on_commit_callbacks(execute=True):
        flow = flow_create(user=None, name="Bot inbox", graph=graph)
        flow_publish(flow=flow, user=None)
        flow_set_active(flow=flow, active=True)
    return flow


def _deliver(organization, flow, update, secret):
    from django.db import connection

    from tests.support.webhooks import call_webhook

    headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret is not None else {}
    response = call_webhook(organization.host, f"/webhook/{flow.webhook_token}", json.dumps(update).encode(), **headers)
    connection.set_tenant(organization)
    return response


def test_publishing_registers_the_webhook_and_each_update_starts_one_run(organization, telegram, bot, django_capture_on_commit_callbacks):
    from apps.connectors.catalog.telegram import webhook_secret
    from apps.flows.services.flows import flow_set_active
    from apps.runs.models import Run

    flow = _publish(organization, bot, django_capture_on_commit_callbacks)
    registered = telegram.webhook
    assert registered["url"].endswith(f"/webhook/{flow.webhook_token}") and registered["allowed_updates"] == ["message"]
    secret = registered["secret_token"]
    assert secret == webhook_secret(TOKEN) and TOKEN not in secret
    response = _deliver(organization, flow, _update(), secret)
    assert response.status_code == 200, response.content
    (run,) = Run.objects.filter(flow=flow)
    item = run.input_items[0]
    assert item["text"] == "안녕하세요" and item["chat_id"] == 123456789 and item["from_name"] == "민지" and item["update_id"] == 1001
    assert _deliver(organization, flow, _update(), secret).json() == {"status": "duplicate", "run_id": run.pk}  # Telegram retries
    assert _deliver(organization, flow, _update(update_id=1002, text="두 번째"), secret).status_code == 200
    assert Run.objects.filter(flow=flow).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        flow_set_active(flow=flow, active=False)
    assert telegram.webhook is None and telegram.requests[-1]["path"].endswith("/deleteWebhook")


def test_updates_without_the_secret_token_start_nothing(organization, telegram, bot, django_capture_on_commit_callbacks):
    from apps.runs.models import Run

    flow = _publish(organization, bot, django_capture_on_commit_callbacks)
    assert _deliver(organization, flow, _update(), None).status_code == 401
    assert _deliver(organization, flow, _update(), "forged").status_code == 401
    secret = telegram.webhook["secret_token"]
    assert _deliver(organization, flow, {"update_id": 5, "my_chat_member": {}}, secret).json()["status"] == "ignored"
    assert _deliver(organization, flow, {"message": {}}, secret).status_code == 400
    assert not Run.objects.filter(flow=flow).exists()


def _stored(organization, data: bytes, name: str) -> dict:
    from django.db import connection

    from apps.files.services import file_save

    connection.set_tenant(organization)
    return file_save(data=data, name=name)


def test_a_bot_sends_a_file_from_an_earlier_step_as_a_document(organization, telegram, bot):
    report = _stored(organization, b"%PDF-1.4 daily report", "일일보고.pdf")
    result = run_step(
        organization,
        "telegram.send_document",
        credential=str(bot.pk),
        chat_id="123456789",
        file_field="report",
        caption="오늘 보고서 {{ json.day }}",
        silent=True,
        items=[{"report": report, "day": "12-08"}],
    )
    assert result.status == "success", result.error
    [sent] = result.last_items
    assert sent["telegram"]["chat_id"] == 123456789 and sent["telegram"]["file_id"].startswith("BQAC")
    request = telegram.requests[-1]
    assert request["path"] == f"/bot{TOKEN}/sendDocument"
    form = telegram.multipart(request)
    assert form["chat_id"] == "123456789" and form["caption"] == "오늘 보고서 12-08" and form["disable_notification"] == "true"
    assert form["document"] == ("일일보고.pdf", b"%PDF-1.4 daily report", "application/pdf")


def test_sending_a_document_needs_a_file_and_a_known_chat(organization, telegram, bot):
    missing = run_step(organization, "telegram.send_document", credential=str(bot.pk), chat_id="123456789", items=[{"x": 1}])
    assert missing.status == "failed" and missing.error_code == "not_a_file"
    report = _stored(organization, b"x", "a.txt")
    unknown = run_step(organization, "telegram.send_document", credential=str(bot.pk), chat_id="42", items=[{"file": report}])
    assert unknown.error_code == "telegram_chat_not_found" and TOKEN not in unknown.error
