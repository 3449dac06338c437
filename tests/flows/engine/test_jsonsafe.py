"""Every step's outputs become plain JSON in one place (apps/flows/engine/jsonsafe.py)."""

import datetime as dt
import decimal
import json
import math
import zoneinfo

import pytest

from apps.flows.engine.jsonsafe import UnstorableOutput, json_safe, json_safe_outputs
from tests.flows.engine.helpers import edge, node, run


def test_python_values_become_what_people_expect_in_json():
    seoul = zoneinfo.ZoneInfo("Asia/Seoul")
    value = {
        "at": dt.datetime(2026, 1, 31, 9, 30, tzinfo=seoul),
        "day": dt.date(2026, 1, 31),
        "time": dt.time(9, 30),
        "spans": [dt.timedelta(days=1), dt.timedelta(hours=1, minutes=30), -dt.timedelta(minutes=5), dt.timedelta(0)],
        "range": range(3),
        "tuple": (1, "a"),
        "set": {3, 1, 2},
        "generator": (n * 2 for n in range(3)),
        "money": decimal.Decimal("12.50"),
        "count": decimal.Decimal("7"),
        "bytes": b"\x00\xff",
        "not_a_number": math.nan,
        1: "number key",
    }
    safe = json_safe(value)
    assert safe == {
        "at": "2026-01-31T09:30:00+09:00",
        "day": "2026-01-31",
        "time": "09:30:00",
        "spans": ["P1D", "PT1H30M", "-PT5M", "PT0S"],
        "range": [0, 1, 2],
        "tuple": [1, "a"],
        "set": [1, 2, 3],
        "generator": [0, 2, 4],
        "money": 12.5,
        "count": 7,
        "bytes": {"base64": "AP8=", "content_type": "application/octet-stream", "size": 2},
        "not_a_number": None,
        "1": "number key",
    }
    assert json.loads(json.dumps(safe, allow_nan=False)) == safe


def test_plain_json_is_returned_as_it_is():
    value = [{"a": [1, 2.5, "x", None, True], "b": {"c": "한글"}}]
    assert json_safe(value) is value


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (len, "is a function (len)"),
        (lambda: 1, "is a function (<lambda>)"),
        (object(), "Python type “object”"),
        (1j, "Python type “complex”"),
        ("a\x00b", "NUL character"),
        ("a\ud800b", "unpaired surrogate"),
        ({(1, 2): "x"}, "field name"),
    ],
)
def test_values_with_no_json_form_are_clear_errors_naming_the_kind_and_the_place(value, words):
    with pytest.raises(UnstorableOutput) as caught:
        json_safe_outputs({"main": [{"field": value}]})
    assert words in caught.value.message and "main[0]" in caught.value.message
    assert caught.value.code == "output_not_json" and caught.value.translatable["template"]


def test_too_deep_values_are_refused():
    value: list = []
    for _ in range(300):
        value = [value]
    with pytest.raises(UnstorableOutput, match="levels deep"):
        json_safe(value)


def test_a_step_whose_output_is_not_json_fails_and_error_outputs_still_work():
    nodes = [
        node("start", "trigger.manual"),
        node("set", "data.set", fields=[{"name": "f", "value": "{{ now }}"}], settings={"on_error": "continue"}),
    ]
    result, reporter = run(nodes, [edge("start", "set")])
    assert result.status == "success"
    failed = reporter.results[-1]
    assert failed.status == "failed" and failed.error_code == "output_not_json" and "now()" in failed.error
    assert result.outputs["set"]["main"][0]["error"]["code"] == "output_not_json"


def test_dates_from_expressions_reach_the_next_step_as_text():
    nodes = [
        node("start", "trigger.manual"),
        node("set", "data.set", fields=[{"name": "when", "value": "{{ today() }}"}]),
        node("next", "data.set", fields=[{"name": "kind", "value": "{{ json.when ~ 'T09:00' }}"}]),
    ]
    now = dt.datetime(2026, 3, 1, 8, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Seoul"))
    from apps.flows.engine.context import LocalHost

    result, _ = run(nodes, [edge("start", "set"), edge("set", "next")], host=LocalHost(now=now))
    assert result.status == "success", result.error
    assert result.outputs["set"]["main"][0]["when"] == "2026-03-01"
    assert result.outputs["next"]["main"][0]["kind"] == "2026-03-01T09:00"
