"""Every message of the offline AI steps has its Korean translation, and every step its Korean labels."""

import ast
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext

from apps.flows.nodes.registry import registry

ROOT = Path(__file__).resolve().parents[3] / "apps" / "ai"


def _templates() -> set[str]:
    found = set()
    for folder in (ROOT / "offline", ROOT / "nodes" / "builtin" / "offline"):
        for path in folder.rglob("*.py"):
            for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(call, ast.Call) and getattr(call.func, "id", getattr(call.func, "attr", None)) == "gettext_noop":
                    found.add(call.args[0].value)
    return found


def test_error_messages_are_translated():
    templates = _templates()
    assert len(templates) >= 10
    with translation.override("ko"):
        missing = sorted(template for template in templates if gettext(template) == template)
    assert not missing, missing


def test_steps_have_korean_labels_descriptions_and_parameters():
    types = [registry.get(key) for key in sorted(registry.keys())]
    offline = [node for node in types if node.__module__.startswith("apps.ai.nodes.builtin.offline")]
    assert {node.key for node in offline} >= {"ai.sentiment", "ai.extract", "ai.mask", "ai.summarize", "ai.keywords", "ai.classify"}
    for node in offline:
        assert node.label["ko"] and node.description["ko"], node.key
        for param in node.params:
            assert param.label.get("ko"), (node.key, param.name)
