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
