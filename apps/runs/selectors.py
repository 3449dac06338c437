"""Reads of runs: lists with filters, one run's detail for its page, and monitoring statistics."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Left, Trunc
from django.utils import timezone

from apps.files.previews import has_preview
from apps.files.refs import file_id_of, file_refs_in, human_size, is_file_ref
from apps.files.selectors import files_by_id, files_of_run
from apps.files.services import file_link
from apps.flows.error_text import engine_error_text
from apps.flows.http.answer_summary import answer_summary
from apps.flows.models import Flow
from apps.flows.selectors import flow_list
from apps.flows.step_names import label_text, step_of, type_label
from apps.runs.models import NodeRun, Run, RunTally

PERIODS = {
    "24h": (dt.timedelta(hours=24), "hour"),
    "7d": (dt.timedelta(days=7), "day"),
    "30d": (dt.timedelta(days=30), "day"),
}
DEFAULT_PERIOD = "24h"


RUN_KINDS = ("production", "test")


def run_list(*, flow_id=None, status=None, trigger=None, date_from=None, date_to=None, run_id=None, kind=None) -> QuerySet[Run]:
    """Newest first. Unknown filter values match nothing rather than everything (a typo must not look like "all").
    `kind`: "production" (every run but the editor's tests) or "test" (only those)."""
    runs = Run.objects.select_related("flow", "version")
    if kind == "production":
        runs = runs.exclude(trigger=Run.Trigger.TEST)
    elif kind == "test":
        runs = runs.filter(trigger=Run.Trigger.TEST)
    elif kind:
        runs = runs.none()
    if flow_id not in (None, ""):
        runs = runs.filter(flow_id=int(flow_id)) if str(flow_id).isdecimal() else runs.none()
    if status:
        runs = runs.filter(status=status)
    if trigger:
        runs = runs.filter(trigger=trigger)
    if date_from:
        runs = runs.filter(created_at__gte=date_from)
    if date_to:
        runs = runs.filter(created_at__lt=date_to)
    if run_id not in (None, ""):
        runs = runs.filter(pk=int(run_id)) if str(run_id).isdecimal() else runs.none()
    return runs


# ---- one run's page ----------------------------------------------------------------------------------


@dataclass
class NodeView:
    id: str
    name: str
    type: str
    x: float
    y: float
    status: str = "pending"
    attempts: int = 0
    items_in: int = 0
    items_out: int = 0
    duration_ms: int | None = None
    offset_ms: int | None = None
    error: str = ""
    error_code: str = ""
    error_detail: str = ""
    error_summary: str = ""  # another server's error answer in one line (the raw answer is error_detail)
    error_files: list = field(default_factory=list)  # files stored with the error: {"name", "link", "image"}
    type_label: str = ""
    outputs: dict = field(default_factory=dict)
    inputs: list = field(default_factory=list)
    input_count: int = 0
    executions: int = 0


@dataclass
class RunView:
    run: Run
    nodes: list[NodeView]
    edges: list[dict]
    width: float
    height: float
    total_ms: int

    @property
    def error_step(self) -> str:
        return next((node.name for node in self.nodes if node.id == self.run.error_node_id), self.run.error_node_id or "")


NODE_W, NODE_H, PAD = 180, 56, 24


def _top_errors(runs: QuerySet) -> list[dict]:
    """The most frequent failures, each in the reader's language and naming its step as the editor does (from the
    latest run's graph: the name it had then), with the step's type label."""
    rows = list(
        runs.filter(status=Run.Status.FAILED)
        .values("error_node_id", message=Left("error", 160))
        .annotate(n=Count("id"), last=Max("id"))
        .order_by("-n", "-last")[:5]
    )
    latest = {run.pk: run for run in Run.objects.filter(pk__in=[row["last"] for row in rows]).only("id", "graph", "error", "error_args")}
    errors = []
    for row in rows:
        run = latest.get(row["last"])
        step = step_of(run.graph if run else None, row["error_node_id"])
        message = engine_error_text(run.error, run.error_args)[:160] if run else row["message"]
        errors.append(
            {
                "message": message,
                "node_id": row["error_node_id"],
                "node_name": step["name"],
                "node_type": label_text(step["type_label"]),
                "count": row["n"],
                "last_run_id": row["last"],
            }
        )
    return errors


def run_seq(*, run_id: int) -> int | None:
    """The run's event counter now (None when it does not exist): a live page that rendered less refetches."""
    return Run.objects.filter(pk=run_id).values_list("seq", flat=True).first()


def run_feed_changed(*, flow_id: int | None = None) -> int | None:
    """When a run of the organization (or of one flow) last changed, in milliseconds since the epoch."""
    runs = Run.objects.filter(flow_id=flow_id) if flow_id is not None else Run.objects.all()
    latest = runs.aggregate(latest=Max("updated_at"))["latest"]
    return epoch_ms(latest) if latest else None


def epoch_ms(moment) -> int:
    return int(moment.timestamp() * 1000)


def _error_files(args) -> list[dict]:
    values = (args or {}).get("values") or {} if isinstance(args, dict) else {}
    return [
        {"name": str(ref.get("name") or ""), "link": file_link(ref), "image": str(ref.get("mime_type") or "").startswith("image/")}
        for ref in values.values()
        if is_file_ref(ref)
    ]


def _ms(start, end) -> int | None:
    return int((end - start).total_seconds() * 1000) if start and end else None


def run_view(run: Run) -> RunView:
    """The graph of the run laid out by the nodes' editor positions, each node with its latest execution."""
    graph = run.graph or {}
    node_runs: dict[str, list[NodeRun]] = {}
    for node_run in run.node_runs.all():
        node_runs.setdefault(node_run.node_id, []).append(node_run)
    nodes: dict[str, NodeView] = {}
    for index, node in enumerate(n for n in graph.get("nodes", []) if n.get("type") != "sticky_note"):
        position = node.get("position") or [index * 220, 0]
        x, y = (position.get("x", 0), position.get("y", 0)) if isinstance(position, dict) else (position[0], position[1])
        view = NodeView(id=node["id"], name=node.get("name") or node["id"], type=node.get("type", ""), x=float(x), y=float(y))
        view.type_label = label_text(type_label(view.type))
        executions = sorted(node_runs.get(node["id"], []), key=lambda r: (r.run_index, r.seq))
        if executions:
            last = executions[-1]
            view.status = last.status
            view.executions = len(executions)
            view.attempts = last.attempts
            view.items_in = sum(r.items_in for r in executions)
            view.items_out = sum(r.items_out for r in executions)
            first_start = min((r.started_at for r in executions if r.started_at), default=None)
            last_end = max((r.finished_at for r in executions if r.finished_at), default=None)
            view.duration_ms = _ms(first_start, last_end)
            view.offset_ms = _ms(run.started_at, first_start) if run.started_at and first_start else None
            view.error, view.error_code, view.error_detail = last.error_text, last.error_code, last.error_detail
            if last.error_code == "http_error" and last.error_detail:
                view.error_summary = answer_summary(last.error_detail)
            view.error_files = _error_files(last.error_args)
            view.outputs = last.output_sample or {}
        nodes[view.id] = view
    _mark_reused(run, [view for view in nodes.values() if not view.executions])
    edges = []
    for edge in graph.get("edges", []):
        source, target = nodes.get(edge.get("source")), nodes.get(edge.get("target"))
        if source is None or target is None:
            continue
        port = edge.get("source_port") or edge.get("sourcePort") or "main"
        edges.append({"source": source, "target": target, "port": port})
        sample = source.outputs.get(port) or {}
        target.inputs.extend(sample.get("items", []))
        target.input_count += sample.get("count", 0)
    for view in nodes.values():
        if not any(e["target"] is view for e in edges) and run.input_items:
            view.inputs, view.input_count = list(run.input_items[:20]), len(run.input_items)
    _normalise_positions(list(nodes.values()))
    width = max((n.x for n in nodes.values()), default=0) + NODE_W + PAD
    height = max((n.y for n in nodes.values()), default=0) + NODE_H + PAD
    return RunView(
        run=run, nodes=list(nodes.values()), edges=edges, width=width, height=height, total_ms=_ms(run.started_at, run.finished_at) or 0
    )


# What a retry takes over from the run it retries without executing it again (services.runs.REPLAYABLE).
REUSABLE = ("success", "pinned", "disabled", "reused")


def _mark_reused(run: Run, not_run: list[NodeView]) -> None:
    """A retry from the failed step takes the steps that completed in the run it retries as they were (the engine
    does not execute nor record them again): show them as "reused", with that run's items, not as "not run"."""
    if not run.retry_of_id or not not_run:
        return
    earlier: dict[str, list[NodeRun]] = {}
    rows = NodeRun.objects.filter(run_id=run.retry_of_id, node_id__in=[view.id for view in not_run]).order_by("run_index", "seq")
    for node_run in rows:
        earlier.setdefault(node_run.node_id, []).append(node_run)
    for view in not_run:
        executions = earlier.get(view.id) or []
        if not executions or executions[-1].status not in REUSABLE:
            continue
        view.status = "reused"
        view.items_in = sum(r.items_in for r in executions)
        view.items_out = sum(r.items_out for r in executions)
        view.outputs = executions[-1].output_sample or {}


def _normalise_positions(nodes: list[NodeView]) -> None:
    if not nodes:
        return
    min_x, min_y = min(n.x for n in nodes), min(n.y for n in nodes)
    for n in nodes:
        n.x, n.y = n.x - min_x + PAD, n.y - min_y + PAD


def run_files(run: Run, view) -> list[dict]:
    """The files of a run (its own, and those its items refer to, like pinned test data), each with a signed
    download link for the page's reader (docs/files.md)."""
    referenced = {file_id_of(ref) for ref in file_refs_in([run.input_items, [node.outputs for node in view.nodes]])}
    stored = {str(f.pk): f for f in files_of_run(run.pk)}
    stored.update(files_by_id(referenced - set(stored)))
    return [
        {
            "name": f.name,
            "mime_type": f.mime_type,
            "size": human_size(f.size),
            "url": file_link(f),
            "preview": has_preview(f.mime_type),
        }
        for f in sorted(stored.values(), key=lambda f: f.created_at)
    ]


def _cell(value) -> str:
    if isinstance(value, str):
        return value
    if is_file_ref(value):
        return f"📎 {value.get('name') or 'file'} ({human_size(int(value.get('size') or 0))})"
    return json.dumps(value, ensure_ascii=False, default=str)


def items_table(items: list) -> dict:
    """Columns (the union of the items' keys, in first-seen order) and rows of display strings."""
    columns: list[str] = []
    for item in items:
        if isinstance(item, dict):
            columns.extend(k for k in item if k not in columns)
    rows = []
    for item in items:
        if not isinstance(item, dict):
            rows.append([json.dumps(item, ensure_ascii=False, default=str)] + [""] * (len(columns) - 1))
            continue
        row = []
        for column in columns:
            row.append(_cell(item.get(column, "")))
        rows.append(row)
    return {"columns": columns[:30], "rows": [r[:30] for r in rows]}


# ---- monitoring ------------------------------------------------------------------------------------


class Percentile(Aggregate):
    function = "percentile_cont"
    name = "percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), output_field=DurationField(), **extra)


def _duration():
    return ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())


