"""Reads that only the marketplace pages need: facets, a drawable graph preview, readable diffs, installs of a template."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import get_language
from django_tenants.utils import tenant_context

from apps.flows.engine.diff import graph_diff
from apps.flows.nodes.registry import load_builtin_nodes
from apps.marketplace.selectors import template_listed

NODE_WIDTH, NODE_HEIGHT = 180, 56
MARGIN = 20
MAX_PREVIEW_NODES = 200
# The drawing shrinks to fit its box, but never below this: smaller, the step names are unreadable.
MIN_SCALE = 0.55
# A flow wider than this at the smallest scale does not fit a desktop page either: it is drawn top to bottom.
WIDE_BOX = 960
RANK_GAP, LANE_GAP = 36, 20  # spaces of the top-to-bottom drawing


@dataclass
class PreviewNode:
    id: str
    name: str
    type_label: str
    category: str
    x: float
    y: float


@dataclass
class PreviewEdge:
    x1: float
    y1: float
    x2: float
    y2: float
    downward: bool = False  # top-to-bottom drawing: from a box's bottom to the next one's top

    @property
    def path(self) -> str:
        if self.downward:
            bend = max(abs(self.y2 - self.y1) / 2, 20)
            return f"M{self.x1:g},{self.y1:g} C{self.x1:g},{self.y1 + bend:g} {self.x2:g},{self.y2 - bend:g} {self.x2:g},{self.y2:g}"
        bend = max(abs(self.x2 - self.x1) / 2, 40)
        return f"M{self.x1:g},{self.y1:g} C{self.x1 + bend:g},{self.y1:g} {self.x2 - bend:g},{self.y2:g} {self.x2:g},{self.y2:g}"


@dataclass
class GraphPreview:
    width: float
    height: float
    nodes: list[PreviewNode] = field(default_factory=list)
    edges: list[PreviewEdge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # sticky notes, shown as text under the drawing
    truncated: bool = False
    # The same steps top to bottom, for narrow boxes (phones) and for flows too wide for any page.
    vertical: GraphPreview | None = None

    @property
    def min_width(self) -> int:
        """The narrowest the drawing may get before its box scrolls instead (never unreadably small)."""
        return int(self.width * MIN_SCALE)

    @property
    def too_wide(self) -> bool:
        return self.min_width > WIDE_BOX


def _top_to_bottom(nodes: list[PreviewNode], links: list[tuple[str, str]]) -> GraphPreview:
    """The editor's left-to-right layout turned top to bottom: columns of the editor (boxes whose left edges are
    closer than most of a box's width) become rows, and within a row the boxes keep their top-to-bottom order."""
    ranks: list[list[PreviewNode]] = []
    for node in sorted(nodes, key=lambda n: (n.x, n.y)):
        if ranks and node.x - ranks[-1][0].x < NODE_WIDTH * 0.75:
            ranks[-1].append(node)
        else:
            ranks.append([node])
    placed = {}
    for rank, members in enumerate(ranks):
        for lane, node in enumerate(sorted(members, key=lambda n: n.y)):
            x = MARGIN + lane * (NODE_WIDTH + LANE_GAP)
            y = MARGIN + rank * (NODE_HEIGHT + RANK_GAP)
            placed[node.id] = PreviewNode(id=node.id, name=node.name, type_label=node.type_label, category=node.category, x=x, y=y)
    edges = [
        PreviewEdge(placed[s].x + NODE_WIDTH / 2, placed[s].y + NODE_HEIGHT, placed[t].x + NODE_WIDTH / 2, placed[t].y, downward=True)
        for s, t in links
    ]
    laid_out = [placed[node.id] for node in nodes]
    width = max(node.x for node in laid_out) + NODE_WIDTH + MARGIN
    height = max(node.y for node in laid_out) + NODE_HEIGHT + MARGIN
    return GraphPreview(width=width, height=height, nodes=laid_out, edges=edges)


def _label(labels: dict | None, fallback: str) -> str:
    if not isinstance(labels, dict):
        return fallback
    language = (get_language() or "en")[:2]
    return labels.get(language) or labels.get("en") or fallback


