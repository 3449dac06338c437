"""Alert rules decide, group, rate-limit and deliver alerts from the runs in the database."""

import datetime as dt

from django.utils import timezone

from apps.accounts.roles import Role
from apps.flows.models import Flow
from apps.notifications.models import AlertGroup, Notification
from apps.notifications.services.alerts import alerts_check_long_runs, alerts_evaluate_run, alerts_flush_pending, error_fingerprint
from apps.runs.models import Run
from tests.notifications.conftest import failure_rule, finished_run


def rule(flow, owner, **values):
    return failure_rule(flow, owner, **{"email": True, **values})


def evaluate(run):
    return alerts_evaluate_run(run_id=run.pk)


def test_every_failure_notifies_owner_and_admins_in_app_and_by_email(data, organization, owner, flow, mailbox):
    admin = data.create_member(organization, role=Role.ADMIN).user
    editor = data.create_member(organization, role=Role.EDITOR).user
    rule(flow, owner)
    run = finished_run(flow)
    evaluate(run)
    notes = Notification.objects.order_by("user_id")
    assert [n.user_id for n in notes] == sorted([owner.pk, admin.pk])  # the editor did not create the flow
    assert {n.run_id for n in notes} == {run.pk} and notes[0].error_node_id == "bad"
    assert sorted(m.to[0] for m in mailbox) == sorted([owner.email, admin.email])
    assert editor.email not in [m.to[0] for m in mailbox]
    assert mailbox[0].subject == "[EZFlow] “Orders sync” failed"
    assert f"http://{organization.host}:8000/runs/{run.pk}/" in mailbox[0].body
    assert Notification.objects.filter(delivery__email__status="sent").count() == 2


def test_successes_and_cancelled_runs_do_not_alert(organization, owner, flow, mailbox):
    rule(flow, owner)
    evaluate(finished_run(flow, "success"))
    evaluate(finished_run(flow, "cancelled"))
    evaluate(finished_run(flow, "failed", trigger="test"))  # a test from the editor
    assert Notification.objects.count() == 0 and mailbox == []


def test_the_flow_creator_and_chosen_people_receive_alerts(data, organization, owner, flow, mailbox):
    creator = data.create_member(organization, role=Role.EDITOR).user
    chosen = data.create_member(organization, role=Role.VIEWER).user
    flow.created_by = creator
    flow.save()
    rule(flow, owner, email=False)
    evaluate(finished_run(flow))
    assert set(Notification.objects.values_list("user_id", flat=True)) == {owner.pk, creator.pk}
    Notification.objects.all().delete()
    AlertGroup.objects.all().delete()
    flow.alert_rules.update(recipient_ids=[chosen.pk])
    evaluate(finished_run(flow))
    assert list(Notification.objects.values_list("user_id", flat=True)) == [chosen.pk]
    assert mailbox == []


def test_failures_in_a_row_reset_after_a_success(organization, owner, flow, mailbox):
    rule(flow, owner, kind="consecutive", threshold=3, email=False)
    for _ in range(2):
        evaluate(finished_run(flow))
    assert Notification.objects.count() == 0
    evaluate(finished_run(flow))
    note = Notification.objects.get()
    assert note.kind == "consecutive" and note.details["streak"] == 3
    evaluate(finished_run(flow))  # the fourth joins the same alert
    note.refresh_from_db()
    assert Notification.objects.count() == 1 and note.count == 2 and note.details["streak"] == 4
    evaluate(finished_run(flow, "success"))
    for _ in range(2):
        evaluate(finished_run(flow))
    assert Notification.objects.count() == 1  # two in a row after the success: not yet
    evaluate(finished_run(flow))
    assert Notification.objects.count() == 2  # a new streak is a new alert


def test_slow_runs_alert_when_they_finish_and_while_still_running(organization, owner, flow, mailbox):
    rule(flow, owner, kind="duration", duration_seconds=60, email=False)
    evaluate(finished_run(flow, "success", seconds=30))
    assert Notification.objects.count() == 0
    slow = finished_run(flow, "success", seconds=90)
    evaluate(slow)
    note = Notification.objects.get()
    assert note.kind == "duration" and note.run_id == slow.pk
    assert note.details == {"seconds": 60}

    running = Run.objects.create(flow=flow, graph={}, status="running", started_at=timezone.now() - dt.timedelta(seconds=120))
    assert alerts_check_long_runs() == 1
    assert alerts_check_long_runs() == 0  # once per run
    Run.objects.filter(pk=running.pk).update(status="success", finished_at=timezone.now())
    evaluate(Run.objects.get(pk=running.pk))
    assert Notification.objects.get().count == 2  # the same alert, counted once for that run


