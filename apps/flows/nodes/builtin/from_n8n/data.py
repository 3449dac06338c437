import json
import re

from apps.flows.nodes.n8n import Converted, conditions, convert_expression, int_or, warning


def set_fields(node: dict) -> Converted:
    p = node.get("parameters") or {}
    name = node.get("name", "")
    warnings: list[dict] = []

    def conv(value, path="parameters"):
        return convert_expression(value, warnings, name, path)

    fields = []
    assignments = (p.get("assignments") or {}).get("assignments")
    if assignments is not None:  # Set 3.3 and later
        fields = [{"name": conv(a.get("name", "")), "value": conv(_typed(a.get("value"), a.get("type", "string")))} for a in assignments]
        keep = p.get("includeOtherFields", False)
        if p.get("include") in ("selected", "except"):
            warnings.append(warning(node, "option_review", "Only some other fields were kept in n8n; here all are kept."))
            keep = True
    elif "fields" in p:  # Set 3.0 - 3.2
        fields = set_fields_v3(p, conv)
        keep = p.get("includeOtherFields", False) or p.get("include") in ("all", "selected", "except")
    else:
        for group in ("string", "number", "boolean"):
            fields += [{"name": v.get("name", ""), "value": conv(v.get("value"))} for v in (p.get("values") or {}).get(group) or []]
        keep = not p.get("keepOnlySet", False)
    return {"fields": fields, "keep_other_fields": bool(keep)}, warnings


def filter_items(node: dict) -> Converted:
    warnings: list[dict] = []
    found, combine = conditions(node.get("parameters") or {}, warnings, node.get("name", ""))
    return {"conditions": found, "combine": combine}, warnings


def _fields_list(value) -> list[str]:
    """n8n's "field1, field2" text (or a list of {fieldToSplitOut}/{fieldName}) as a list of names."""
    if isinstance(value, list):
        return [str(v.get("fieldToAggregate") or v.get("fieldName") or v.get("field") or "") for v in value if isinstance(v, dict)]
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def is_raw_set(node: dict) -> bool:
    p = node.get("parameters") or {}
    return p.get("mode") == "raw" or "jsonOutput" in p


def raw_set(node: dict) -> Converted:
    """Set's JSON mode becomes a JavaScript step doing what n8n does: evaluate the JSON template, parse it, and merge
    it into the item (or replace the item when other fields are not kept)."""
    p = node.get("parameters") or {}
    template = p.get("jsonOutput", "{}")
    include = p.get("includeOtherFields", False)
    keep = "$json" if include is True or p.get("include") == "all" else "{}"
    code = (
        "// Imported from n8n's Set node in JSON mode.\n"
        f"const output = $evaluateExpression({json.dumps(template)});\n"
        "const value = typeof output === 'string' ? JSON.parse(output) : output;\n"
        f"return {{ json: {{ ...{keep}, ...value }} }};\n"
    )
    return {"mode": "each", "code": code}, []


_SET_TYPES = {"number": "numberValue", "boolean": "booleanValue", "array": "arrayValue", "object": "objectValue"}


def _typed(value, kind: str):
    """A literal typed in n8n's Set v3 fields ("5" as a number) as that type; expressions stay as they are."""
    if not isinstance(value, str) or value.startswith("="):
        return value
    try:
        if kind == "number":
            number = float(value)
            return int(number) if number.is_integer() else number
        if kind == "boolean":
            return value.strip().lower() == "true"
        if kind in ("array", "object"):
            return json.loads(value)
    except ValueError:
        return value
    return value


def set_fields_v3(p: dict, conv) -> list[dict]:
    fields = []
    for entry in (p.get("fields") or {}).get("values") or []:  # Set 3.0 - 3.2
        kind = entry.get("type", "stringValue")
        value = entry.get(kind if kind.endswith("Value") else _SET_TYPES.get(kind, "stringValue"), entry.get("stringValue", ""))
        fields.append({"name": conv(entry.get("name", "")), "value": conv(_typed(value, kind.removesuffix("Value")))})
    return fields


def is_empty_set(node: dict) -> bool:
    if is_raw_set(node):
        return False
    fields, _ = set_fields(node)
    return not fields["fields"]


