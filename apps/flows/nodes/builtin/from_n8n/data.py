from apps.flows.nodes.n8n import Converted, conditions, convert_expression


def set_fields(node: dict) -> Converted:
    p = node.get("parameters") or {}
    name = node.get("name", "")
    warnings: list[dict] = []

    def conv(value, path="parameters"):
        return convert_expression(value, warnings, name, path)

    fields = []
    assignments = (p.get("assignments") or {}).get("assignments")
    if assignments is not None:
        fields = [{"name": a.get("name", ""), "value": conv(a.get("value"))} for a in assignments]
        keep = p.get("includeOtherFields", True) if "includeOtherFields" in p else True
    else:
        for group in ("string", "number", "boolean"):
            fields += [{"name": v.get("name", ""), "value": conv(v.get("value"))} for v in (p.get("values") or {}).get(group) or []]
        keep = not p.get("keepOnlySet", False)
    return {"fields": fields, "keep_other_fields": bool(keep)}, warnings


def filter_items(node: dict) -> Converted:
    warnings: list[dict] = []
    found, combine = conditions(node.get("parameters") or {}, warnings, node.get("name", ""))
    return {"conditions": found, "combine": combine}, warnings
