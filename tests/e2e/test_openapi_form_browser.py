"""The form of "Call an API connector" in a real browser against the real stack: an imported Swagger 2.0 document
(a data.go.kr-style air-quality API served by a local fake), the connector chosen from a list, the operation found by
searching in Korean, its parameters filled from the document's schema (an enum becomes a list to choose from,
defaults shown), then a test run sends exactly that request."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import sign_in_with_link
from tests.e2e.test_editor import DESKTOP, Organization, open_editor, saved
from tests.support.fake_http import FakeServer

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def air_quality_spec(base: str) -> dict:
    host = base.split("://", 1)[1]
    return {
        "swagger": "2.0",
        "info": {"title": "대기오염정보", "version": "1.0"},
        "host": host,
        "basePath": "/B552584/ArpltnInforInqireSvc",
        "schemes": ["http"],
        "tags": [{"name": "대기오염정보"}, {"name": "측정소"}],
        "paths": {
            "/getCtprvnRltmMesureDnsty": {
                "get": {
                    "tags": ["대기오염정보"],
                    "operationId": "getCtprvnRltmMesureDnsty",
                    "summary": "시도별 실시간 측정정보 조회",
                    "parameters": [
                        {"name": "sidoName", "in": "query", "required": True, "type": "string", "enum": ["서울", "부산", "대구"]},
                        {"name": "numOfRows", "in": "query", "type": "integer", "default": 10, "description": "한 페이지 결과 수"},
                        {"name": "returnType", "in": "query", "type": "string", "default": "json"},
                    ],
                    "responses": {"200": {"description": "OK"}},
                }
            },
            "/getMsrstnList": {
                "get": {
                    "tags": ["측정소"],
                    "operationId": "getMsrstnList",
                    "summary": "측정소 목록 조회",
                    "parameters": [{"name": "addr", "in": "query", "type": "string"}],
                    "responses": {"200": {"description": "OK"}},
                }
            },
        },
    }


def test_call_an_api_connector_is_set_up_from_the_operation_list_and_its_schema(embedded_stack, new_context, shots):
    org = Organization(embedded_stack, "openapiform")
    assert org.api.patch("/api/v1/organization", json={"allowed_internal_hosts": ["127.0.0.1"]}).status_code == 200
    with FakeServer() as fake:
        fake.routes["/B552584/ArpltnInforInqireSvc/getCtprvnRltmMesureDnsty"] = lambda r: (
            200,
            {},
            {"response": {"body": {"items": [{"stationName": "중구", "pm10Value": "41"}], "totalCount": 1}}},
        )
        imported = org.api.post(
            "/api/v1/connectors/openapi", json={"name": "에어코리아", "spec": json.dumps(air_quality_spec(fake.url("")))}
        )
        assert imported.status_code == 201, imported.text
        graph = {
            "nodes": [
                {"id": "start", "type": "trigger.manual", "name": "Start", "position": [0, 0], "parameters": {}},
                {"id": "air", "type": "openapi.call", "name": "Air", "position": [280, 0], "parameters": {}},
            ],
            "edges": [{"source": "start", "target": "air"}],
        }
        flow = org.flow("미세먼지", graph)
        page = new_context(viewport=DESKTOP).new_page()
        sign_in_with_link(page, org.login_url)
        open_editor(page, org, flow["id"])
        page.get_by_test_id("node-Air").click()
        form = page.get_by_test_id("openapi-form")
        expect(page.get_by_test_id("param-values")).to_have_count(0)  # the generic JSON box gives way to the form
        form.get_by_test_id("openapi-connector").select_option(label="에어코리아")
        expect(form.get_by_test_id("openapi-op-getMsrstnList")).to_be_visible()
        form.get_by_test_id("openapi-operation-search").fill("실시간")
        expect(form.get_by_test_id("openapi-op-getMsrstnList")).to_have_count(0)
        form.get_by_test_id("openapi-op-getCtprvnRltmMesureDnsty").click()
        expect(form.get_by_test_id("openapi-operation")).to_contain_text("/getCtprvnRltmMesureDnsty")
        expect(form.get_by_test_id("openapi-missing")).to_contain_text("sidoName")
        expect(form.get_by_test_id("openapi-param-numOfRows")).to_contain_text("10")
        form.get_by_test_id("openapi-value-sidoName").select_option("부산")
        form.get_by_test_id("openapi-value-numOfRows").fill("5")
        expect(form.get_by_test_id("openapi-missing")).to_have_count(0)
        shots.take(page, "01-operation-and-parameters")
        saved(page)
        stored = org.api.get(f"/api/v1/flows/{flow['id']}").json()["graph"]["nodes"][1]["parameters"]
        assert str(stored["connector"]) == str(imported.json()["id"]) and stored["operation"] == "getCtprvnRltmMesureDnsty"
        assert stored["values"] == {"sidoName": "부산", "numOfRows": 5}

        page.get_by_test_id("run-test").click()
        expect(page.get_by_test_id("node-Air")).to_have_attribute("data-status", "success", timeout=30_000)
        (request,) = [r for r in fake.requests if r["path"].endswith("/getCtprvnRltmMesureDnsty")]
        assert request["query"] == {"sidoName": "부산", "numOfRows": "5", "returnType": "json"}
        shots.take(page, "02-test-run")
