from apps.flows.nodes.n8n import Converted, warning


def python(node: dict) -> Converted | None:
    p = node.get("parameters") or {}
    if p.get("language") not in ("python", "pythonNative"):
        return None  # JavaScript cannot run in EZFlow's Python code node
    warnings = [warning(node, "code_review", "Python code was imported as is: use `items` and set `result`.")]
    return {"code": p.get("pythonCode", ""), "mode": "each" if p.get("mode") == "runOnceForEachItem" else "all"}, warnings


def is_python(node: dict) -> bool:
    return (node.get("parameters") or {}).get("language") in ("python", "pythonNative")


def javascript(node: dict) -> Converted | None:
    p = node.get("parameters") or {}
    if is_python(node):
        return None
    if "functionCode" in p:  # the older Function node (all items) and Function Item node (one item)
        return {"code": p.get("functionCode", ""), "mode": "all"}, []
    if "functionItemCode" in p:
        return {"code": p.get("functionItemCode", ""), "mode": "each"}, []
    return {"code": p.get("jsCode", ""), "mode": "each" if p.get("mode") == "runOnceForEachItem" else "all"}, []