def _to_ms(value) -> int | None:
    return int(value.total_seconds() * 1000) if value is not None else None


def run_stats(
    *, flow_id: int | None = None, period: str = DEFAULT_PERIOD, time_zone: str = "UTC", now=None, include_tests: bool = False
) -> dict:
    """Runs over time by status, success rate, p50/p95 duration, top errors and (for the organization) a
    per-flow table, over the last 24 h / 7 d / 30 d, bucketed in the organization's time zone.
    The editor's test runs are left out unless `include_tests`: trying a draft must not look like production failing."""
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    span, unit = PERIODS[period]
    now = now or timezone.now()
    since = now - span
    zone = ZoneInfo(time_zone)
    runs = Run.objects.filter(created_at__gte=since)
    if not include_tests:
        runs = runs.exclude(trigger=Run.Trigger.TEST)
    if flow_id is not None:
        runs = runs.filter(flow_id=flow_id)

    # Successful runs of flows with history off are not stored, only counted per hour (RunTally).
    tallies = RunTally.objects.filter(hour__gte=since.replace(minute=0, second=0, microsecond=0))
    if flow_id is not None:
        tallies = tallies.filter(flow_id=flow_id)

    counts: dict[str, dict[str, int]] = {}
    for row in runs.annotate(bucket=Trunc("created_at", unit, tzinfo=zone)).values("bucket", "status").annotate(n=Count("id")):
        counts.setdefault(row["bucket"].isoformat(), {})[row["status"]] = row["n"]
    for row in tallies.annotate(bucket=Trunc("hour", unit, tzinfo=zone)).values("bucket").annotate(n=Sum("successes")):
        by_status = counts.setdefault(row["bucket"].isoformat(), {})
        by_status[Run.Status.SUCCESS] = by_status.get(Run.Status.SUCCESS, 0) + row["n"]
    buckets = []
    step = dt.timedelta(hours=1) if unit == "hour" else dt.timedelta(days=1)
    cursor = since.astimezone(zone).replace(minute=0, second=0, microsecond=0)
    if unit == "day":
        cursor = cursor.replace(hour=0)
    while cursor <= now.astimezone(zone):
        label = cursor.isoformat()
        by_status = counts.get(label, {})
        buckets.append(
            {
                "start": label,
                "success": by_status.get(Run.Status.SUCCESS, 0),
                "failed": by_status.get(Run.Status.FAILED, 0),
                "other": sum(v for k, v in by_status.items() if k not in (Run.Status.SUCCESS, Run.Status.FAILED)),
            }
        )
        cursor = (cursor + step).astimezone(zone)
        if unit == "day":  # a day across a daylight-saving change is still one bucket starting at midnight
            cursor = cursor.replace(hour=0)

    totals = runs.aggregate(
        total=Count("id"),
        success=Count("id", filter=Q(status=Run.Status.SUCCESS)),
        failed=Count("id", filter=Q(status=Run.Status.FAILED)),
    )
    uncounted = tallies.aggregate(n=Sum("successes"))["n"] or 0
    totals["total"] += uncounted
    totals["success"] += uncounted
    finished = runs.filter(status__in=(Run.Status.SUCCESS, Run.Status.FAILED), started_at__isnull=False, finished_at__isnull=False)
    durations = finished.aggregate(p50=Percentile(_duration(), 0.5), p95=Percentile(_duration(), 0.95))
    decided = totals["success"] + totals["failed"]
    top_errors = _top_errors(runs)
    stats = {
        "period": period,
        "unit": unit,
        "since": since.isoformat(),
        "buckets": buckets,
        "total": totals["total"],
        "success": totals["success"],
        "failed": totals["failed"],
        "success_rate": round(totals["success"] / decided, 4) if decided else None,
        "p50_ms": _to_ms(durations["p50"]),
        "p95_ms": _to_ms(durations["p95"]),
        "top_errors": top_errors,
        "include_tests": include_tests,
    }
    if flow_id is None:
        stats["flows"] = _flow_table(runs, tallies)
    return stats


