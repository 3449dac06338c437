"""The chart step: a PNG drawn offline with Pillow from item fields, as a file and a data: address."""

from __future__ import annotations

import base64
import io

from PIL import Image

from apps.flows.engine.context import LocalHost
from tests.documents.test_steps import flow

RED = (220, 38, 38)


def picture(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def reds(image: Image.Image) -> int:
    return sum(1 for pixel in image.getdata() if pixel == RED)


def test_every_item_is_a_point_and_marked_rows_are_circled_in_red():
    host = LocalHost()
    items = [{"day": f"11-{d:02d}", "sales": v, "flag": {"odd": v == 340}} for d, v in enumerate([100, 104, 340, "1,050", 99], 1)]
    result, out = flow(
        host, items, ("documents.chart", {"label_field": "day", "value_fields": "sales", "highlight_field": "flag.odd", "title": "매출"})
    )
    assert result.status == "success", result.error
    (made,) = out
    assert made["chart"]["points"] == 5 and made["chart"]["file"]["mime_type"] == "image/png"
    image = picture(host.files.read(made["chart"]["file"]))
    assert image.size == (800, 400) and reds(image) > 20
    assert base64.b64decode(made["chart"]["data_url"].removeprefix("data:image/png;base64,")) == host.files.read(made["chart"]["file"])
    # Without the highlight field nothing is red.
    result, out = flow(host, items, ("documents.chart", {"label_field": "day", "value_fields": "sales"}))
    assert reds(picture(host.files.read(out[0]["chart"]["file"]))) == 0


def test_a_list_inside_each_item_is_drawn_as_bars_and_the_item_is_kept():
    host = LocalHost()
    rows = [{"m": "1월", "a": 3, "b": 5}, {"m": "2월", "a": 4, "b": None}]
    result, out = flow(
        host,
        [{"rows": rows, "note": "x"}],
        ("documents.chart", {"rows_field": "rows", "label_field": "m", "value_fields": "a, b", "kind": "bar", "width": 300, "height": 200}),
    )
    assert result.status == "success", result.error
    (made,) = out
    assert made["note"] == "x" and made["rows"] == rows and made["chart"]["points"] == 2
    assert picture(host.files.read(made["chart"]["file"])).size == (300, 200)


def test_bad_input_is_a_clear_error():
    host = LocalHost()
    result, _ = flow(host, [{"v": "many"}], ("documents.chart", {"value_fields": "v"}))
    assert result.status == "failed" and result.error_code == "chart_not_a_number" and "many" in result.error
    result, _ = flow(host, [{"v": None}], ("documents.chart", {"value_fields": "v"}))
    assert result.status == "failed" and result.error_code == "chart_empty"
    result, _ = flow(host, [{"rows": "no"}], ("documents.chart", {"rows_field": "rows", "value_fields": "v"}))
    assert result.status == "failed" and result.error_code == "chart_no_rows"
