"""No module outside the step classes names a step type: everything else asks the registry about what a type
declares (its trigger kind, whether it blocks, its secrets, ports, versions and n8n mappings)."""

import ast
from pathlib import Path

from apps.flows.nodes.registry import registry

APPS = Path(__file__).resolve().parents[3] / "apps"


def _outside_step_classes(root: Path):
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        # Step classes live in apps/*/nodes/builtin/ and, one module per service, in apps/connectors/catalog/.
        if "migrations" in parts or parts[1:3] == ("nodes", "builtin") or parts[:2] == ("connectors", "catalog"):
            continue
        yield path


def _step_keys_written_in(root: Path, keys: set[str]) -> list[str]:
    found = []
    for path in _outside_step_classes(root):
        for literal in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(literal, ast.Constant) and literal.value in keys:
                found.append(f"{path.relative_to(root)}:{literal.lineno}: {literal.value!r}")
    return found


def test_no_module_outside_the_step_classes_lists_step_keys():
    keys = set(registry.keys())
    assert {"flow.switch", "trigger.webhook", "acme.route"} <= keys
    found = _step_keys_written_in(APPS, keys)
    assert found == [], "ask the registry about the type's declarations instead:\n" + "\n".join(found)


def test_the_scan_finds_keys_outside_step_classes_and_skips_the_classes(tmp_path):
    (tmp_path / "runs" / "nodes" / "builtin").mkdir(parents=True)
    (tmp_path / "runs" / "reporter.py").write_text('WAITS = {"flow.wait"}\nTEXT = "flow.wait is blocking"\n')
    (tmp_path / "runs" / "nodes" / "builtin" / "steps.py").write_text('key = "flow.wait"\n')
    assert _step_keys_written_in(tmp_path, {"flow.wait"}) == ["runs/reporter.py:1: 'flow.wait'"]
