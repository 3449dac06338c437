"""Chart step: a line or bar chart of item fields as a PNG file and a data: address (for the PDF-from-HTML step)."""

from __future__ import annotations

import base64
from typing import Any

from apps.documents import chart
from apps.documents.nodes.common import save_file
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import get_path
from apps.flows.nodes.registry import register


def _number(value: Any, field: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = int(value)
    try:
        return float(str(value).replace(",", "")) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        raise NodeError(
            gettext_noop("“%(value)s” in the field %(field)s is not a number, so it cannot be drawn."),
            code="chart_not_a_number",
            values={"value": str(value)[:60], "field": field},
        ) from None


@register
class Chart(NodeType):
    key = "documents.chart"
    category = "documents"
    icon = "image"
    label = t("Draw a chart", "차트 그리기")
    description = t(
        "Draws a line or bar chart (PNG) of number fields, one point per row: of all incoming items, or of a list in "
        "each item. Gives the file and a data: address to put in the PDF-from-HTML step's <img src>.",
        "숫자 필드를 선이나 막대 차트(PNG)로 그립니다. 한 행이 한 점이며, 들어오는 모든 항목 또는 각 항목 안의 목록을 씁니다. "
        "파일과, 'HTML로 PDF 만들기' 단계의 <img src>에 넣을 data: 주소를 줍니다.",
    )
    aliases = ("chart", "graph", "plot", "차트", "그래프", "도표")
    params = (
        Param(
            "rows_field",
            "string",
            t("List field (empty: every incoming item is a row)", "목록 필드 (비우면 들어오는 항목 하나가 한 행)"),
            default="",
            expressions=False,
        ),
        Param("label_field", "string", t("Label field (x axis)", "라벨 필드 (가로축)"), default="date", expressions=False),
        Param(
            "value_fields",
            "string",
            t("Number fields (separated by commas)", "숫자 필드 (쉼표로 구분)"),
            required=True,
            default="value",
            expressions=False,
        ),
        Param(
            "highlight_field",
            "string",
            t("Mark rows where this field is true (optional)", "이 필드가 참인 행 표시 (선택)"),
            default="",
            expressions=False,
            help=t("For example anomaly.anomaly after Detect anomalies.", "예: 이상치 탐지 뒤에는 anomaly.anomaly"),
        ),
        Param(
            "kind",
            "select",
            t("Kind", "종류"),
            default="line",
            expressions=False,
            options=(("line", t("Line", "선")), ("bar", t("Bar", "막대"))),
        ),
        Param("title", "string", t("Title", "제목"), default=""),
        Param("width", "integer", t("Width (pixels)", "너비 (픽셀)"), default=800, minimum=200, maximum=2400),
        Param("height", "integer", t("Height (pixels)", "높이 (픽셀)"), default=400, minimum=150, maximum=1600),
        Param("file_name", "string", t("File name", "파일 이름"), default="chart.png"),
        Param("output_field", "string", t("Put the chart in field", "차트를 넣을 필드"), default="chart", expressions=False),
    )

    def _draw(self, rows: list, params: dict) -> dict:
        fields = [f.strip() for f in str(params["value_fields"] or "").split(",") if f.strip()]
        if not fields:
            raise NodeError(gettext_noop("Name at least one number field to draw."), code="chart_no_fields")
        rows = [row for row in rows if isinstance(row, dict)]
        labels = [str(get_path(row, params["label_field"], "") or "") for row in rows]
        series = {field: [_number(get_path(row, field), field) for row in rows] for field in fields}
        marked = [bool(get_path(row, params["highlight_field"])) for row in rows] if params["highlight_field"] else None
        png = chart.draw(
            labels,
            series,
            kind=params["kind"],
            title=str(params["title"] or ""),
            highlight=marked,
            width=params["width"] or 800,
            height=params["height"] or 400,
        )
        name = str(params["file_name"] or "chart.png")
        name = name if name.lower().endswith(".png") else f"{name}.png"
        return {
            "png": png,
            "name": name,
            "data_url": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
            "points": len(rows),
        }

    def execute(self, ctx):
        out, collected, first = [], [], None
        for _index, item, params in ctx.each():
            if not params["rows_field"]:
                first = first or params
                collected.append(item)
                continue
            rows = get_path(item, params["rows_field"])
            if not isinstance(rows, list):
                raise NodeError(
                    gettext_noop("The field %(field)s does not hold a list of rows to draw."),
                    code="chart_no_rows",
                    values={"field": params["rows_field"]},
                )
            out.append({**item, params["output_field"] or "chart": self._result(ctx, rows, params)})
        if first is not None:
            out.append({first["output_field"] or "chart": self._result(ctx, collected, first)})
        return {"main": out}

    def _result(self, ctx, rows: list, params: dict) -> dict:
        drawn = self._draw(rows, params)
        ref = save_file(ctx, drawn["png"], name=drawn["name"], mime_type="image/png")
        return {"file": ref, "data_url": drawn["data_url"], "points": drawn["points"]}
