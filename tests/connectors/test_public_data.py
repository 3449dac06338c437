"""공공데이터포털 open APIs against a local fake of the gateway and one service, through the engine."""

import pytest
from django.utils import translation

from apps.connectors.catalog.public_data import normalise_key
from apps.flows.error_text import engine_error_text
from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.public_data import DECODED_KEY, ENCODED_KEY, PATH, FakePublicData


@pytest.fixture
def portal():
    with FakePublicData() as fake:
        yield fake


def air(organization, key, portal, **params):
    return run_step(organization, "public_data.call", credential=str(key.pk), url=portal.url(PATH), **params)


@pytest.mark.parametrize("typed", [DECODED_KEY, ENCODED_KEY, f"  {ENCODED_KEY}\n"])
def test_either_form_of_the_key_reaches_the_gateway_encoded_once(organization, owner, portal, typed):
    key = credential(organization, owner, "data_go_kr", {"service_key": typed})
    result = air(organization, key, portal, query={"sidoName": "서울", "returnType": "json"})
    assert result.status == "success", result.error
    raw = portal.requests[-1]["raw_query"]
    assert f"serviceKey={ENCODED_KEY}" in raw and "%25" not in raw
    assert normalise_key(typed) == DECODED_KEY


def test_json_and_xml_answers_become_items_page_after_page(organization, owner, portal):
    key = credential(organization, owner, "data_go_kr", {"service_key": DECODED_KEY})
    for fmt in ("json", "xml"):
        portal.requests.clear()
        result = air(organization, key, portal, query={"sidoName": "서울", "returnType": fmt}, rows_per_page=2)
        assert result.status == "success", result.error
        assert [row["stationName"] for row in result.last_items] == [f"측정소{n}" for n in range(1, 6)], fmt
        assert result.last_items[0]["pm10Value"] == "31"
        assert [r["query"]["pageNo"] for r in portal.requests] == ["1", "2", "3"]
        assert {r["query"]["numOfRows"] for r in portal.requests} == {"2"}
    limited = air(organization, key, portal, query={"sidoName": "서울"}, rows_per_page=2, max_pages=2)
    assert len(limited.last_items) == 4
    one_page = air(organization, key, portal, query={"sidoName": "서울"}, rows_per_page=2, all_pages=False)
    assert len(one_page.last_items) == 2


def test_a_single_row_becomes_a_list_of_one_and_no_data_an_empty_list(organization, owner, portal):
    key = credential(organization, owner, "data_go_kr", {"service_key": DECODED_KEY})
    portal.stations = portal.stations[:1]
    single = air(organization, key, portal, query={"sidoName": "서울"})  # XML: one <item> is not a list there
    assert single.status == "success" and single.last_items == [portal.stations[0]]
    nothing = air(organization, key, portal, query={"sidoName": "제주"})
    assert nothing.status == "success" and nothing.last_items == []


def test_a_key_pasted_in_the_address_is_replaced_by_the_credential(organization, owner, portal):
    key = credential(organization, owner, "data_go_kr", {"service_key": DECODED_KEY})
    result = run_step(
        organization, "public_data.call", credential=str(key.pk), url=portal.url(f"{PATH}?serviceKey=OLD&sidoName=%EC%84%9C%EC%9A%B8")
    )
    assert result.status == "success", result.error
    assert portal.requests[-1]["query"]["serviceKey"] == DECODED_KEY and portal.requests[-1]["query"]["sidoName"] == "서울"


def test_gateway_errors_with_http_200_are_said_in_words(organization, owner, portal):
    wrong = credential(organization, owner, "data_go_kr", {"service_key": "not-approved"})
    refused = air(organization, wrong, portal, query={"sidoName": "서울", "returnType": "json"})
    assert refused.status == "failed" and refused.error_code == "public_data_30"
    assert "not registered or not yet approved" in refused.error and "일반 인증키 (Decoding)" in refused.error
    with translation.override("ko"):
        assert "승인" in engine_error_text(refused.error, refused.error_args)
    key = credential(organization, owner, "data_go_kr", {"service_key": DECODED_KEY}, name="Good")
    for code, name, words in (
        ("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR", "daily request limit"),
        ("31", "DEADLINE_HAS_EXPIRED_ERROR", "has expired"),
        ("32", "UNREGISTERED_IP_ERROR", "IP address"),
    ):
        portal.gateway_refusal = (code, name)
        failed = air(organization, key, portal, query={"sidoName": "서울"})
        assert failed.error_code == f"public_data_{code}" and words in failed.error, failed.error
    portal.gateway_refusal = None
    missing = air(organization, key, portal, query={})
    assert missing.error_code == "public_data_11" and "required parameter" in missing.error


def test_test_connection_calls_the_api_and_reads_gateway_errors(admin, organization, owner, portal):
    good = credential(organization, owner, "data_go_kr", {"service_key": ENCODED_KEY})
    address = portal.url(f"{PATH}?sidoName=%EC%84%9C%EC%9A%B8")
    ok = admin.post(f"/api/v1/credentials/{good.pk}/test", {"url": address}, content_type="application/json").json()
    assert ok["ok"] is True, ok
    bad = credential(organization, owner, "data_go_kr", {"service_key": "nope"}, name="Bad")
    refused = admin.post(f"/api/v1/credentials/{bad.pk}/test", {"url": address}, content_type="application/json").json()
    assert refused["ok"] is False and "not registered" in refused["message"]


def test_the_key_stays_out_of_run_data_exports_and_logs(organization, owner, portal, caplog):
    from django.db import connection

    from apps.flows.services.flows import flow_create, flow_publish
    from apps.flows.services.transfer import graph_without_secrets
    from apps.runs.models import NodeRun, Run
    from apps.runs.services.runs import run_create, run_execute

    key = credential(organization, owner, "data_go_kr", {"service_key": ENCODED_KEY})
    graph = {
        "nodes": [
            {"id": "start", "type": "trigger.manual", "name": "Start", "parameters": {}},
            {
                "id": "air",
                "type": "public_data.call",
                "name": "Air",
                "parameters": {"credential": str(key.pk), "url": portal.url(PATH), "query": {"sidoName": "서울"}},
            },
        ],
        "edges": [{"source": "start", "target": "air", "source_port": "main", "target_port": "main"}],
    }
    connection.set_tenant(organization)
    flow = flow_create(user=owner, name="Air", graph=graph)
    flow_publish(flow=flow, user=owner)
    flow.refresh_from_db()
    caplog.set_level("DEBUG")
    run = run_execute(run_id=run_create(flow=flow, trigger="manual").pk)
    assert run.status == "success", run.error
    stored = str(list(Run.objects.filter(pk=run.pk).values())) + str(list(NodeRun.objects.filter(run=run).values()))
    assert "측정소1" in stored
    exported = str(graph_without_secrets(flow.published_version.graph))
    for text in (stored, exported, caplog.text):
        assert DECODED_KEY not in text and ENCODED_KEY not in text and "Xk9" not in text
