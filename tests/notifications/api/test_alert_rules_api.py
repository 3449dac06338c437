"""Alert rules over the API: editors change, viewers read, other organizations see nothing, Slack stays secret."""

from django.db import connection

from apps.accounts.roles import Role
from apps.notifications.models import AlertRule
from apps.notifications.services.rules import alert_rule_slack_url

SLACK = "https://hooks.slack.com/services/T000/B000/very-secret-part"


def rules_path(flow):
    return f"/api/v1/flows/{flow.pk}/alert-rules"


def test_editors_create_and_change_rules_and_the_slack_address_never_comes_back(data, organization, flow):
    api = data.editor_api(organization)
    created = api.post(
        rules_path(flow), {"kind": "consecutive", "threshold": 5, "slack_webhook_url": SLACK}, content_type="application/json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["kind"] == "consecutive" and body["threshold"] == 5 and body["slack"] is True
    assert body["slack_hint"] == "https://hooks.slack.com/…part"
    listed = api.get(rules_path(flow))
    assert "very-secret" not in created.content.decode() and "very-secret" not in listed.content.decode()
    connection.set_tenant(organization)
    rule = AlertRule.objects.get()
    assert "very-secret" not in rule.slack_webhook and alert_rule_slack_url(rule) == SLACK  # encrypted at rest

    changed = api.patch(f"{rules_path(flow)}/{rule.pk}", {"enabled": False, "deactivate_after": 10}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["enabled"] is False and changed.json()["slack"] is True  # address kept
    cleared = api.patch(f"{rules_path(flow)}/{rule.pk}", {"slack_webhook_url": ""}, content_type="application/json")
    assert cleared.json()["slack"] is False and cleared.json()["slack_hint"] == ""
    assert api.delete(f"{rules_path(flow)}/{rule.pk}").status_code == 204
    assert api.get(rules_path(flow)).json() == []


def test_bad_values_get_clear_messages_for_every_field_at_once(data, organization, flow):
    api = data.editor_api(organization)
    response = api.post(
        rules_path(flow),
        {
            "kind": "sometimes",
            "threshold": 0,
            "duration_seconds": 100_000,
            "slack_webhook_url": "http://hooks.slack.com/x",
            "recipients": [999_999],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"kind", "threshold", "duration_seconds", "slack_webhook_url", "recipients"}
    assert fields["threshold"][0]["message"] == "Enter a whole number from 1 to 100."
    assert fields["slack_webhook_url"][0]["message"] == "The Slack address must start with https://."
    nothing = api.post(rules_path(flow), {"in_app": False, "email": False}, content_type="application/json")
    assert nothing.status_code == 400 and "at least one way" in nothing.json()["error"]["fields"]["in_app"][0]["message"]


def test_viewers_read_but_cannot_change(data, organization, flow):
    viewer = data.editor_api(organization, role=Role.VIEWER)
    assert viewer.get(rules_path(flow)).status_code == 200
    assert viewer.post(rules_path(flow), {"kind": "failure"}, content_type="application/json").status_code == 403


def test_another_organizations_flow_is_not_found(data, organization, flow):
    other = data.create_organization(slug=data.unique("elsewhere"))
    api = data.editor_api(other)
    assert api.get(rules_path(flow)).status_code == 404
    assert api.post(rules_path(flow), {"kind": "failure"}, content_type="application/json").status_code == 404


def test_plain_http_is_allowed_only_for_hosts_an_admin_allowed(data, organization, flow):
    organization.allowed_internal_hosts = ["127.0.0.1"]
    organization.save()
    api = data.editor_api(organization)
    allowed = api.post(rules_path(flow), {"slack_webhook_url": "http://127.0.0.1:9/hook"}, content_type="application/json")
    assert allowed.status_code == 201, allowed.json()
    refused = api.post(rules_path(flow), {"slack_webhook_url": "http://10.1.1.1/hook"}, content_type="application/json")
    assert refused.status_code == 400


def test_a_chosen_person_who_left_does_not_block_other_changes(data, organization, flow):
    from apps.accounts.models import Membership

    api = data.editor_api(organization)
    leaving = data.create_member(organization, role=Role.VIEWER)
    staying = data.create_member(organization, role=Role.VIEWER)
    created = api.post(rules_path(flow), {"recipients": [leaving.user_id, staying.user_id]}, content_type="application/json").json()
    Membership.objects.filter(pk=leaving.pk).update(is_active=False)
    changed = api.patch(f"{rules_path(flow)}/{created['id']}", {"enabled": False}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["recipients"] == [staying.user_id]
