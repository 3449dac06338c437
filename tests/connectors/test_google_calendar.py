"""Google Calendar create and find against a local fake of Calendar API v3, in the organization's time zone."""

import pytest

from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.google import CLIENT_ID, CLIENT_SECRET, FakeGoogle


@pytest.fixture
def google(base_urls):
    with FakeGoogle() as fake:
        base_urls(google_auth=fake.url(""), google_oauth2=fake.url(""), google_calendar=fake.url(""))
        yield fake


@pytest.fixture
def calendar_credential(organization, owner, google):
    google.oauth.access_tokens["ya29.cal"] = 4102444800.0
    tokens = {"access_token": "ya29.cal", "refresh_token": "1//r", "token_type": "Bearer", "expires_at": 4102444800}
    data = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    return str(credential(organization, owner, "google_calendar", data, tokens=tokens).pk)


def test_an_event_typed_in_local_time_is_created_in_the_organizations_zone_and_found_again(organization, google, calendar_credential):
    organization.time_zone = "Europe/London"  # not the default, and +00:00 in December
    organization.save()
    created = run_step(
        organization,
        "google_calendar.create_event",
        [{"who": "minji@example.com"}],
        credential=calendar_credential,
        title="주간 회의",
        start="2026.12.8 14:30",
        duration_minutes=30,
        location="3층 회의실",
        attendees="{{ json.who }}, team@example.com",
    )
    assert created.status == "success", created.error
    sent = google.calendars["primary"][0]
    assert sent["start"] == {"dateTime": "2026-12-08T14:30:00+00:00", "timeZone": "Europe/London"}
    assert sent["end"] == {"dateTime": "2026-12-08T15:00:00+00:00", "timeZone": "Europe/London"}
    assert sent["attendees"] == [{"email": "minji@example.com"}, {"email": "team@example.com"}]
    assert created.last_items[0]["title"] == "주간 회의" and created.last_items[0]["link"].startswith("https://")

    all_day = run_step(
        organization, "google_calendar.create_event", credential=calendar_credential, title="창립기념일", start="2026-12-10", all_day=True
    )
    assert all_day.status == "success", all_day.error
    assert google.calendars["primary"][1]["start"] == {"date": "2026-12-10"} and google.calendars["primary"][1]["end"] == {
        "date": "2026-12-11"
    }

    found = run_step(
        organization, "google_calendar.find_events", credential=calendar_credential, **{"from": "2026-12-08 00:00", "to": "2026-12-09"}
    )
    assert found.status == "success", found.error
    assert [e["title"] for e in found.last_items] == ["주간 회의"]
    listed = google.requests[-1]["query"]
    assert listed["timeMin"] == "2026-12-08T00:00:00+00:00" and listed["timeMax"] == "2026-12-09T00:00:00+00:00"
    assert listed["singleEvents"] == "true" and listed["orderBy"] == "startTime" and listed["timeZone"] == "Europe/London"


def test_wrong_times_and_unknown_calendars_are_said_in_words(organization, google, calendar_credential):
    bad = run_step(organization, "google_calendar.create_event", credential=calendar_credential, title="x", start="다음 주 화요일")
    assert bad.status == "failed" and bad.error_code == "bad_time" and "2026-12-08 14:30" in bad.error
    backwards = run_step(
        organization,
        "google_calendar.create_event",
        credential=calendar_credential,
        title="x",
        start="2026-12-08 10:00",
        end="2026-12-08 09:00",
    )
    assert backwards.error_code == "bad_time_range"
    missing = run_step(
        organization, "google_calendar.find_events", credential=calendar_credential, calendar_id="team@group.calendar.google.com"
    )
    assert missing.status == "failed" and missing.error_code == "google_not_found" and "Google Calendar" in missing.error
    assert google.calendars["primary"] == []
