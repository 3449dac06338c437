"""Airtable list, create and update against a local fake of the Airtable Web API, through the engine."""

import json

import pytest

from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.airtable import BASE, READ_ONLY, TABLE, TOKEN, FakeAirtable


@pytest.fixture
def airtable(base_urls):
    with FakeAirtable() as fake:
        base_urls(airtable=fake.url(""))
        yield fake


@pytest.fixture
def token(organization, owner):
    return credential(organization, owner, "airtable_token", {"token": TOKEN})


def test_listing_follows_offset_through_every_page(organization, airtable, token):
    address = f"https://airtable.com/{BASE}/tblXXXXXXXXXXXXXX/viwYYYYYYYYYYYYYY"
    result = run_step(organization, "airtable.list_records", credential=str(token.pk), base=address, table=TABLE)
    assert result.status == "success", result.error
    assert [item["fields"]["이름"] for item in result.last_items] == [f"고객 {n}" for n in range(1, 6)]
    assert result.last_items[0] == {
        "id": "rec00000000000001",
        "created_time": "2026-12-01T00:00:00.000Z",
        "fields": {"이름": "고객 1", "점수": 10, "상태": "신규"},
    }
    pages = [r for r in airtable.requests if r["method"] == "GET"]
    assert len(pages) == 3 and pages[0]["path"] == f"/v0/{BASE}/%EA%B3%A0%EA%B0%9D"  # the table name, percent-encoded
    assert "offset" not in pages[0]["query"] and pages[1]["query"]["offset"] and pages[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"


def test_formula_sort_and_limit(organization, airtable, token):
    result = run_step(
        organization,
        "airtable.list_records",
        credential=str(token.pk),
        base=BASE,
        table=TABLE,
        formula="{상태} = '신규'",
        sort_field="점수",
        sort_direction="desc",
        limit=2,
    )
    assert result.status == "success", result.error
    assert [item["fields"]["점수"] for item in result.last_items] == [50, 30]
    sent = airtable.requests[-1]["query"]
    assert sent["filterByFormula"] == "{상태} = '신규'" and sent["sort[0][field]"] == "점수" and sent["maxRecords"] == "2"


def test_create_and_update_records(organization, airtable, token):
    created = run_step(
        organization,
        "airtable.create_record",
        credential=str(token.pk),
        base=BASE,
        table=TABLE,
        fields={"이름": "{{ json.name }}", "점수": "{{ json.score }}"},
        items=[{"name": "새 고객", "score": "77"}],
    )
    assert created.status == "success", created.error
    record = created.last_items[0]["airtable"]
    assert record["id"] == "rec00000000000006" and record["fields"] == {"이름": "새 고객", "점수": "77"}
    assert json.loads(airtable.requests[-1]["body"]) == {"fields": {"이름": "새 고객", "점수": "77"}, "typecast": True}
    updated = run_step(
        organization,
        "airtable.update_record",
        credential=str(token.pk),
        base=BASE,
        table=TABLE,
        record_id="rec00000000000002",
        fields={"상태": "VIP"},
    )
    assert updated.status == "success", updated.error
    assert updated.last_items[0]["airtable"]["fields"] == {"이름": "고객 2", "점수": 20, "상태": "VIP"}
    assert airtable.requests[-1]["method"] == "PATCH" and airtable.requests[-1]["path"].endswith("/rec00000000000002")


def test_airtable_errors_in_words(organization, owner, airtable, token):
    unknown = run_step(organization, "airtable.create_record", credential=str(token.pk), base=BASE, table=TABLE, fields={"나이": "3"})
    assert unknown.error_code == "airtable_unknown_field" and "나이" in unknown.error
    strict = run_step(
        organization, "airtable.create_record", credential=str(token.pk), base=BASE, table=TABLE, fields={"점수": "x"}, typecast=False
    )
    assert strict.error_code == "airtable_bad_value" and "Convert values" in strict.error
    missing = run_step(organization, "airtable.list_records", credential=str(token.pk), base="appZZZZZZZZZZZZZZ", table=TABLE)
    assert missing.error_code == "airtable_no_access" and "data.records:read" in missing.error
    gone = run_step(
        organization,
        "airtable.update_record",
        credential=str(token.pk),
        base=BASE,
        table=TABLE,
        record_id="rec99999999999999",
        fields={"상태": "x"},
    )
    assert gone.error_code == "airtable_not_found"
    formula = run_step(organization, "airtable.list_records", credential=str(token.pk), base=BASE, table=TABLE, formula="{상태 = 1")
    assert formula.error_code == "airtable_bad_formula"
    read_only = credential(organization, owner, "airtable_token", {"token": READ_ONLY}, name="Read only")
    denied = run_step(organization, "airtable.create_record", credential=str(read_only.pk), base=BASE, table=TABLE, fields={"이름": "x"})
    assert denied.error_code == "airtable_no_access"
    wrong = credential(organization, owner, "airtable_token", {"token": "patWrong"}, name="Wrong")
    refused = run_step(organization, "airtable.list_records", credential=str(wrong.pk), base=BASE, table=TABLE)
    assert refused.error_code == "airtable_unauthorized" and "airtable.com/create/tokens" in refused.error
    airtable.next_answers.append(
        (429, {}, {"errors": [{"error": "RATE_LIMIT_REACHED", "message": "Rate limit exceeded. Please try again later"}]})
    )
    limited = run_step(organization, "airtable.list_records", credential=str(token.pk), base=BASE, table=TABLE)
    assert limited.error_code == "rate_limited" and "30 seconds" in limited.error
    not_base = run_step(organization, "airtable.list_records", credential=str(token.pk), base="my base", table=TABLE)
    assert not_base.error_code == "bad_airtable_base"


def test_test_connection_of_an_airtable_token(admin, organization, airtable, token):
    assert admin.post(f"/api/v1/credentials/{token.pk}/test", {}, content_type="application/json").json()["ok"] is True
    assert airtable.requests[-1]["path"] == "/v0/meta/whoami"
