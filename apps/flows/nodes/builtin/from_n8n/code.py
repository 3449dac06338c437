from apps.flows.nodes.n8n import Converted, warning


def python(node: dict) -> Converted | None:
    p = node.get("parameters") or {}
    if p.get("language") not in ("python", "pythonNative"):
        return None  # JavaScript cannot run in EZFlow's Python code node
    warnings = [warning(node, "code_review", "Python code was imported as is: use `items` and set `result`.")]
    return {"code": p.get("pythonCode", ""), "mode": "each" if p.get("mode") == "runOnceForEachItem" else "all"}, warnings
