"""The scripted sequence: one browser session that logs in with a stored website login, moves through pages and
reads what it finds into items (tests/browser/site.py is the portal)."""

import json
from dataclasses import asdict

from apps.flows.nodes.registry import registry
from tests.browser.helpers import LOG_IN, browse
from tests.browser.site import PASSWORD, ROWS


def recorded(reporter) -> str:
    return json.dumps([asdict(r) for r in reporter.results], default=str, ensure_ascii=False)


def test_logs_in_with_the_stored_login_and_reads_every_page_of_the_table(fresh_site):
    result, reporter = browse(
        "browser.sequence",
        url=fresh_site.url("/login"),
        credential="9",
        actions=[
            *LOG_IN,
            {"action": "wait", "target": "Welcome"},
            {"action": "extract_text", "find_by": "css", "target": "p", "name": "greeting"},
            {"action": "extract_table", "find_by": "css", "target": "#sales", "next_page": "Next", "name": "sales"},
        ],
    )
    assert result.status == "success", (result.error, result.error_detail)
    [item] = result.last_items
    assert item["greeting"] == "Welcome kim"
    assert item["sales"] == [{"Date": r["date"], "Branch": r["branch"], "Amount": r["amount"]} for r in ROWS]
    assert item["title"] == "Daily report" and item["url"].endswith("/reports?page=3")
    # The form was posted once with the login, and the session cookie carried the next pages.
    assert fresh_site.requests == ["/login", "/login", "/reports", "/reports?page=2", "/reports?page=3"]
    assert PASSWORD not in json.dumps(result.outputs, ensure_ascii=False) + recorded(reporter)


def test_table_rows_become_items_and_a_list_choice_and_late_text_are_waited_for(fresh_site):
    result, _ = browse(
        "browser.sequence",
        url=fresh_site.url("/login"),
        credential="9",
        rows_as_items=True,
        actions=[
            *LOG_IN,
            {"action": "select", "find_by": "label", "target": "Branch", "value": "부산 branch"},
            {"action": "extract_text", "find_by": "css", "target": "#chosen", "name": "chosen"},
            {"action": "extract_attribute", "find_by": "text", "target": "Download the daily report", "value": "href"},
            {"action": "extract_table"},
        ],
    )
    assert result.status == "success", (result.error, result.error_detail)
    assert [row["Branch"] for row in result.last_items] == ["강남", "부산", "대구"]  # the first page: no next-page button given
    late, _ = browse(
        "browser.sequence",
        actions=[
            {"action": "open", "value": fresh_site.url("/late-text")},
            {"action": "wait", "target": "Report ready"},
            {"action": "extract_all_text", "find_by": "css", "target": "p#status"},
        ],
    )
    assert late.status == "success", late.error
    assert late.last_items[0]["texts"] == ["Report ready"]


def test_what_a_site_shows_of_the_password_is_masked_in_run_data(fresh_site):
    wrong = {"9": {"type": "website_login", "data": {"username": "kim", "password": "typo-s3cret"}}}
    result, reporter = browse(
        "browser.sequence",
        url=fresh_site.url("/login"),
        credential="9",
        credentials=wrong,
        actions=[*LOG_IN, {"action": "extract_text", "find_by": "css", "target": "#error", "name": "error"}],
    )
    assert result.status == "success", result.error
    assert result.last_items[0]["error"] == "Wrong password “********” for kim"
    assert "typo-s3cret" not in recorded(reporter)


def test_an_action_that_finds_nothing_fails_with_its_number_and_what_it_looked_for(fresh_site):
    result, _ = browse(
        "browser.sequence",
        url=fresh_site.url("/login"),
        action_timeout_seconds=1,
        actions=[{"action": "click", "target": "Sign up"}],
    )
    assert result.status == "failed"
    assert result.error_code == "browser_timeout"
    assert result.error == "Action 2 (Click) gave up after 1 seconds: “Sign up” did not appear or could not be used."


def test_a_login_action_without_a_chosen_login_asks_for_one(fresh_site):
    result, _ = browse("browser.sequence", url=fresh_site.url("/login"), actions=LOG_IN[:1], credentials={})
    assert result.status == "failed" and result.error_code == "credential_missing"


def test_idempotent_only_when_every_action_only_reads():
    sequence = registry.get("browser.sequence")
    assert sequence.blocking and sequence.side_effects
    assert sequence.is_idempotent({"actions": [{"action": "open"}, {"action": "extract_table"}, {"action": "screenshot"}]})
    assert not sequence.is_idempotent({"actions": [{"action": "open"}, {"action": "click"}]})
    assert not sequence.is_idempotent({"actions": "{{ json.actions }}"})
    assert not registry.get("browser.click").is_idempotent({}) and registry.get("browser.click").side_effects
    assert all(step.blocking for step in registry.all() if step.key.startswith("browser."))
    assert not registry.get("browser.extract").side_effects and not registry.get("browser.screenshot").side_effects


def test_a_confirmation_is_answered_ok_and_a_new_tab_becomes_the_page(fresh_site):
    result, _ = browse(
        "browser.sequence",
        url=fresh_site.url("/popup"),
        actions=[
            {"action": "click", "target": "Send"},
            {"action": "wait", "target": "Sent"},
            {"action": "click", "target": "Open the status"},
            {"action": "wait", "target": "Report ready"},
        ],
    )
    assert result.status == "success", (result.error, result.error_detail)
    assert result.last_items[0]["dialogs"] == ["Send the report?"]
    assert result.last_items[0]["url"] == fresh_site.url("/late-text")
