"""Slack messages go through the SSRF guard to a local fake Slack; failures are recorded, never raised."""

import json

from apps.notifications.models import AlertGroup, Notification
from apps.notifications.services.alerts import alerts_evaluate_run
from tests.notifications.conftest import failure_rule, finished_run
from tests.support.fake_http import FakeServer


def slack_rule(flow, owner, url, **values):
    return failure_rule(flow, owner, slack_webhook_url=url, **values)


def test_slack_gets_the_alert_with_a_link_to_the_run(organization, owner, flow):
    organization.allowed_internal_hosts = ["127.0.0.1"]
    organization.save()
    with FakeServer() as slack:
        slack.routes["/hook"] = lambda request: (200, {}, b"ok")
        slack_rule(flow, owner, slack.url("/hook"))
        run = finished_run(flow, error="Bad value <!channel> in row 3")
        alerts_evaluate_run(run_id=run.pk)
    (request,) = slack.requests
    text = json.loads(request["body"])["text"]
    assert "“Orders sync” failed" in text and f"/runs/{run.pk}/|Open the run>" in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text  # quoted data never pings the channel
    assert Notification.objects.get().delivery["slack"]["status"] == "sent"


def test_slack_errors_and_blocked_addresses_are_recorded_on_the_notification(organization, owner, flow):
    organization.allowed_internal_hosts = ["127.0.0.1"]
    organization.save()
    with FakeServer() as slack:
        slack.routes["/hook"] = lambda request: (500, {}, b"invalid_token")
        slack_rule(flow, owner, slack.url("/hook"))
        alerts_evaluate_run(run_id=finished_run(flow).pk)
        delivery = Notification.objects.get().delivery["slack"]
        assert delivery["status"] == "failed" and "500" in delivery["error"]

        # The allow-list is checked again when sending: once 127.0.0.1 is no longer allowed, nothing leaves.
        organization.allowed_internal_hosts = []
        organization.save()
        AlertGroup.objects.update(last_sent_at=None)
        alerts_evaluate_run(run_id=finished_run(flow, error="Another problem").pk)
    assert len(slack.requests) == 1
    blocked = Notification.objects.order_by("-id").first().delivery["slack"]
    assert blocked["status"] == "failed" and "internal address" in blocked["error"]


def test_an_unreachable_mail_server_is_recorded_and_the_alert_still_shows(organization, owner, flow, settings):
    from tests.support.stack import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2  # nothing listens there
    slack_rule(flow, owner, "", email=True)
    alerts_evaluate_run(run_id=finished_run(flow).pk)
    note = Notification.objects.get()
    assert note.delivery["email"]["status"] == "failed"
    assert note.delivery["email"]["failed"][0]["email"] == owner.email and "Connection" in note.delivery["email"]["failed"][0]["error"]


def test_a_line_break_in_a_flow_name_does_not_break_the_email(organization, owner, flow, mailbox):
    flow.name = "Orders\nsync"
    flow.save()
    slack_rule(flow, owner, "", email=True)
    alerts_evaluate_run(run_id=finished_run(flow).pk)
    assert mailbox[0].subject == "[EZFlow] “Orders sync” failed"
    assert Notification.objects.get().delivery["email"]["status"] == "sent"


def test_key_rotation_re_encrypts_the_slack_address(organization, owner, flow, settings):
    from io import StringIO

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from apps.core import crypto
    from apps.notifications.services.rules import alert_rule_slack_url

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.EZFLOW_CREDENTIAL_KEYS = [old_key]
    crypto.reset_cipher_cache()
    try:
        rule = slack_rule(flow, owner, "https://hooks.slack.example/services/T1/B2/secret")
        settings.EZFLOW_CREDENTIAL_KEYS = [new_key, old_key]
        crypto.reset_cipher_cache()
        out = StringIO()
        call_command("rotate_credentials", stdout=out)
        assert "1 alert Slack address" in out.getvalue()
        settings.EZFLOW_CREDENTIAL_KEYS = [new_key]  # the old key is gone: the address must still open
        crypto.reset_cipher_cache()
        rule.refresh_from_db()
        assert alert_rule_slack_url(rule) == "https://hooks.slack.example/services/T1/B2/secret"
    finally:
        crypto.reset_cipher_cache()
