"""The notifications page, opening a notification, the bell on every page, and a flow's alert settings page."""

from django.db import connection

from apps.accounts.roles import Role
from apps.notifications.models import AlertRule, Notification
from tests.notifications.conftest import notified_failure


def test_the_bell_shows_the_unread_count_and_the_page_lists_notifications(data, organization, owner, flow):
    run = notified_failure(flow, owner)
    client = data.client_for(organization, owner)
    dashboard = client.get("/").content.decode()
    assert 'data-testid="bell-count">1<' in dashboard
    page = client.get("/notifications/").content.decode()
    assert "“Orders sync” failed" in page and "Open the run" in page
    connection.set_tenant(organization)
    note = Notification.objects.get()
    opened = client.post(f"/notifications/{note.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/runs/{run.pk}/"
    assert 'data-testid="bell-count" hidden>0<' in client.get("/").content.decode()
    # someone else's notification cannot be opened
    other = data.client_for(organization, data.create_member(organization).user)
    assert other.post(f"/notifications/{note.pk}/open/").status_code == 404


def test_editors_add_change_and_delete_alerts_on_the_page(data, organization, owner, flow):
    editor = data.create_member(organization, role=Role.EDITOR).user
    client = data.client_for(organization, editor)
    assert client.get(f"/flows/{flow.pk}/alerts/").status_code == 200
    bad = client.post(f"/flows/{flow.pk}/alerts/", {"kind": "consecutive", "threshold": "0", "duration_seconds": "300", "in_app": "on"})
    assert bad.status_code == 400 and "Enter a whole number from 1 to 100." in bad.content.decode()
    saved = client.post(
        f"/flows/{flow.pk}/alerts/",
        {"kind": "consecutive", "threshold": "4", "duration_seconds": "300", "email": "on", "enabled": "on", "recipients": [editor.pk]},
    )
    assert saved.status_code == 302
    connection.set_tenant(organization)
    rule = AlertRule.objects.get()
    assert (rule.kind, rule.threshold, rule.in_app, rule.email, rule.recipient_ids) == ("consecutive", 4, False, True, [editor.pk])
    page = client.get(f"/flows/{flow.pk}/alerts/").content.decode()
    assert "After 4 failures in a row" in page
    changed = client.post(f"/flows/{flow.pk}/alerts/", {"rule": rule.pk, "kind": "failure", "in_app": "on", "enabled": "on"})
    assert changed.status_code == 302
    connection.set_tenant(organization)
    assert AlertRule.objects.get().kind == "failure"
    assert client.post(f"/flows/{flow.pk}/alerts/", {"rule": rule.pk, "action": "delete"}).status_code == 302
    connection.set_tenant(organization)
    assert not AlertRule.objects.exists()


def test_viewers_see_alerts_but_cannot_change_them(data, organization, flow):
    viewer = data.create_member(organization, role=Role.VIEWER).user
    client = data.client_for(organization, viewer)
    page = client.get(f"/flows/{flow.pk}/alerts/").content.decode()
    assert "Only editors, admins and owners can change alerts." in page
    client.post(f"/flows/{flow.pk}/alerts/", {"kind": "failure", "in_app": "on", "enabled": "on"})
    connection.set_tenant(organization)
    assert not AlertRule.objects.exists()