def graph_preview(graph: dict | None) -> GraphPreview:
    """Boxes at the nodes' editor positions (or in a row when a graph has none), edges as curves. Read-only."""
    registry = load_builtin_nodes()
    raw_nodes = [n for n in (graph or {}).get("nodes", []) if isinstance(n, dict) and isinstance(n.get("id"), str)]
    notes_of = [getattr(registry.get(n.get("type")), "category", "") == "note" for n in raw_nodes]
    notes = [str((n.get("parameters") or {}).get("text", "")) for n, is_note in zip(raw_nodes, notes_of, strict=True) if is_note]
    raw_nodes = [n for n, is_note in zip(raw_nodes, notes_of, strict=True) if not is_note]
    truncated = len(raw_nodes) > MAX_PREVIEW_NODES
    raw_nodes = raw_nodes[:MAX_PREVIEW_NODES]
    positions = {}
    for index, node in enumerate(raw_nodes):
        position = node.get("position")
        if isinstance(position, (list, tuple)) and len(position) == 2 and all(isinstance(v, (int, float)) for v in position):
            positions[node["id"]] = (float(position[0]), float(position[1]))
        else:
            positions[node["id"]] = (index * (NODE_WIDTH + 60.0), 0.0)
    if not positions:
        return GraphPreview(width=NODE_WIDTH + 2 * MARGIN, height=NODE_HEIGHT + 2 * MARGIN, notes=notes)
    left = min(x for x, _ in positions.values())
    top = min(y for _, y in positions.values())
    nodes = []
    for node in raw_nodes:
        node_type = registry.get(node.get("type")) if isinstance(node.get("type"), str) else None
        x, y = positions[node["id"]]
        nodes.append(
            PreviewNode(
                id=node["id"],
                name=str(node.get("name") or node["id"]),
                type_label=_label(node_type.label, str(node.get("type"))) if node_type else str(node.get("type")),
                category=node_type.category if node_type else "unknown",
                x=x - left + MARGIN,
                y=y - top + MARGIN,
            )
        )
    by_id = {node.id: node for node in nodes}
    edges, links = [], []
    for edge in (graph or {}).get("edges", []):
        if not isinstance(edge, dict):
            continue
        source, target = by_id.get(edge.get("source")), by_id.get(edge.get("target"))
        if source and target:
            edges.append(PreviewEdge(source.x + NODE_WIDTH, source.y + NODE_HEIGHT / 2, target.x, target.y + NODE_HEIGHT / 2))
            links.append((source.id, target.id))
    width = max(node.x for node in nodes) + NODE_WIDTH + MARGIN
    height = max(node.y for node in nodes) + NODE_HEIGHT + MARGIN
    preview = GraphPreview(width=width, height=height, nodes=nodes, edges=edges, notes=notes, truncated=truncated)
    preview.vertical = _top_to_bottom(nodes, links)
    return preview


def _short(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 160 else text[:157] + "…"


def readable_diff(before: dict | None, after: dict | None) -> dict:
    """graph_diff shaped for a page: node names, and values shortened to one line."""
    diff = graph_diff(before or {"nodes": [], "edges": []}, after or {"nodes": [], "edges": []})
    names = {n.get("id"): n.get("name") or n.get("id") for graph in (before or {}, after or {}) for n in graph.get("nodes", [])}
    return {
        "added": [n.get("name") or n.get("id") for n in diff["nodes"]["added"]],
        "removed": [n.get("name") or n.get("id") for n in diff["nodes"]["removed"]],
        "changed": [
            {
                "name": change["name"],
                "fields": [
                    {"path": path, "before": _short(v["before"]), "after": _short(v["after"])} for path, v in change["changes"].items()
                ],
            }
            for change in diff["nodes"]["changed"]
        ],
        "edges_added": [
            f"{names.get(e.get('source'), e.get('source'))} → {names.get(e.get('target'), e.get('target'))}" for e in diff["edges"]["added"]
        ],
        "edges_removed": [
            f"{names.get(e.get('source'), e.get('source'))} → {names.get(e.get('target'), e.get('target'))}"
            for e in diff["edges"]["removed"]
        ],
        "empty": not any(
            (diff["nodes"]["added"], diff["nodes"]["removed"], diff["nodes"]["changed"], diff["edges"]["added"], diff["edges"]["removed"])
        ),
    }


def tag_facets(*, organization=None, limit: int = 24) -> list[tuple[str, int]]:
    """The most used tags among listed templates, with counts (one query, tags unnested in PostgreSQL)."""
    listed = template_listed(organization=organization).values("pk")
    sql, params = listed.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tag, count(*) FROM marketplace_template, unnest(tags) AS tag WHERE id IN ({sql}) "  # noqa: S608 (Django-built)
            "GROUP BY tag ORDER BY count(*) DESC, tag LIMIT %s",
            [*params, limit],
        )
        return [(tag, count) for tag, count in cursor.fetchall()]