def empty_set(node: dict) -> Converted:
    """A Set node with no fields passes its items on (keeping other fields) or empties them."""
    fields, warnings = set_fields(node)
    if not fields["keep_other_fields"]:
        warnings.append(warning(node, "mode_review", "This Set node sets no fields and keeps no others; here it passes items on."))
    return {}, warnings


def split_out(node: dict) -> Converted:
    p = node.get("parameters") or {}
    fields = _fields_list(p.get("fieldToSplitOut", ""))
    warnings = []
    if len(fields) > 1:
        warnings.append(warning(node, "option_review", f"n8n split several fields ({', '.join(fields)}); here only “{fields[0]}”."))
    include = p.get("include", "noOtherFields") != "noOtherFields"
    return {"field": fields[0] if fields else "", "include_other_fields": include}, warnings


def aggregate(node: dict) -> Converted:
    p = node.get("parameters") or {}
    if p.get("aggregate") == "aggregateAllItemData":
        return {"mode": "all", "output_field": p.get("destinationFieldName", "data") or "data"}, []
    fields = _fields_list((p.get("fieldsToAggregate") or {}).get("fieldToAggregate") or [])
    return {"mode": "fields", "fields": [{"name": name} for name in fields if name]} if fields else {"mode": "all"}, []


def limit(node: dict) -> Converted:
    p = node.get("parameters") or {}
    keep = "last" if p.get("keep") == "lastItems" else "first"
    return {"max_items": max(int_or(p.get("maxItems", 1), 1), 1), "keep": keep}, []


def sort(node: dict) -> Converted:
    p = node.get("parameters") or {}
    fields = (p.get("sortFieldsUi") or {}).get("sortField") or []
    warnings = []
    if p.get("type") in ("random", "code") or not fields:
        warnings.append(warning(node, "mode_review", "Only sorting by a field has an EZFlow equivalent; check the order."))
    first = fields[0] if fields else {}
    if len(fields) > 1:
        warnings.append(warning(node, "option_review", "n8n sorted by several fields; here only by the first."))
    order = "desc" if first.get("order") == "descending" else "asc"
    return {"field": first.get("fieldName", ""), "order": order}, warnings


def remove_duplicates(node: dict) -> Converted:
    p = node.get("parameters") or {}
    if p.get("compare") == "selectedFields":
        return {"fields": [{"name": name} for name in _fields_list(p.get("fieldsToCompare", ""))]}, []
    return {"fields": []}, []


def rename_keys(node: dict) -> Converted:
    keys = ((node.get("parameters") or {}).get("keys") or {}).get("key") or []
    return {"renames": [{"from": k.get("currentKey", ""), "to": k.get("newKey", "")} for k in keys]}, []


ITEM_LISTS = {
    "splitOutItems": "data.split_out",
    "aggregateItems": "data.aggregate",
    "removeDuplicates": "data.dedupe",
    "sort": "data.sort",
    "limit": "data.limit",
}


def item_lists_is(operation: str):
    return lambda node: (node.get("parameters") or {}).get("operation", "splitOutItems") == operation


