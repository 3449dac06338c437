"""Anomalies (robust z-score, IQR) per item and forecasts with their errors, through the engine."""

import pytest

from apps.ai.offline.numbers import forecast
from tests.ai.offline.support import outputs, run

SALES = [120, 118, 125, 122, 119, 480, 121, 123, 2, 124]


def test_robust_z_flags_the_high_and_the_low_value():
    items = [{"day": i, "sales": v} for i, v in enumerate(SALES)] + [{"day": 10, "sales": "n/a"}]
    out = outputs("ai.anomalies", items, value_field="sales")
    flagged = [(item["day"], item["anomaly"]["direction"]) for item in out if item["anomaly"] and item["anomaly"]["anomaly"]]
    assert flagged == [(5, "high"), (8, "low")]
    assert out[-1]["anomaly"] is None  # not a number: no verdict
    assert out[0]["anomaly"]["score"] == pytest.approx(0.0, abs=1)
    assert out[5]["anomaly"]["score"] > 10


def test_iqr_and_threshold():
    out = outputs("ai.anomalies", [{"v": v} for v in SALES], value_field="v", method="iqr", result_field="check")
    assert [i for i, item in enumerate(out) if item["check"]["anomaly"]] == [5, 8]
    loose = outputs("ai.anomalies", [{"v": v} for v in SALES], value_field="v", threshold=1000)
    assert not any(item["anomaly"]["anomaly"] for item in loose)


def test_equal_values_are_not_anomalies():
    out = outputs("ai.anomalies", [{"v": 5}] * 6, value_field="v")
    assert all(item["anomaly"] == {"anomaly": False, "score": 0.0, "direction": None} for item in out)


def test_holt_follows_a_trend_and_shows_its_error():
    (result,) = outputs("ai.forecast", [{"month": m, "visits": 100 + 10 * m} for m in range(12)], value_field="visits", horizon=3)
    assert [step["value"] for step in result["forecast"]] == pytest.approx([220, 230, 240], abs=0.5)
    assert result["error"]["mae"] == pytest.approx(0, abs=0.5)
    assert result["method"] == "holt" and 0 < result["alpha"] <= 1 and 0 < result["beta"] <= 1
    assert (result["points"], result["last"]) == (12, 210)


def test_simple_smoothing_is_flat_with_a_range_that_widens():
    values = [10, 12, 11, 13, 12, 11, 12, 13]
    result = forecast(values, 3, "ses")
    flat = {step["value"] for step in result["forecast"]}
    assert len(flat) == 1 and 10 < flat.pop() < 13
    widths = [step["upper"] - step["lower"] for step in result["forecast"]]
    assert widths[0] < widths[1] < widths[2]
    assert result["error"]["points"] == 7 and result["error"]["rmse"] > 0 and result["beta"] is None


def test_given_alpha_is_used():
    assert forecast([1, 2, 3, 4], 1, "ses", alpha=1.0)["forecast"][0]["value"] == 4


def test_too_short_a_series_is_a_clear_error():
    result = run("ai.forecast", [{"v": 1}, {"v": "x"}], value_field="v")
    assert result.status == "failed" and result.error_code == "ai_forecast_too_short"
    assert "found 1" in result.error