def _flow_table(runs: QuerySet[Run], tallies) -> list[dict]:
    rows = {
        row["flow_id"]: row
        for row in runs.values("flow_id", "flow__name").annotate(
            total=Count("id"),
            success=Count("id", filter=Q(status=Run.Status.SUCCESS)),
            failed=Count("id", filter=Q(status=Run.Status.FAILED)),
            p95=Percentile(_duration(), 0.95, filter=Q(status__in=(Run.Status.SUCCESS, Run.Status.FAILED), finished_at__isnull=False)),
        )
    }
    for row in tallies.values("flow_id", "flow__name").annotate(n=Sum("successes")):
        entry = rows.setdefault(row["flow_id"], {**row, "total": 0, "success": 0, "failed": 0, "p95": None})
        entry["total"] += row["n"]
        entry["success"] += row["n"]
    table = [
        {
            "flow_id": row["flow_id"],
            "name": row["flow__name"],
            "total": row["total"],
            "failed": row["failed"],
            "success_rate": round(row["success"] / (row["success"] + row["failed"]), 4) if row["success"] + row["failed"] else None,
            "p95_ms": _to_ms(row["p95"]),
        }
        for row in rows.values()
    ]
    return sorted(table, key=lambda row: (-row["failed"], -row["total"]))[:20]


def flow_list_with_last_run(*, search: str = "", tag: str = "") -> QuerySet[Flow]:
    """Flows for the list page, each annotated with its newest run's id, status and time (correlated subqueries, no N+1)."""
    newest = Run.objects.filter(flow=OuterRef("pk")).order_by("-created_at", "-id")
    flows = (
        flow_list()
        .defer("draft", "published_version__graph")
        .annotate(
            last_run_id=Subquery(newest.values("id")[:1]),
            last_run_status=Subquery(newest.values("status")[:1]),
            last_run_at=Subquery(newest.values("created_at")[:1]),
        )
    )
    if search:
        flows = flows.filter(name__icontains=search)
    if tag:
        flows = flows.filter(tags__contains=[tag])
    return flows
