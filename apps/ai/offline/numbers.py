"""Unusual numbers in a series (robust z-score from the median and MAD, or Tukey's IQR fences) and forecasts of the
next values (simple exponential smoothing, or Holt's linear trend), with the errors of the one-step-ahead fit."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

# A normal distribution's MAD is 0.6745 of its standard deviation: this makes the robust z comparable to a z-score.
_MAD_SCALE = 0.6745


def as_number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def robust_z(values: Sequence[float]) -> list[float]:
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values)
    if mad == 0:
        mean_dev = statistics.fmean(abs(v - median) for v in values)
        if mean_dev == 0:
            return [0.0] * len(values)
        return [(v - median) / (1.2533 * mean_dev) for v in values]  # the MAD is 0 when most values are equal
    return [_MAD_SCALE * (v - median) / mad for v in values]


def iqr_scores(values: Sequence[float]) -> tuple[list[float], float, float]:
    """Distance outside the quartiles in IQRs (0 inside them), and the quartiles."""
    q1, _q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    spread = q3 - q1
    scores = []
    for v in values:
        outside = (q1 - v) if v < q1 else (v - q3) if v > q3 else 0.0
        scores.append(outside / spread if spread else (math.inf if outside else 0.0))
    return scores, q1, q3


def anomalies(values: Sequence[float | None], method: str = "robust_z", threshold: float | None = None) -> list[dict | None]:
    """Per value: {"anomaly", "score", "direction"}; None where the value is not a number."""
    present = [v for v in values if v is not None]
    if len(present) < 3:
        return [None if v is None else {"anomaly": False, "score": 0.0, "direction": None} for v in values]
    if method == "iqr":
        limit = 1.5 if threshold is None else threshold
        scores, q1, q3 = iqr_scores(present)
        signed = [s if v > q3 else -s if s else 0.0 for s, v in zip(scores, present, strict=True)]
    else:
        limit = 3.5 if threshold is None else threshold
        signed = robust_z(present)
    found = iter(signed)
    result = []
    for value in values:
        if value is None:
            result.append(None)
            continue
        score = next(found)
        flagged = abs(score) > limit
        result.append(
            {
                "anomaly": flagged,
                "score": round(score, 4) if math.isfinite(score) else score,
                "direction": ("high" if score > 0 else "low") if flagged else None,
            }
        )
    return result


def _smooth(values: Sequence[float], alpha: float, beta: float | None) -> tuple[list[float], float, float]:
    """One-step-ahead predictions for values[1:], and the final level and trend."""
    level = values[0]
    trend = (values[1] - values[0]) if beta is not None and len(values) > 1 else 0.0
    predictions = []
    for value in values[1:]:
        predicted = level + trend
        predictions.append(predicted)
        previous = level
        level = alpha * value + (1 - alpha) * (level + trend)
        if beta is not None:
            trend = beta * (level - previous) + (1 - beta) * trend
    return predictions, level, trend


def _sse(values, alpha, beta) -> float:
    predictions, _level, _trend = _smooth(values, alpha, beta)
    return sum((p - v) ** 2 for p, v in zip(predictions, values[1:], strict=True))


def forecast(values: Sequence[float], horizon: int, method: str = "holt", alpha: float | None = None, beta: float | None = None) -> dict:
    """The next `horizon` values, the smoothing parameters (chosen by the least one-step-ahead squared error when not
    given) and the fit's errors (MAE, RMSE, MAPE over the one-step-ahead predictions)."""
    values = [float(v) for v in values]
    trend = method == "holt"
    grid = [round(0.05 * i, 2) for i in range(1, 20)]
    if alpha is None or (trend and beta is None):
        candidates = [
            (a, b) for a in ([alpha] if alpha is not None else grid) for b in (([beta] if beta is not None else grid) if trend else [None])
        ]
        alpha, beta = min(candidates, key=lambda pair: _sse(values, pair[0], pair[1]))
    if not trend:
        beta = None
    predictions, level, slope = _smooth(values, alpha, beta)
    errors = [v - p for p, v in zip(predictions, values[1:], strict=True)]
    mae = statistics.fmean(abs(e) for e in errors) if errors else None
    rmse = math.sqrt(statistics.fmean(e * e for e in errors)) if errors else None
    relative = [abs(e / v) for e, v in zip(errors, values[1:], strict=True) if v]
    mape = statistics.fmean(relative) * 100 if relative else None
    steps = []
    for step in range(1, horizon + 1):
        value = level + step * slope
        spread = 1.96 * rmse * math.sqrt(step) if rmse is not None else None
        steps.append(
            {
                "step": step,
                "value": round(value, 4),
                "lower": round(value - spread, 4) if spread is not None else None,
                "upper": round(value + spread, 4) if spread is not None else None,
            }
        )
    return {
        "method": method,
        "alpha": alpha,
        "beta": beta,
        "forecast": steps,
        "error": {
            "mae": None if mae is None else round(mae, 4),
            "rmse": None if rmse is None else round(rmse, 4),
            "mape_percent": None if mape is None else round(mape, 2),
            "points": len(errors),
        },
    }
