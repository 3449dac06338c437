"""Discord webhook and bot messages against a local fake of the Discord API, through the engine."""

import json

import pytest

from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.discord import BOT_TOKEN, CHANNEL, HIDDEN_CHANNEL, WEBHOOK_TOKEN, WEBHOOK_URL, FakeDiscord, rate_limited


@pytest.fixture
def discord(base_urls):
    with FakeDiscord() as fake:
        base_urls(discord=fake.url(""))
        yield fake


@pytest.fixture
def webhook(organization, owner):
    return credential(organization, owner, "discord_webhook", {"webhook_url": WEBHOOK_URL})


@pytest.fixture
def bot(organization, owner):
    return credential(organization, owner, "discord_bot", {"bot_token": BOT_TOKEN})


def test_a_webhook_posts_text_and_a_card_and_gives_back_the_message(organization, discord, webhook):
    result = run_step(
        organization,
        "discord.webhook_message",
        credential=str(webhook.pk),
        content="새 문의: {{ json.subject }}",
        username="EZFlow",
        embed_title="{{ json.subject }}",
        embed_description="고객: {{ json.name }}",
        embed_color="#5865F2",
        items=[{"subject": "배송 문의", "name": "김민지"}],
    )
    assert result.status == "success", result.error
    assert result.last_items[0]["discord"]["message_id"] == "1180000000000001001"
    request = discord.requests[-1]
    assert request["query"] == {"wait": "true"}
    assert json.loads(request["body"]) == {
        "content": "새 문의: 배송 문의",
        "embeds": [{"title": "배송 문의", "description": "고객: 김민지", "color": 0x5865F2}],
        "username": "EZFlow",
    }
    raw = run_step(organization, "discord.webhook_message", credential=str(webhook.pk), embeds='[{"title": "raw", "fields": []}]')
    assert raw.status == "success" and discord.sent[-1] == {"embeds": [{"title": "raw", "fields": []}]}


def test_a_bot_writes_in_a_channel_with_its_bot_token(organization, discord, bot):
    result = run_step(organization, "discord.bot_message", credential=str(bot.pk), channel_id=CHANNEL, content="배포 완료")
    assert result.status == "success", result.error
    assert result.last_items[0]["discord"]["channel_id"] == CHANNEL
    assert discord.requests[-1]["headers"]["Authorization"] == f"Bot {BOT_TOKEN}"


def test_discord_errors_in_words(organization, owner, discord, bot, webhook):
    hidden = run_step(organization, "discord.bot_message", credential=str(bot.pk), channel_id=HIDDEN_CHANNEL, content="x")
    assert hidden.error_code == "discord_no_access" and "50001" in hidden.error
    unknown = run_step(organization, "discord.bot_message", credential=str(bot.pk), channel_id="1180000000000000999", content="x")
    assert unknown.error_code == "discord_unknown_channel"
    not_id = run_step(organization, "discord.bot_message", credential=str(bot.pk), channel_id="general", content="x")
    assert not_id.error_code == "bad_channel_id"
    empty = run_step(organization, "discord.bot_message", credential=str(bot.pk), channel_id=CHANNEL, content=" ")
    assert empty.error_code == "discord_empty_message"
    wrong = credential(organization, owner, "discord_bot", {"bot_token": "wrong"}, name="Wrong")
    refused = run_step(organization, "discord.bot_message", credential=str(wrong.pk), channel_id=CHANNEL, content="x")
    assert refused.error_code == "discord_unauthorized" and "Reset Token" in refused.error
    gone = credential(organization, owner, "discord_webhook", {"webhook_url": WEBHOOK_URL.replace("abc", "xyz")}, name="Gone")
    stale = run_step(organization, "discord.webhook_message", credential=str(gone.pk), content="x")
    assert stale.error_code == "discord_unauthorized"
    assert WEBHOOK_TOKEN.replace("abc", "xyz") not in json.dumps([stale.error, stale.error_args], default=str)
    assert discord.sent == []


def test_a_short_rate_limit_is_waited_out_and_a_long_one_is_said(organization, discord, bot):
    discord.next_answers.append(rate_limited(0.2))
    waited = run_step(organization, "discord.bot_message", credential=str(bot.pk), channel_id=CHANNEL, content="x")
    assert waited.status == "success", waited.error
    assert len(discord.path_requests(f"/channels/{CHANNEL}/messages")) == 2 and len(discord.sent) == 1
    discord.next_answers.append(rate_limited(42.5))
    limited = run_step(organization, "discord.bot_message", credential=str(bot.pk), channel_id=CHANNEL, content="x")
    assert limited.error_code == "rate_limited" and "42.5" in limited.error and len(discord.sent) == 1


def test_a_webhook_that_is_not_discords_is_refused_when_saved(admin, organization, discord, webhook, bot):
    answer = admin.post(
        "/api/v1/credentials",
        {"name": "x", "type": "discord_webhook", "data": {"webhook_url": "https://evil.example.com/api/webhooks/1/2"}},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert admin.post(f"/api/v1/credentials/{webhook.pk}/test", {}, content_type="application/json").json()["ok"] is True
    assert admin.post(f"/api/v1/credentials/{bot.pk}/test", {}, content_type="application/json").json()["ok"] is True
    assert discord.requests[-1]["path"] == "/users/@me"
