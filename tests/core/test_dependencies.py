"""What the product imports at run time is in the runtime part of requirements.txt, and no module reaches into
another module's private names (a leading underscore means "only here")."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_PACKAGES = ("apps", "ezflow_site")
DEVELOPMENT_ONLY = {"ezflow_site/compile_messages.py"}  # `make messages`, never imported by the product


def _modules():
    for package in RUNTIME_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts and str(path.relative_to(ROOT)) not in DEVELOPMENT_ONLY:
                yield path, ast.parse(path.read_text(encoding="utf-8"))


def _runtime_requirements() -> set[str]:
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8").split("# Development and tests")[0]
    names = set()
    for line in text.splitlines():
        match = re.match(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?==", line.strip())
        if match:
            names.add(re.sub(r"[-_.]+", "-", match.group(1)).lower())
    return names


def test_every_third_party_import_is_a_pinned_runtime_requirement():
    distributions = packages_distributions()
    required = _runtime_requirements()
    missing = set()
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                tops = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops = [node.module.split(".")[0]]
            else:
                continue
            for top in tops:
                if top in sys.stdlib_module_names or top in RUNTIME_PACKAGES:
                    continue
                names = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(top, [top])}
                if not names & required:
                    missing.add(f"{path.relative_to(ROOT)} imports {top} ({', '.join(sorted(names))})")
    assert not missing, "\n".join(sorted(missing))


def test_no_module_imports_a_private_name_of_another_module():
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in RUNTIME_PACKAGES:
                found += [f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    assert found == [], "\n".join(found)
