"""A person's notifications: only their own, marked read one at a time or all at once."""

from django.db import connection

from apps.notifications.models import Notification
from tests.notifications.conftest import notified_failure


def test_people_see_and_mark_their_own_notifications(data, organization, owner, flow):
    run = notified_failure(flow, owner)
    api = data.api_client(organization, data.create_token(organization, owner))
    listed = api.get("/api/v1/notifications").json()
    assert listed["count"] == 1 and listed["unread"] == 1
    note = listed["results"][0]
    assert note["title"] == "“Orders sync” failed" and note["url"] == f"/runs/{run.pk}/" and note["read"] is False
    assert "At step “bad”" in note["message"]

    stranger = data.editor_api(organization)  # an editor who is not a recipient
    assert stranger.get("/api/v1/notifications").json()["count"] == 0
    assert stranger.post(f"/api/v1/notifications/{note['id']}/read").status_code == 404

    assert api.post(f"/api/v1/notifications/{note['id']}/read").json()["read"] is True
    assert api.get("/api/v1/notifications?unread=true").json() == {"count": 0, "next": None, "previous": None, "results": [], "unread": 0}
    connection.set_tenant(organization)
    Notification.objects.update(read_at=None)
    assert api.post("/api/v1/notifications/read-all").json() == {"marked": 1, "unread": 0}


def test_notifications_of_another_organization_stay_there(data, organization, owner, flow):
    notified_failure(flow, owner)
    other = data.create_organization(slug=data.unique("other"))
    # the same person, a member elsewhere too, sees nothing of this organization there
    data.create_member(other, user=owner)
    api = data.api_client(other, data.create_token(other, owner))
    assert api.get("/api/v1/notifications").json()["count"] == 0
