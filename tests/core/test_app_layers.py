"""Apps depend one way (docs/architecture.md). The graph is built from every import statement in apps/, those inside
functions too (migrations excluded), so a cycle or an upward import fails here, not in review."""

from __future__ import annotations

import ast
from pathlib import Path

APPS = Path(__file__).resolve().parents[2] / "apps"
# Lowest first: an app may import only apps before it in this list.
LAYERS = [
    "core",
    "accounts",
    "files",
    "flows",
    "runs",
    "connectors",
    "ai",
    "documents",
    "browser",
    "notifications",
    "marketplace",
    "assistant",
]


def imports_between_apps() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(APPS.rglob("*.py")):
        relative = path.relative_to(APPS)
        if "migrations" in relative.parts:
            continue
        app = relative.parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                parts = module.split(".")
                if parts[0] == "apps" and len(parts) > 1 and parts[1] != app:
                    edges.setdefault((app, parts[1]), []).append(f"apps/{relative}:{node.lineno} imports {module}")
    return edges


def find_cycle(edges) -> list[str] | None:
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for following in sorted(graph.get(node, ())):
            if state.get(following) == 1:
                return stack[stack.index(following) :] + [following]
            if following not in state and (cycle := visit(following)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_every_app_has_a_layer():
    apps = {p.name for p in APPS.iterdir() if (p / "apps.py").exists()}
    assert apps <= set(LAYERS), f"add {sorted(apps - set(LAYERS))} to LAYERS here and in docs/architecture.md"


def test_the_app_import_graph_has_no_cycle():
    assert find_cycle(imports_between_apps()) is None


def test_no_app_imports_a_higher_one():
    rank = {name: index for index, name in enumerate(LAYERS)}
    upward = [line for (source, target), lines in imports_between_apps().items() if rank[target] > rank[source] for line in lines]
    assert upward == [], "\n".join(upward)


def test_the_checks_see_imports_inside_functions_and_report_a_cycle():
    source = "def later():\n    from apps.runs.models import Run\n"
    node = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom))
    assert node.module == "apps.runs.models"  # ast.walk reaches imports nested in functions
    assert find_cycle({("a", "b"): [], ("b", "c"): [], ("c", "a"): []}) == ["a", "b", "c", "a"]
    assert find_cycle({("a", "b"): [], ("b", "c"): []}) is None
