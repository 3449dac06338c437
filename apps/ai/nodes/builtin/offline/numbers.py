from __future__ import annotations

from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, get_path, set_path
from apps.flows.nodes.registry import register

MAX_POINTS = 100_000


def _value_field() -> Param:
    return Param(
        "value_field",
        "string",
        t("Number field", "숫자 필드"),
        required=True,
        default="value",
        expressions=False,
        help=t(
            "The field of each item holding the number; items are taken in the order they come.",
            "각 항목에서 숫자가 든 필드입니다. 항목은 들어온 순서대로 씁니다.",
        ),
    )


def _values(ctx, field: str) -> list:
    from apps.ai.offline.numbers import as_number

    items = ctx.items
    if len(items) > MAX_POINTS:
        raise NodeError(gettext_noop("At most %(limit)s items at once."), code="ai_too_many_points", values={"limit": f"{MAX_POINTS:,}"})
    return [as_number(get_path(item, field)) for item in items]


@register
class DetectAnomalies(NodeType):
    key = "ai.anomalies"
    category = "transform"
    icon = "alert-triangle"
    label = t("Detect anomalies", "이상치 탐지")
    description = t(
        "Flags numbers that stand out from the others (robust z-score or IQR) and gives each item a score. Runs offline.",
        "다른 값들과 동떨어진 숫자를 찾아 표시하고(로버스트 z-점수 또는 IQR) 항목마다 점수를 줍니다. 오프라인으로 실행됩니다.",
    )
    per_item = False
    params = (
        _value_field(),
        Param(
            "method",
            "select",
            t("Method", "방법"),
            default="robust_z",
            expressions=False,
            options=(
                ("robust_z", t("robust z-score (median and MAD)", "로버스트 z-점수(중앙값과 MAD)")),
                ("iqr", t("interquartile range (Tukey's fences)", "사분위 범위(Tukey 울타리)")),
            ),
        ),
        Param(
            "threshold",
            "number",
            t("Threshold", "기준값"),
            default=None,
            minimum=0,
            expressions=False,
            help=t(
                "Empty: 3.5 for the robust z-score, 1.5 IQRs for the interquartile range.",
                "비워 두면 로버스트 z-점수는 3.5, 사분위 범위는 1.5 IQR입니다.",
            ),
        ),
        Param("result_field", "string", t("Put the result in the field", "결과를 넣을 필드"), default="anomaly", expressions=False),
    )

    def execute(self, ctx):
        from apps.ai.offline.numbers import anomalies

        params = ctx.params(0)
        threshold = params.get("threshold")
        found = anomalies(
            _values(ctx, params["value_field"]),
            params["method"],
            None if threshold in (None, "") else float(threshold),
        )
        out = []
        for item, verdict in zip(ctx.items, found, strict=True):
            result = copy_item(item)
            set_path(result, params["result_field"] or "anomaly", verdict)
            out.append(result)
        return {"main": out}


@register
class Forecast(NodeType):
    key = "ai.forecast"
    category = "transform"
    icon = "trending-up"
    label = t("Forecast next values", "다음 값 예측")
    description = t(
        "Forecasts the next values of a series of numbers (Holt's linear trend or simple exponential smoothing) with a "
        "range and the errors of the fit. Runs offline.",
        "숫자 시계열의 다음 값을 예측합니다(Holt 선형 추세 또는 단순 지수평활). 예측 범위와 적합 오차도 함께 줍니다. "
        "오프라인으로 실행됩니다.",
    )
    per_item = False
    params = (
        _value_field(),
        Param("horizon", "integer", t("Values to forecast", "예측할 개수"), default=3, minimum=1, maximum=365, expressions=False),
        Param(
            "method",
            "select",
            t("Method", "방법"),
            default="holt",
            expressions=False,
            options=(
                ("holt", t("Holt's linear trend", "Holt 선형 추세")),
                ("ses", t("simple exponential smoothing (no trend)", "단순 지수평활(추세 없음)")),
            ),
        ),
        Param(
            "alpha",
            "number",
            t("Level smoothing (alpha)", "수준 평활(alpha)"),
            default=None,
            minimum=0.01,
            maximum=1,
            expressions=False,
            help=t("Empty: chosen from the data.", "비워 두면 데이터로 정합니다."),
        ),
        Param("beta", "number", t("Trend smoothing (beta)", "추세 평활(beta)"), default=None, minimum=0.01, maximum=1, expressions=False),
    )

    def execute(self, ctx):
        from apps.ai.offline.numbers import forecast

        params = ctx.params(0)
        values = [v for v in _values(ctx, params["value_field"]) if v is not None]
        if len(values) < 3:
            raise NodeError(
                gettext_noop("Forecasting needs at least 3 numbers in the field “%(field)s” (found %(count)s)."),
                code="ai_forecast_too_short",
                values={"field": params["value_field"], "count": str(len(values))},
            )
        alpha = params.get("alpha")
        beta = params.get("beta")
        result = forecast(
            values,
            min(max(int(params.get("horizon") or 3), 1), 365),
            params["method"],
            None if alpha in (None, "") else float(alpha),
            None if beta in (None, "") else float(beta),
        )
        return {"main": [{**result, "points": len(values), "last": values[-1]}]}
