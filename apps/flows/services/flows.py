"""Writes on flows: drafts with conflict detection, immutable published versions, restore, activation."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, DomainError
from apps.core.events import send_in_transaction
from apps.files.refs import file_refs_in
from apps.files.services import files_delete_for_flow, files_keep
from apps.flows.engine.schema import graph_shape_error
from apps.flows.engine.validation import validate_graph
from apps.flows.events import flow_live_changed
from apps.flows.models import Flow, FlowVersion
from apps.flows.problems import problems_payload


class InvalidFlow(DomainError):
    code = "invalid_flow"

    def __init__(self, problems):
        super().__init__(_("The flow has problems. Fix them and try again."), extra={"problems": problems_payload(problems)})


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise DomainError(_("Give the flow a name (up to 200 characters)."), code="invalid", field="name")
    return name


def _check_tags(tags) -> list[str]:
    if tags is None:
        return []
    if not isinstance(tags, list) or any(not isinstance(t, str) or len(t) > 50 for t in tags) or len(tags) > 20:
        raise DomainError(_("Tags are up to 20 words of at most 50 characters."), code="invalid", field="tags")
    return [t.strip() for t in tags if t.strip()]


def flow_create(*, user, name: str, description: str = "", tags=None, graph: dict | None = None) -> Flow:
    flow = Flow(name=_check_name(name), description=description or "", tags=_check_tags(tags), created_by=user)
    if graph is not None:
        flow.draft = _normalise(graph)
    flow.save()
    return flow


def graph_shape_check(graph) -> None:
    """Refuses a graph that is not in the `ezflow/1` format (GET /api/v1/flows/schema); a draft may still have
    problems (unknown steps, missing parameters), which validation lists."""
    if not isinstance(graph, dict):
        raise DomainError(_("The flow must be a JSON object with “nodes” and “edges”."), code="invalid", field="graph")
    path = graph_shape_error(graph)
    if path is not None:
        raise DomainError(
            _("The flow is not in the expected format at “%(path)s” (see GET /api/v1/flows/schema).") % {"path": path or "graph"},
            code="invalid",
            field="graph",
        )


def _normalise(graph) -> dict:
    graph_shape_check(graph)
    return {"format": "ezflow/1", "nodes": graph.get("nodes", []), "edges": graph.get("edges", []), "pinned": graph.get("pinned", {})}


def flow_update(*, flow: Flow, revision: int | None = None, **changes) -> Flow:
    """Saves the draft and details. With `revision`, refuses to overwrite a draft someone else saved meanwhile."""
    with transaction.atomic():
        locked = Flow.objects.select_for_update().get(pk=flow.pk)
        if revision is not None and revision != locked.draft_revision:
            raise Conflict(
                _("Someone else changed this flow since you opened it. Reload to see their changes before saving."),
                code="stale_draft",
                extra={"current_revision": locked.draft_revision},
            )
        fields = ["updated_at"]
        if "name" in changes:
            locked.name = _check_name(changes["name"])
            fields.append("name")
        if "description" in changes:
            locked.description = changes["description"] or ""
            fields.append("description")
        if "tags" in changes:
            locked.tags = _check_tags(changes["tags"])
            fields.append("tags")
        if "save_history" in changes:
            locked.save_history = bool(changes["save_history"])
            fields.append("save_history")
        if "error_flow" in changes:
            error_flow_id = changes["error_flow"]
            if error_flow_id is not None and (error_flow_id == locked.pk or not Flow.objects.filter(pk=error_flow_id).exists()):
                raise DomainError(_("Choose another existing flow as the error flow."), code="invalid", field="error_flow")
            locked.error_flow_id = error_flow_id
            fields.append("error_flow")
        if "time_zone" in changes:
            import zoneinfo

            zone = changes["time_zone"] or ""
            if zone:
                try:
                    zoneinfo.ZoneInfo(zone)
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    raise DomainError(_("Choose a time zone from the list, like Asia/Seoul."), code="invalid", field="time_zone") from None
            locked.time_zone = zone
            fields.append("time_zone")
        if "graph" in changes:
            locked.draft = _normalise(changes["graph"])
            locked.draft_revision += 1
            fields += ["draft", "draft_revision"]
            # Files in pinned test data (a captured upload, a pinned download) stay while they are pinned.
            files_keep(refs=list(file_refs_in(locked.draft["pinned"])))
        locked.save(update_fields=fields)
        if "time_zone" in changes:
            send_in_transaction(flow_live_changed, flow=locked, deleted=False)
    return locked


def flow_publish(*, flow: Flow, user, message: str = "") -> FlowVersion:
    problems = validate_graph(flow.draft)
    if problems:
        raise InvalidFlow(problems)
    with transaction.atomic():
        locked = Flow.objects.select_for_update().get(pk=flow.pk)
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        graph = {key: value for key, value in locked.draft.items() if key != "pinned"}  # test data never reaches triggers
        version = FlowVersion.objects.create(flow=locked, number=number, graph=graph, message=(message or "")[:500], created_by=user)
        locked.published_version = version
        locked.save(update_fields=["published_version", "updated_at"])
        send_in_transaction(flow_live_changed, flow=locked, deleted=False)
    flow.published_version = version  # the caller's object reflects what was published
    return version


def flow_restore_version(*, flow: Flow, version: FlowVersion) -> Flow:
    """Copies an old version into the draft; publishing it makes it live again."""
    if version.flow_id != flow.pk:
        raise DomainError(_("That version belongs to another flow."), code="invalid")
    return flow_update(flow=flow, graph={**version.graph, "pinned": flow.draft.get("pinned", {})})


def flow_set_active(*, flow: Flow, active: bool) -> Flow:
    with transaction.atomic():
        locked = Flow.objects.select_for_update().get(pk=flow.pk)
        if active and locked.published_version_id is None:
            raise DomainError(_("Publish the flow before turning it on."), code="not_published")
        locked.active = active
        locked.save(update_fields=["active", "updated_at"])
        send_in_transaction(flow_live_changed, flow=locked, deleted=False)
    return locked


def flow_delete(*, flow: Flow) -> None:
    with transaction.atomic():
        send_in_transaction(flow_live_changed, flow=flow, deleted=True)
        files_delete_for_flow(flow_id=flow.pk)  # its runs go with it (cascade), and their files here
        flow.delete()


def flow_pin_data(*, flow: Flow, node_id: str, items: list | None) -> Flow:
    if node_id not in {n.get("id") for n in flow.draft.get("nodes", [])}:
        raise DomainError(_("There is no step with this id in the draft."), code="not_found", status=404)
    if items is not None and (not isinstance(items, list) or not all(isinstance(i, dict) for i in items)):
        raise DomainError(_("Pinned data must be a list of JSON objects."), code="invalid", field="items")
    pinned = dict(flow.draft.get("pinned") or {})
    if items is None:
        pinned.pop(node_id, None)
    else:
        pinned[node_id] = items
    return flow_update(flow=flow, graph={**flow.draft, "pinned": pinned})
