"""A small chart (line or bar) drawn with Pillow as PNG bytes: one or two series over labelled points, highlighted
points marked in red. Nothing is downloaded; labels use the NanumSquare font the product ships (Korean and English)."""

from __future__ import annotations

import io
import math
from pathlib import Path

from apps.flows.engine.errors import NodeError, gettext_noop

FONTS = Path(__file__).resolve().parent / "fonts"
COLOURS = ((37, 99, 235), (234, 138, 0), (22, 163, 74), (124, 58, 237))
HIGHLIGHT = (220, 38, 38)
MAX_POINTS = 2000


def _nice_step(span: float) -> float:
    raw = span / 5 or 1
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _label(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")


def draw(
    labels: list[str],
    series: dict[str, list[float | None]],
    *,
    kind: str = "line",
    title: str = "",
    highlight: list[bool] | None = None,
    width: int = 800,
    height: int = 400,
) -> bytes:
    """PNG bytes of the chart. `series` maps a name to one number (or None, a gap) per label."""
    from PIL import Image, ImageDraw, ImageFont

    values = [v for points in series.values() for v in points if v is not None]
    if not labels or not values:
        raise NodeError(gettext_noop("There are no numbers to draw a chart of."), code="chart_empty")
    if len(labels) > MAX_POINTS:
        raise NodeError(
            gettext_noop("A chart can show at most %(limit)s points; this one has %(count)s."),
            code="chart_too_many_points",
            values={"limit": MAX_POINTS, "count": len(labels)},
        )
    width, height = max(200, min(int(width), 2400)), max(150, min(int(height), 1600))
    image = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONTS / "NanumSquareR.ttf"), 13)
    bold = ImageFont.truetype(str(FONTS / "NanumSquareB.ttf"), 16)
    low, high = min(values + [0.0] if kind == "bar" else values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    step = _nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    left, right, top, bottom = 70, width - 20, 40 if title else 20, height - 60
    if len(series) > 1:
        bottom -= 20
    if title:
        pen.text((left, 10), str(title)[:120], fill="black", font=bold)

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    tick = low
    while tick <= high + step / 2:
        y = y_of(tick)
        pen.line([(left, y), (right, y)], fill=(229, 231, 235))
        text = _label(tick)
        pen.text((left - 8 - pen.textlength(text, font=font), y - 7), text, fill=(75, 85, 99), font=font)
        tick += step
    pen.line([(left, top), (left, bottom), (right, bottom)], fill=(107, 114, 128))
    count = len(labels)
    slot = (right - left) / count

    def x_of(index: int) -> float:
        return left + slot * (index + 0.5)

    every = max(1, math.ceil(count / max(1, (right - left) // 70)))
    for index in range(0, count, every):
        text = str(labels[index])[:12]
        pen.text((x_of(index) - pen.textlength(text, font=font) / 2, bottom + 6), text, fill=(75, 85, 99), font=font)
    marked = highlight or [False] * count
    for number, (name, points) in enumerate(series.items()):
        colour = COLOURS[number % len(COLOURS)]
        if kind == "bar":
            bar = slot * 0.8 / len(series)
            for index, value in enumerate(points):
                if value is None:
                    continue
                x0 = left + slot * index + slot * 0.1 + bar * number
                y0, y1 = sorted((y_of(value), y_of(max(low, 0.0))))
                pen.rectangle([x0, y0, x0 + bar - 1, y1], fill=HIGHLIGHT if index < len(marked) and marked[index] else colour)
        else:
            run: list[tuple[float, float]] = []
            for index, value in enumerate(points + [None]):
                if value is None:
                    if len(run) > 1:
                        pen.line(run, fill=colour, width=2)
                    run = []
                    continue
                run.append((x_of(index), y_of(value)))
            for index, value in enumerate(points):
                if value is not None and index < len(marked) and marked[index]:
                    x, y = x_of(index), y_of(value)
                    pen.ellipse([x - 6, y - 6, x + 6, y + 6], outline=HIGHLIGHT, width=3)
        if len(series) > 1:
            x = left + number * 160
            pen.rectangle([x, height - 22, x + 12, height - 10], fill=colour)
            pen.text((x + 18, height - 24), str(name)[:20], fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
