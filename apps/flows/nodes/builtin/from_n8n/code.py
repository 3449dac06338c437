import re

from apps.flows.nodes.n8n import Converted, warning


def python(node: dict) -> Converted | None:
    p = node.get("parameters") or {}
    if p.get("language") not in ("python", "pythonNative"):
        return None  # JavaScript cannot run in EZFlow's Python code node
    warnings = [warning(node, "code_review", "Python code was imported as is: use `items` and set `result`.")]
    return {"code": p.get("pythonCode", ""), "mode": "each" if p.get("mode") == "runOnceForEachItem" else "all"}, warnings


def is_python(node: dict) -> bool:
    return (node.get("parameters") or {}).get("language") in ("python", "pythonNative")


# n8n features a Code node may use that EZFlow's JavaScript runtime does not have (apps/flows/sandbox/js/runtime.js);
# $getWorkflowStaticData it has (apps/flows/engine/flow_state.py)
MISSING = ("$binary", "$jmespath", "$fromAI", "$secrets", "this.helpers")


def _review(node: dict, code: str) -> list[dict]:
    found = [name for name in MISSING if re.search(re.escape(name) + r"(?![\w$])", code)]
    if not found:
        return []
    return [
        warning(node, "code_review", f"This code uses {', '.join(found)}, which EZFlow does not have: the step fails where it is used.")
    ]


def javascript(node: dict) -> Converted | None:
    p = node.get("parameters") or {}
    if is_python(node):
        return None
    if "functionCode" in p:  # the older Function node (all items) and Function Item node (one item)
        return {"code": p.get("functionCode", ""), "mode": "all"}, _review(node, str(p.get("functionCode", "")))
    if "functionItemCode" in p:
        return {"code": p.get("functionItemCode", ""), "mode": "each"}, _review(node, str(p.get("functionItemCode", "")))
    mode = "each" if p.get("mode") == "runOnceForEachItem" else "all"
    return {"code": p.get("jsCode", ""), "mode": mode}, _review(node, str(p.get("jsCode", "")))