def node_type_choices() -> list[tuple[str, str]]:
    """Node types worth filtering by (triggers, actions, and steps that run code or wait), labelled in the current language."""
    return [
        (node_type.key, _label(node_type.label, node_type.key))
        for node_type in load_builtin_nodes().all()
        if node_type.category in ("trigger", "action") or node_type.blocking
    ]


def installs_of_template(*, organization, template) -> list:
    """This organization's flows installed from the template (in its schema), newest first."""
    if organization is None or getattr(organization, "is_public", False):
        return []
    from apps.flows.models import Flow

    with tenant_context(organization):
        return list(Flow.objects.filter(origin_template_id=template.pk).only("id", "name", "origin_version_id").order_by("-id")[:5])


def organization_flow(*, organization, flow_id):
    from apps.flows.models import Flow

    with tenant_context(organization):
        return Flow.objects.filter(pk=flow_id).first()


def organization_flows(*, organization) -> list:
    from apps.flows.models import Flow

    with tenant_context(organization):
        return list(Flow.objects.only("id", "name", "updated_at", "origin_template_id").order_by("-updated_at", "-id")[:200])


def variables_in(graph: dict) -> set[str]:
    """Organization variables (`vars.name`) the graph's expressions use: the installer may need to create them."""
    from apps.marketplace.content import VARIABLE_RE

    return set(VARIABLE_RE.findall(json.dumps(graph or {}, ensure_ascii=False)))


def removed_labels(removed: list[dict]) -> list[dict]:
    """The publish preview's removed parts, with what each kind means in words."""
    from django.utils.translation import gettext as _

    kinds = {
        "credential": _("credential choice"),
        "secret": _("secret (a password, key or token typed into a setting)"),
        "pinned": _("pinned test data"),
        "header": _("secret-looking header or parameter value"),
    }
    return [
        {
            **entry,
            "kind_label": kinds.get(entry.get("kind"), entry.get("kind")),
            # a setting's name helps find it; "pinned" is no place a person knows (the label says it in words)
            "where": "" if entry.get("kind") == "pinned" else entry.get("path", "").removeprefix("parameters."),
        }
        for entry in removed
    ]


def readable_conflicts(conflicts: list[dict]) -> list[dict]:
    return [
        {
            "node_name": c.get("node_name") or c.get("node_id") or "",
            "path": c.get("path") or "",
            "local": _short(c.get("local")),
            "upstream": _short(c.get("upstream")),
        }
        for c in conflicts
    ]


def variable_values(*, names) -> dict[str, str]:
    """Current values of these organization variables (the request's schema is the organization's)."""
    from apps.flows.models import Variable

    return dict(Variable.objects.filter(name__in=list(names)).values_list("name", "value"))


def shipped_variable_help(template) -> dict[str, dict]:
    """For EZFlow's own templates: the example and help of each variable, from the shipped file (else nothing)."""
    from apps.marketplace.content import shipped_templates
    from apps.marketplace.content.loader import AUTHOR_SLUG

    if template is None or template.author_organization.slug != AUTHOR_SLUG:
        return {}
    language = (get_language() or "en")[:2]
    for content in shipped_templates():
        if template.title in content["title"].values():
            return {v["name"]: {"example": v["example"], "help": v["help"].get(language) or v["help"]["en"]} for v in content["variables"]}
    return {}
