"""The new-email trigger against a local IMAP server (tests/connectors/fakes/imap.py), through the runs app's poller:
UID/UIDVALIDITY state, no repeats after a restart, parsed subject/from/text/html and attachments."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from apps.core.models import PollEntry
from apps.files.models import StoredFile
from apps.files.refs import is_file_ref
from apps.files.services import file_read
from apps.flows.credential_kinds import get as credential_kind
from apps.flows.engine.errors import NodeError
from apps.flows.services.flows import flow_create, flow_publish, flow_set_active
from apps.runs.models import Run
from apps.runs.services.polling import polling_tick
from tests.connectors.conftest import credential
from tests.connectors.fakes.imap import FakeImap, make_message
from tests.flows.graphs import edge, node


@pytest.fixture
def imap():
    with FakeImap() as fake:
        yield fake


def mailbox(fake, **extra):
    return {"host": "127.0.0.1", "port": str(fake.port), "username": fake.user, "password": fake.password, "security": "none", **extra}


def mail_flow(organization, owner, fake, **parameters):
    mailbox_id = credential(organization, owner, "imap", mailbox(fake)).pk
    graph = {
        "nodes": [
            node("mail", "imap.new_email", "New email", credential=mailbox_id, interval_minutes=5, **parameters),
            node("n", "flow.noop", "Do"),
        ],
        "edges": [edge("mail", "n")],
    }
    flow = flow_create(user=None, name="Mail", graph=graph)
    flow_publish(flow=flow, user=None)
    return flow_set_active(flow=flow, active=True)


def tick(organization, at):
    result = polling_tick(now=at)
    connection.set_tenant(organization)
    return result


def runs_of(flow):
    return [[item["subject"] for item in run.input_items] for run in Run.objects.filter(flow=flow).order_by("pk")]


def test_new_emails_start_a_run_with_their_parts_and_are_not_repeated(organization, owner, imap):
    imap.deliver(make_message(subject="이미 있던 메일"))
    flow = mail_flow(organization, owner, imap)
    now = timezone.now() + dt.timedelta(seconds=1)
    assert tick(organization, now) == {"started": 0, "failed": 0}  # what was there before starts nothing
    imap.deliver(
        make_message(
            subject="견적서 보내드립니다",
            text="안녕하세요,\n견적서를 첨부합니다.",
            html="<p>안녕하세요,<br>견적서를 첨부합니다.</p>",
            attachments=[("견적서.pdf", "application/pdf", b"%PDF-1.4 test"), ("data.csv", "text/csv", b"a,b\n1,2\n")],
        )
    )
    imap.deliver(make_message(subject="두 번째"))
    assert tick(organization, now + dt.timedelta(minutes=6))["started"] == 1
    run = Run.objects.get(flow=flow)
    first, second = run.input_items
    assert (first["subject"], second["subject"]) == ("견적서 보내드립니다", "두 번째")
    assert first["from"] == {"name": "김민지", "address": "minji@example.com"}
    assert first["to"] == [{"name": "", "address": "ops@example.com"}]
    assert first["text"].startswith("안녕하세요,\n견적서를") and "<br>" in first["html"]
    assert first["date"] == "2026-12-07T09:30:00+09:00" and (first["uid"], first["uidvalidity"]) == (2, imap.uidvalidity)
    pdf, csv = first["attachments"]
    assert (pdf["name"], pdf["mime_type"], pdf["size"]) == ("견적서.pdf", "application/pdf", 13) and is_file_ref(pdf)
    assert file_read(csv) == b"a,b\n1,2\n" and csv["mime_type"] == "text/csv"
    # Saved before the run existed, they now belong to it (kept and pruned with it).
    assert {stored.run_id for stored in StoredFile.objects.filter(pk__in=[pdf["$file"], csv["$file"]])} == {run.pk}
    assert "stub" not in first
    # Read with BODY.PEEK[]: nothing marked as read; asked only for UIDs above the highest seen.
    assert any("UID SEARCH UID 2:*" in command or "SEARCH UID 2:*" in command for command in imap.commands)
    assert not any("STORE" in command for command in imap.commands)
    assert tick(organization, now + dt.timedelta(minutes=12))["started"] == 0  # n:* answers the highest UID: not repeated
    imap.deliver(make_message(subject="세 번째"))
    assert tick(organization, now + dt.timedelta(minutes=18))["started"] == 1
    assert runs_of(flow) == [["견적서 보내드립니다", "두 번째"], ["세 번째"]]


def test_a_renumbered_mailbox_starts_nothing_and_then_continues(organization, owner, imap):
    flow = mail_flow(organization, owner, imap)
    now = timezone.now() + dt.timedelta(seconds=1)
    tick(organization, now)  # an empty mailbox: its identity is remembered
    imap.deliver(make_message(subject="하나"))
    assert tick(organization, now + dt.timedelta(minutes=6))["started"] == 1
    imap.rebuild()  # new UIDVALIDITY: UID 1 is another message now
    assert tick(organization, now + dt.timedelta(minutes=12))["started"] == 0
    imap.deliver(make_message(subject="둘"))
    assert tick(organization, now + dt.timedelta(minutes=18))["started"] == 1
    assert runs_of(flow) == [["하나"], ["둘"]]
    assert PollEntry.objects.get(flow_id=flow.pk).state["uidvalidity"] == imap.uidvalidity


def test_unread_only_and_a_refused_password_backs_off(organization, owner, imap):
    flow = mail_flow(organization, owner, imap, unread_only=True)
    now = timezone.now() + dt.timedelta(seconds=1)
    tick(organization, now)
    imap.deliver(make_message(subject="읽음"), seen=True)
    imap.deliver(make_message(subject="안 읽음"))
    assert tick(organization, now + dt.timedelta(minutes=6))["started"] == 1
    assert runs_of(flow) == [["안 읽음"]]
    imap.password = "changed"
    imap.deliver(make_message(subject="나중"))
    assert tick(organization, now + dt.timedelta(minutes=12))["failed"] == 1
    entry = PollEntry.objects.get(flow_id=flow.pk)
    assert "refused the sign-in" in entry.last_error and entry.failures == 1


def test_the_connection_test_and_the_network_policy(imap):
    kind = credential_kind("imap")
    assert kind.test(mailbox(imap), allow_hosts=["127.0.0.1"]).ok
    wrong = kind.test(mailbox(imap, password="nope"), allow_hosts=["127.0.0.1"])
    assert not wrong.ok and "AUTHENTICATIONFAILED" in wrong.message
    assert "internal address" in kind.test(mailbox(imap), allow_hosts=[]).message


def test_an_attachment_over_the_file_limit_is_named_but_not_stored_and_the_email_still_starts(organization, owner, imap):
    organization.file_max_bytes = 10
    organization.save()
    flow = mail_flow(organization, owner, imap)
    now = timezone.now() + dt.timedelta(seconds=1)
    tick(organization, now)
    imap.deliver(
        make_message(subject="큰 첨부", attachments=[("big.pdf", "application/pdf", b"x" * 11), ("ok.txt", "text/plain", b"small")])
    )
    assert tick(organization, now + dt.timedelta(minutes=6))["started"] == 1
    big, small = Run.objects.get(flow=flow).input_items[0]["attachments"]
    assert big["$file"] is None and big["size"] == 11 and big["error"] and not is_file_ref(big)
    assert file_read(small) == b"small"


def test_a_gmail_mailbox_signs_in_with_a_google_connection_over_xoauth2(organization, owner, base_urls):
    from apps.connectors.catalog.imap import GMAIL_IMAP

    with FakeImap(user="ops@gmail.example", access_token="ya29.fresh-token") as fake:
        base_urls(**{GMAIL_IMAP: f"imap://127.0.0.1:{fake.port}"})
        fake.deliver(make_message(subject="before"))
        tokens = {"access_token": "ya29.fresh-token", "refresh_token": "1//r", "token_type": "Bearer", "expires_at": 4102444800}
        google = credential(organization, owner, "google_imap", {"client_id": "cid", "client_secret": "cs"}, tokens=tokens)
        graph = {
            "nodes": [
                node(
                    "mail",
                    "imap.new_email",
                    "New email",
                    authentication="google_imap",
                    google_credential=google.pk,
                    email_address="ops@gmail.example",
                    interval_minutes=5,
                ),
                node("n", "flow.noop", "Do"),
            ],
            "edges": [edge("mail", "n")],
        }
        flow = flow_create(user=None, name="Gmail", graph=graph)
        flow_publish(flow=flow, user=None)
        flow = flow_set_active(flow=flow, active=True)
        now = timezone.now() + dt.timedelta(seconds=1)
        tick(organization, now)
        fake.deliver(make_message(subject="주문 접수"))
        tick(organization, now + dt.timedelta(minutes=6))
        assert runs_of(flow) == [["주문 접수"]]
        assert "LOGIN" not in fake.commands  # no password was sent
        assert fake.xoauth2[-1] == {"user": "ops@gmail.example", "auth": "Bearer ya29.fresh-token"}
        assert credential_kind("google_imap").scopes == ("https://mail.google.com/",)


def test_a_refused_google_sign_in_says_to_reconnect(organization, owner, base_urls):
    from apps.connectors.catalog.imap import imap_session

    with FakeImap(user="ops@gmail.example", access_token="ya29.other") as fake:
        settings = {"host": "127.0.0.1", "port": str(fake.port), "security": "none", "username": "ops@gmail.example"}
        with pytest.raises(NodeError) as refused:
            imap_session(settings, allow_hosts=["127.0.0.1"], oauth2_token="ya29.expired")
        assert refused.value.code == "imap_login_refused" and "reconnect the Google connection" in refused.value.template
        assert "AUTHENTICATIONFAILED" in refused.value.values["reason"]
