"""The editor panel's conversations: kept per person and flow, follow-ups against the editor's graph, apply state,
roles, rate limit, translated errors, and no way into another organization's flows or another person's turns."""

import pytest
from django.db import connection

from apps.accounts.roles import Role
from apps.assistant.models import Conversation, Turn
from apps.flows.services.flows import flow_create

FLAGSHIP = "매일 아침 9시에 네이버 뉴스에서 '자동화'를 검색해서 슬랙으로 보내줘"


@pytest.fixture
def organization(data):
    organization = data.create_organization()
    organization.time_zone = "Asia/Seoul"
    organization.save()
    connection.set_tenant(organization)
    return organization


def path(flow, suffix=""):
    return f"/api/v1/assistant/flows/{flow.pk}/conversation{suffix}"


def member_api(data, organization, role=Role.EDITOR):
    member = data.create_member(organization, role=role)
    return member.user, data.api_client(organization, data.create_token(organization, member.user))


def test_a_conversation_drafts_then_edits_the_current_graph_and_is_kept(data, organization):
    user, api = member_api(data, organization)
    flow = flow_create(user=user, name="뉴스")
    first = api.post(path(flow), {"prompt": FLAGSHIP}, content_type="application/json")
    assert first.status_code == 201, first.json()
    turn = first.json()
    assert turn["state"] == "proposed" and turn["engine"] == "offline" and turn["notice"] == ""
    assert turn["graph_before"] == flow.draft and [c["action"] for c in turn["changes"]] == ["added"] * 3
    assert any(m["code"] == "connect" and m["credential_type"] == "slack_webhook" for m in turn["missing"])

    # A hand-built graph in the editor (not saved yet) is what the follow-up changes.
    hand_built = {
        "nodes": [
            {"id": "start", "name": "Start", "type": "trigger.manual", "parameters": {}, "position": [0, 0]},
            {
                "id": "mail",
                "name": "메일",
                "type": "net.email",
                "parameters": {"to": "a@example.com", "subject": "s", "text": "t"},
                "position": [300, 0],
            },
        ],
        "edges": [{"source": "start", "target": "mail", "source_port": "main", "target_port": "main"}],
    }
    second = api.post(path(flow), {"prompt": "메일 빼줘", "graph": hand_built}, content_type="application/json").json()
    assert second["graph_before"] == hand_built
    assert [(c["action"], c["node_id"]) for c in second["changes"]] == [("removed", "mail")]
    assert [n["id"] for n in second["graph"]["nodes"]] == ["start"]

    applied = api.post(path(flow, f"/turns/{turn['id']}/state"), {"state": "applied"}, content_type="application/json")
    assert applied.status_code == 200 and applied.json()["state"] == "applied"
    listed = api.get(path(flow)).json()["turns"]
    assert [t["id"] for t in listed] == [turn["id"], second["id"]] and listed[0]["state"] == "applied"

    # Another editor of the same organization has a conversation of their own and cannot touch this one's turns.
    _other, other_api = member_api(data, organization)
    assert other_api.get(path(flow)).json() == {"turns": []}
    assert other_api.post(path(flow, f"/turns/{turn['id']}/state"), {"state": "undone"}, content_type="application/json").status_code == 404

    assert api.delete(path(flow)).status_code == 204
    assert api.get(path(flow)).json() == {"turns": []} and not Conversation.objects.exists()


def test_viewers_may_ask_but_not_apply(data, organization):
    user, api = member_api(data, organization, role=Role.VIEWER)
    flow = flow_create(user=data.owner_of(organization), name="f")
    asked = api.post(path(flow), {"prompt": FLAGSHIP}, content_type="application/json")
    assert asked.status_code == 201
    refused = api.post(path(flow, f"/turns/{asked.json()['id']}/state"), {"state": "applied"}, content_type="application/json")
    assert refused.status_code == 403 and Turn.objects.get().state == "proposed"


def test_bad_input_is_a_translated_400_and_unknown_flows_404(data, organization):
    _user, api = member_api(data, organization)
    flow = flow_create(user=data.owner_of(organization), name="f")
    for body in ({}, {"prompt": " "}, {"prompt": "x" * 2001}, {"prompt": "hi", "graph": {"nodes": 3}}):
        answer = api.post(path(flow), body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ko")
        assert answer.status_code == 400, (body, answer.content)
    korean = api.post(path(flow), {"prompt": "  "}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ko")
    assert any("가" <= ch <= "힣" for ch in str(korean.json()))
    turn = api.post(path(flow), {"prompt": FLAGSHIP}, content_type="application/json").json()
    assert api.post(path(flow, f"/turns/{turn['id']}/state"), {"state": "eaten"}, content_type="application/json").status_code == 400
    assert api.get("/api/v1/assistant/flows/999999/conversation").status_code == 404


def test_rate_limit_counts_conversation_turns(data, organization, settings):
    settings.EZFLOW_ASSISTANT_DRAFTS_PER_MINUTE = 1
    user, api = member_api(data, organization)
    flow = flow_create(user=user, name="f")
    assert api.post(path(flow), {"prompt": FLAGSHIP}, content_type="application/json").status_code == 201
    refused = api.post(path(flow), {"prompt": FLAGSHIP}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ko")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert Turn.objects.count() == 1


def test_another_organization_cannot_read_or_write_the_conversation(data, organization):
    user, api = member_api(data, organization)
    flow = flow_create(user=user, name="f")
    turn = api.post(path(flow), {"prompt": FLAGSHIP}, content_type="application/json").json()

    other = data.create_organization()
    outsider = data.create_member(other, role=Role.OWNER)
    token = data.create_token(other, outsider.user)
    # Their token on this organization's host: refused.
    stranger = data.api_client(organization, token)
    assert stranger.get(path(flow)).status_code in (401, 403)
    assert stranger.post(path(flow), {"prompt": "x"}, content_type="application/json").status_code in (401, 403)
    # On their own host the same ids name nothing of ours.
    connection.set_tenant(other)
    own = data.api_client(other, token)
    assert own.get(path(flow)).status_code == 404
    assert own.post(path(flow, f"/turns/{turn['id']}/state"), {"state": "undone"}, content_type="application/json").status_code == 404
    connection.set_tenant(organization)
    assert Turn.objects.get().state == "proposed"


def test_the_start_page_opens_the_editor_with_the_first_turn_applied(data, organization):
    member = data.create_member(organization, role=Role.EDITOR)
    client = data.client_for(organization, member.user)
    for page in ("/", "/flows/"):
        assert 'data-testid="assistant-box"' in client.get(page, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    viewer = data.create_member(organization, role=Role.VIEWER)
    assert 'data-testid="assistant-box"' not in data.client_for(organization, viewer.user).get("/").content.decode()
    answer = client.post("/assistant/", {"prompt": FLAGSHIP})
    turn = Turn.objects.get()
    assert answer["Location"] == f"/flows/{turn.conversation.flow_id}/edit/?assistant=1"
    assert turn.state == "applied" and turn.graph_before == {"nodes": [], "edges": []} and turn.conversation.user == member.user
