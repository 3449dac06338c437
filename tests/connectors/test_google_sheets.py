"""Google sign-in and Google Sheets steps against a local fake of Google's OAuth2 and Sheets API v4, through the
engine with the product's host."""

import json
from urllib.parse import parse_qs, unquote, urlsplit

import httpx2
import pytest
from django.db import connection
from django.utils import translation

from apps.flows.error_text import engine_error_text
from apps.flows.host import FlowHost
from apps.flows.models import Credential
from apps.flows.nodes.registry import registry
from apps.flows.triggers.polling import PollingTriggerKind
from tests.connectors.conftest import run_step
from tests.connectors.fakes.google import CLIENT_ID, CLIENT_SECRET, SPREADSHEET_ID, FakeGoogle

URL = f"https://docs.google.com/spreadsheets/d/{SPREADSHEET_ID}/edit#gid=0"
ORDERS = [
    ["주문번호", "고객", "금액", "상태"],
    ["A-1", "김민지", "32000", "결제완료"],
    ["A-2", "이서준", "15000", "배송중"],
    ["", "", "", ""],
    ["A-3", "박지우", "8000", "결제완료"],
]


@pytest.fixture
def google(base_urls):
    with FakeGoogle() as fake:
        base_urls(google_auth=fake.url(""), google_oauth2=fake.url(""), google_sheets=fake.url(""))
        fake.add_spreadsheet({"주문 목록": [list(r) for r in ORDERS], "Sheet2": [["a"]]})
        yield fake