def test_the_same_cause_is_grouped_and_email_is_rate_limited(organization, owner, flow, mailbox, settings):
    settings.EZFLOW_ALERT_WINDOW_SECONDS = 900
    rule(flow, owner)
    evaluate(finished_run(flow, error="Division by zero in row 12"))
    evaluate(finished_run(flow, error="Division by zero in row 40"))  # same node, same message apart from a number
    evaluate(finished_run(flow, error="Division by zero in row 41"))
    note = Notification.objects.get()
    assert note.count == 3 and note.read_at is None
    assert len(mailbox) == 1  # the first one only, within the window
    evaluate(finished_run(flow, error="Timeout talking to the ERP"))  # another cause: its own alert and email
    assert Notification.objects.count() == 2 and len(mailbox) == 2

    # After the window the held-back ones are reported with the next message ...
    AlertGroup.objects.update(last_sent_at=timezone.now() - dt.timedelta(seconds=901))
    evaluate(finished_run(flow, error="Division by zero in row 77"))
    assert len(mailbox) == 3
    assert "2 more alerts like this since" in mailbox[2].body
    assert "(4 times)" in mailbox[2].subject


def test_held_back_alerts_are_sent_when_the_window_ends(organization, owner, flow, mailbox):
    rule(flow, owner)
    evaluate(finished_run(flow))
    evaluate(finished_run(flow))
    assert len(mailbox) == 1 and alerts_flush_pending() == 0
    AlertGroup.objects.update(last_sent_at=timezone.now() - dt.timedelta(seconds=901))
    assert alerts_flush_pending() == 1
    assert len(mailbox) == 2 and "1 more alert like this since" in mailbox[1].body
    assert alerts_flush_pending() == 0


def test_a_reading_person_sees_a_repeated_alert_as_unread_again(organization, owner, flow, mailbox):
    rule(flow, owner, email=False)
    evaluate(finished_run(flow))
    Notification.objects.update(read_at=timezone.now())
    evaluate(finished_run(flow))
    assert Notification.objects.get().read_at is None


def test_the_flow_is_switched_off_after_failures_in_a_row_with_a_notification(organization, owner, flow, mailbox):
    rule(flow, owner, kind="failure", in_app=False, email=False, deactivate_after=2)
    evaluate(finished_run(flow))
    assert Flow.objects.get(pk=flow.pk).active
    evaluate(finished_run(flow))
    assert not Flow.objects.get(pk=flow.pk).active
    note = Notification.objects.get()
    assert note.kind == "deactivated" and note.user_id == owner.pk and note.details == {"streak": 2}
    assert len(mailbox) == 1 and mailbox[0].subject == "[EZFlow] Flow “Orders sync” was switched off after 2 failures in a row"
    evaluate(finished_run(flow))
    assert Notification.objects.count() == 1  # already off: said once


def test_a_run_is_reported_once_even_if_the_check_runs_twice(organization, owner, flow, mailbox):
    rule(flow, owner)
    run = finished_run(flow)
    evaluate(run)
    evaluate(run)
    assert Notification.objects.get().count == 1 and len(mailbox) == 1


def test_a_failed_run_is_checked_through_the_queue_after_it_finishes(
    organization, owner, flow, mailbox, eager_tasks, django_capture_on_commit_callbacks
):
    from apps.runs.services.runs import run_create, run_execute

    rule(flow, owner)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_execute(run_id=run_create(flow=flow, trigger="manual", items=[{"divisor": 0}]).pk)
    assert run.status == "failed"
    assert Notification.objects.get().run_id == run.pk and len(mailbox) == 1


def test_fingerprints_ignore_numbers_and_quoted_values():
    one = error_fingerprint(kind="failure", node_id="n", message="No row “A-17” in sheet 3")
    assert one == error_fingerprint(kind="failure", node_id="n", message="No row “B-99” in sheet 4")
    assert one != error_fingerprint(kind="failure", node_id="other", message="No row “A-17” in sheet 3")


def test_the_periodic_check_visits_every_organization(organization, owner, flow, mailbox):
    from apps.notifications.services.alerts import alerts_periodic_all

    rule(flow, owner, kind="duration", duration_seconds=60)
    Run.objects.create(flow=flow, graph={}, status="running", started_at=timezone.now() - dt.timedelta(minutes=5))
    alerts_periodic_all()
    assert len(mailbox) == 1 and "ran longer than 1 minute" in mailbox[0].subject
    assert "The run is still going." in mailbox[0].body


def test_old_notifications_are_pruned(organization, owner, flow, mailbox):
    from apps.notifications.services.alerts import notifications_prune

    rule(flow, owner, email=False)
    evaluate(finished_run(flow))
    assert notifications_prune() == 0
    assert notifications_prune(now=timezone.now() + dt.timedelta(days=91)) == 1
    assert not Notification.objects.exists() and not AlertGroup.objects.exists()
