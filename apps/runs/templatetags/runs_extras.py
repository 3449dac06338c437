import json

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

NODE_STATUS = {
    "pending": _("Not run"),
    "running": _("Running"),
    "success": _("Succeeded"),
    "failed": _("Failed"),
    "reused": _("Reused from the earlier run"),
    "pinned": _("Pinned data"),
    "skipped": _("Skipped"),
}


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


@register.filter
def node_status_label(status: str) -> str:
    return NODE_STATUS.get(status, status)


@register.filter
def duration(ms) -> str:
    """1234 → "1.23 s", 87 → "87 ms"."""
    if ms is None or ms == "":
        return "–"
    ms = int(ms)
    if ms < 1000:
        return f"{ms} ms"
    if ms < 60_000:
        return f"{ms / 1000:.2f} s"
    return f"{ms // 60_000} min {ms % 60_000 // 1000} s"


@register.filter
def share(part, whole) -> float:
    """A percentage for bar widths, never below a sliver so short nodes stay visible."""
    try:
        return max(0.6, min(100.0, float(part) * 100.0 / float(whole))) if whole else 100.0
    except (TypeError, ValueError):
        return 0.0


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