def connect(admin, organization, google) -> int:
    created = admin.post(
        "/api/v1/credentials",
        {"name": "Sheets", "type": "google_sheets", "data": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    credential_id = created.json()["id"]
    authorize = admin.post(f"/api/v1/credentials/{credential_id}/oauth2/authorize").json()["authorization_url"]
    query = parse_qs(urlsplit(authorize).query)
    assert urlsplit(authorize).path == "/o/oauth2/v2/auth"
    assert query["scope"] == ["https://www.googleapis.com/auth/spreadsheets"]
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert query["code_challenge_method"] == ["S256"]
    back = urlsplit(httpx2.get(authorize, follow_redirects=False).headers["location"])
    assert admin.get(f"{back.path}?{back.query}").status_code == 302
    connection.set_tenant(organization)
    assert Credential.objects.get(pk=credential_id).status == "connected"
    return credential_id


def step(organization, type_, credential_id, items=None, **params):
    return run_step(organization, type_, items, credential=str(credential_id), **params)


def test_rows_are_read_as_items_named_by_the_header_from_a_pasted_address(admin, organization, google):
    credential_id = connect(admin, organization, google)
    result = step(organization, "google_sheets.read_rows", credential_id, spreadsheet=URL, sheet="주문 목록")
    assert result.status == "success", result.error
    assert result.last_items == [
        {"주문번호": "A-1", "고객": "김민지", "금액": "32000", "상태": "결제완료", "row_number": 2},
        {"주문번호": "A-2", "고객": "이서준", "금액": "15000", "상태": "배송중", "row_number": 3},
        {"주문번호": "A-3", "고객": "박지우", "금액": "8000", "상태": "결제완료", "row_number": 5},
    ]
    request = google.values_requests()[-1]
    assert unquote(request["path"]) == f"/v4/spreadsheets/{SPREADSHEET_ID}/values/'주문 목록'"
    assert request["query"]["majorDimension"] == "ROWS"

    ranged = step(organization, "google_sheets.read_rows", credential_id, spreadsheet=SPREADSHEET_ID, sheet="주문 목록", range="B1:C")
    assert ranged.last_items[0] == {"고객": "김민지", "금액": "32000", "row_number": 2}


def test_rows_are_appended_in_column_order_as_if_typed(admin, organization, google):
    credential_id = connect(admin, organization, google)
    items = [{"주문번호": "A-4", "고객": "최유나", "금액": 12000, "메모": "not a column"}, {"주문번호": "A-5", "상태": "결제완료"}]
    result = step(organization, "google_sheets.append_rows", credential_id, items, spreadsheet=URL, sheet="주문 목록")
    assert result.status == "success", result.error
    post = [r for r in google.values_requests() if r["method"] == "POST"]
    assert len(post) == 1 and post[0]["path"].endswith(":append")
    assert post[0]["query"] == {"valueInputOption": "USER_ENTERED", "insertDataOption": "INSERT_ROWS"}
    assert json.loads(post[0]["body"])["values"] == [["A-4", "최유나", 12000, ""], ["A-5", "", "", "결제완료"]]
    assert google.sheet("주문 목록")[5:] == [["A-4", "최유나", "12000", ""], ["A-5", "", "", "결제완료"]]
    assert [i["sheets"]["row_number"] for i in result.last_items] == [6, 7]

    mapped = step(
        organization,
        "google_sheets.append_rows",
        credential_id,
        [{"name": "정하늘"}],
        spreadsheet=URL,
        sheet="주문 목록",
        values={"고객": "{{ json.name }}", "비고": "x"},
    )
    assert mapped.status == "failed" and mapped.error_code == "sheets_unknown_column"
    assert "비고" in mapped.error and "주문번호, 고객, 금액, 상태" in mapped.error
    assert len(google.sheet("주문 목록")) == 7  # nothing written


def test_a_row_found_by_a_column_value_or_its_number_is_updated_and_other_cells_stay(admin, organization, google):
    credential_id = connect(admin, organization, google)
    result = step(
        organization,
        "google_sheets.update_row",
        credential_id,
        spreadsheet=URL,
        sheet="주문 목록",
        column="주문번호",
        value="A-2",
        values={"상태": "배송완료"},
    )
    assert result.status == "success", result.error
    put = [r for r in google.values_requests() if r["method"] == "PUT"][-1]
    assert unquote(put["path"]).endswith("/values/'주문 목록'!A3:D3") and put["query"] == {"valueInputOption": "USER_ENTERED"}
    assert google.sheet("주문 목록")[2] == ["A-2", "이서준", "15000", "배송완료"]

    where = {"spreadsheet": URL, "sheet": "주문 목록"}
    by_number = step(
        organization, "google_sheets.update_row", credential_id, **where, find_by="row_number", row_number=5, values={"금액": "9000"}
    )
    assert by_number.status == "success", by_number.error
    assert google.sheet("주문 목록")[4] == ["A-3", "박지우", "9000", "결제완료"]

    missing = step(organization, "google_sheets.update_row", credential_id, **where, column="주문번호", value="Z-9", values={"상태": "x"})
    assert missing.status == "failed" and missing.error_code == "sheets_row_not_found" and "Z-9" in missing.error


def test_lookup_returns_the_matching_rows_for_each_item(admin, organization, google):
    credential_id = connect(admin, organization, google)
    result = step(
        organization,
        "google_sheets.lookup_rows",
        credential_id,
        [{"s": "결제완료"}, {"s": "배송중"}],
        spreadsheet=URL,
        sheet="주문 목록",
        column="상태",
        value="{{ json.s }}",
    )
    assert result.status == "success", result.error
    assert [i["주문번호"] for i in result.last_items] == ["A-1", "A-3", "A-2"]
    assert len([r for r in google.values_requests() if r["method"] == "GET"]) == 1  # the sheet is read once
    wrong = step(organization, "google_sheets.lookup_rows", credential_id, spreadsheet=URL, sheet="주문 목록", column="Status", value="x")
    assert wrong.error_code == "sheets_unknown_column"


def test_an_expired_token_is_refreshed_with_the_refresh_token_google_keeps(admin, organization, google):
    credential_id = connect(admin, organization, google)
    for _ in range(2):  # Google answers a refresh without a new refresh token: the kept one must work again
        google.expire_access_tokens()
        result = step(organization, "google_sheets.read_rows", credential_id, spreadsheet=URL, sheet="Sheet2")
        assert result.status == "success", result.error
        assert google.oauth.token_requests[-1]["grant_type"] == "refresh_token"
    assert [r["path"] for r in google.requests[-3:]][1] == "/token"

    google.expire_access_tokens()
    google.oauth.revoke_refresh_tokens()
    failed = step(organization, "google_sheets.read_rows", credential_id, spreadsheet=URL, sheet="Sheet2")
    assert failed.status == "failed" and failed.error_code == "credential_reconnect", failed.error
    assert Credential.objects.get(pk=credential_id).status == "needs_reconnect"


def test_google_errors_are_said_in_words(admin, organization, google):
    credential_id = connect(admin, organization, google)
    google.shared.discard(SPREADSHEET_ID)
    denied = step(organization, "google_sheets.read_rows", credential_id, spreadsheet=URL)
    assert denied.status == "failed" and denied.error_code == "google_permission_denied"
    assert "PERMISSION_DENIED" in denied.error and "shared" in denied.error
    with translation.override("ko"):
        korean = engine_error_text(denied.error, denied.error_args)
    assert "PERMISSION_DENIED" in korean and "공유되어 있는지" in korean
    google.shared.add(SPREADSHEET_ID)

    gone = step(organization, "google_sheets.read_rows", credential_id, spreadsheet="1" + "x" * 43)
    assert gone.error_code == "google_not_found" and "NOT_FOUND" in gone.error
    bad_sheet = step(organization, "google_sheets.read_rows", credential_id, spreadsheet=URL, sheet="없는 시트")
    assert bad_sheet.error_code == "google_bad_request" and "Unable to parse range" in bad_sheet.error
    not_a_sheet = step(organization, "google_sheets.read_rows", credential_id, spreadsheet="https://example.com/doc")
    assert not_a_sheet.error_code == "bad_spreadsheet" and "docs.google.com/spreadsheets" in not_a_sheet.error

    exhausted = {"error": {"code": 429, "message": "Quota exceeded for quota metric 'Read requests'", "status": "RESOURCE_EXHAUSTED"}}
    google.next_answers = [(429, {"Retry-After": "0"}, exhausted)]
    waited = step(organization, "google_sheets.read_rows", credential_id, spreadsheet=URL, sheet="Sheet2")
    assert waited.status == "success", waited.error
    google.next_answers = [(429, {"Retry-After": "60"}, exhausted)]
    limited = step(organization, "google_sheets.read_rows", credential_id, spreadsheet=URL, sheet="Sheet2")
    assert limited.status == "failed" and limited.error_code == "rate_limited" and "60" in limited.error


def test_the_polling_trigger_reports_new_and_changed_rows_once(admin, organization, google):
    credential_id = connect(admin, organization, google)
    trigger = registry.get("google_sheets.new_or_updated_row")
    kind = PollingTriggerKind()
    parameters = {"credential": str(credential_id), "spreadsheet": URL, "sheet": "주문 목록", "interval_minutes": 5}
    assert kind.validate({"parameters": parameters}) == []
    assert kind.validate({"parameters": {**parameters, "interval_minutes": 0}})[0].code == "bad_poll_interval"
    host = FlowHost(organization=organization)

    def poll(state):
        return kind.new_items(trigger.poll(parameters, state, host), state, trigger.dedupe_key)

    first, state = poll({})
    assert first == []  # what is there when the flow is switched on does not start it
    google.sheet("주문 목록").append(["A-4", "최유나", "12000", "결제완료"])
    google.sheet("주문 목록")[1][3] = "환불"
    fresh, state = poll(state)
    assert [(i["주문번호"], i["상태"], i["row_number"]) for i in fresh] == [("A-1", "환불", 2), ("A-4", "결제완료", 6)]
    again, state = poll(state)
    assert again == []
    del google.sheet("주문 목록")[3]  # an empty row removed: rows move up but did not change
    moved, _ = poll(state)
    assert moved == []
