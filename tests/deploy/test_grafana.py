"""deploy/grafana/ezflow.json queries only metrics (and labels) that apps/core/metrics.py serves, and shows all of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import Counter, Gauge, Histogram

from apps.core import metrics

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy/grafana/ezflow.json"
SUFFIXES = {Counter: ("_total",), Histogram: ("_bucket", "_sum", "_count"), Gauge: ("",)}


def served() -> dict[str, set[str]]:
    """Every sample name /metrics serves, with the labels it carries."""
    names = {}
    for value in vars(metrics).values():
        for kind, suffixes in SUFFIXES.items():
            if isinstance(value, kind):
                labels = set(value._labelnames)
                for suffix in suffixes:
                    names[value._name + suffix] = labels | ({"le"} if suffix == "_bucket" else set())
    family = next(metrics.QueueDepthCollector().collect())
    names[family.name] = set()
    return names


def expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def metric_names(expression: str) -> set[str]:
    return set(re.findall(r"\bezflow_[a-z0-9_]+\b", expression))


def test_served_names_come_from_the_metrics_module():
    names = served()
    assert {"ezflow_runs_started_total", "ezflow_runs_finished_total", "ezflow_node_duration_seconds_bucket"} <= set(names)
    assert {"ezflow_http_request_duration_seconds_count", "ezflow_websocket_connections", "ezflow_queue_depth"} <= set(names)
    assert names["ezflow_runs_started_total"] == {"trigger"}


def test_every_queried_metric_exists():
    names = served()
    for expression in expressions():
        unknown = metric_names(expression) - set(names)
        assert not unknown, f"{expression}: {unknown} is not served by apps/core/metrics.py"
        assert metric_names(expression), f"{expression} queries no EZFlow metric"


def test_every_label_grouped_or_matched_exists_on_the_queried_metrics():
    names = served()
    for expression in expressions():
        labels = set().union(*(names[name] for name in metric_names(expression)))
        grouped = {label.strip() for group in re.findall(r"\bby\s*\(([^)]*)\)", expression) for label in group.split(",")}
        matched = set(re.findall(r"[{,]\s*([a-z_]+)\s*(?:=|!=|=~|!~)", expression))
        assert grouped <= labels, f"{expression}: grouped by {grouped - labels}"
        assert matched <= labels, f"{expression}: matches {matched - labels}"


def test_every_served_metric_has_a_panel():
    used = set().union(*(metric_names(e) for e in expressions()))
    families = {re.sub(r"_(total|bucket|sum|count)$", "", name) for name in served()}
    shown = {re.sub(r"_(total|bucket|sum|count)$", "", name) for name in used}
    assert families <= shown, f"no panel for {families - shown}"


def test_the_dashboard_is_importable():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"] and dashboard["schemaVersion"] >= 36
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert {"x", "y", "w", "h"} <= set(panel["gridPos"]) and panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        assert panel["targets"] and all(t["refId"] and t["expr"] for t in panel["targets"])