def crypto(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings: list[dict] = []
    name = node.get("name", "")
    action = p.get("action", "hash")
    if action == "generate":
        return None  # random values: a JavaScript step does it (crypto.randomUUID is not in the sandbox)
    kind = str(p.get("type", "MD5")).lower()
    operation = {"md5": "md5", "sha1": "sha1", "sha256": "sha256", "sha512": "sha512"}.get(kind, "sha256")
    if action == "hmac":
        operation = "hmac_sha256"
        if kind != "sha256":
            warnings.append(warning(node, "mode_review", f"HMAC with {kind} became HMAC-SHA256."))
    elif action not in ("hash",):
        warnings.append(warning(node, "mode_review", f"The crypto action “{action}” has no EZFlow equivalent; it became a hash."))
    secret = p.get("secret", "")
    if secret:
        warnings.append(warning(node, "secret_not_imported", "The HMAC secret was not imported; enter it again."))
    return {
        "operation": operation,
        "value": convert_expression(p.get("value", ""), warnings, name, "value"),
        "secret": "",
        "output_field": p.get("dataPropertyName", "data") or "data",
    }, warnings


def html(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings: list[dict] = []
    values = (p.get("extractionValues") or {}).get("values") or []
    if p.get("operation", "extractHtmlContent") != "extractHtmlContent" or not values:
        return None
    field = p.get("dataPropertyName", "data") or "data"
    extract = []
    for v in values:
        selector, every = str(v.get("cssSelector", "")), bool(v.get("returnArray", False))
        # n8n's selectors are jQuery's (cheerio): a trailing :first is the first match, what a single value already is
        if selector.endswith(":first") and not every:
            selector = selector[: -len(":first")]
        elif re.search(r":(first|last|eq\(|gt\(|lt\(|even|odd)", selector):
            warnings.append(warning(node, "option_review", f"The selector “{selector}” uses jQuery-only syntax; write it as CSS."))
        extract.append(
            {
                "name": v.get("key", ""),
                "selector": selector,
                "attribute": v.get("attribute", "") if v.get("returnValue") == "attribute" else "",
                "all": every,
            }
        )
    return {"html": "={{ $json[" + json.dumps(field) + "] }}", "extract": extract}, warnings


def xml(node: dict) -> Converted:
    p = node.get("parameters") or {}
    field = p.get("dataPropertyName", "data") or "data"
    direction = "to_xml" if p.get("mode") == "jsonToxml" else "to_json"
    value = "={{ $json[" + json.dumps(field) + "] }}" if direction == "to_json" else "={{ JSON.stringify($json) }}"
    return {"direction": direction, "value": value, "output_field": field}, []


def markdown(node: dict) -> Converted:
    """n8n's Markdown node: HTML to Markdown (its default) or Markdown to HTML, into `destinationKey` ("data")."""
    p = node.get("parameters") or {}
    warnings: list[dict] = []
    options = p.get("options") or {}
    to_html = p.get("mode", "htmlToMarkdown") == "markdownToHtml"
    converted = {
        "direction": "to_html" if to_html else "to_markdown",
        "text": p.get("markdown", "") if to_html else p.get("html", ""),
        "ignore": str(options.get("ignore") or ""),
        "tables": options.get("tables", True) is not False,
        "document": bool(options.get("completeHTMLDocument", False)),
        "output_field": str(p.get("destinationKey") or "data"),
    }
    known = {"ignore", "tables", "completeHTMLDocument"}
    if set(options) - known:
        warnings.append(
            warning(node, "option_review", "Some formatting options were not imported: " + ", ".join(sorted(set(options) - known)))
        )
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings


_AGGREGATIONS = {"countUnique": "count_unique", "appendUnique": "append"}
_SEPARATORS = {"comma": ",", "commaSpace": ", ", "newLine": "\n", "none": "", "space": " "}


def summarize(node: dict) -> Converted:
    """n8n's Summarize node (v1): aggregations of fields, optionally split by fields, one item per group."""
    p = node.get("parameters") or {}
    warnings: list[dict] = []
    options = p.get("options") or {}
    summaries = []
    for entry in (p.get("fieldsToSummarize") or {}).get("values") or []:
        if not isinstance(entry, dict):
            continue
        how = entry.get("aggregation", "count")
        separator = entry.get("separateBy", ",")
        separator = entry.get("customSeparator", "") if separator == "other" else _SEPARATORS.get(separator, separator)
        if isinstance(separator, str) and entry.get("separateBy") == "other":
            separator = separator.replace("\\n", "\n").replace("\\t", "\t")
        if how == "appendUnique":
            warnings.append(warning(node, "option_review", "“Append unique” became “append”: duplicates are kept."))
        summaries.append({"aggregation": _AGGREGATIONS.get(how, how), "field": entry.get("field", ""), "separator": separator})
    if options.get("outputFormat") == "singleItem":
        warnings.append(warning(node, "option_review", "n8n gave all groups in one item; here each group is an item."))
    include_empty = any(isinstance(e, dict) and e.get("includeEmpty") for e in (p.get("fieldsToSummarize") or {}).get("values") or [])
    converted = {"summaries": summaries, "group_by": _fields_list(p.get("fieldsToSplitBy", "")), "include_empty": include_empty}
    return converted, warnings
