"""Converters from n8n's service nodes (Telegram, Gmail, Google Sheets, Airtable, RSS) to the connector steps.

Each handles the operations the matching step does; another operation of the same n8n node is not imported by it
(the converter's `when` says no) and becomes a placeholder. Credentials are never imported: the report lists them.
"""

from __future__ import annotations

from typing import Any

from apps.flows.nodes.n8n import Converted, convert_expression, pairs, warning

CREDENTIAL = "Choose the account to use (credentials are never imported)."


def locator(value: Any) -> Any:
    """n8n's resource locator ({"__rl": true, "mode": "list", "value": ...}) as its value."""
    if isinstance(value, dict) and "value" in value:
        return value.get("value", "")
    return value if value is not None else ""


def operation_in(*operations: str, resource: str = "", resources: tuple[str, ...] = ()):
    def accepts(node: dict) -> bool:
        p = node.get("parameters") or {}
        return p.get("operation", operations[0]) in operations and p.get("resource", resource) in (resource, *resources)

    return accepts


def _conv(node: dict, warnings: list):
    return lambda value, path: convert_expression(value, warnings, node.get("name", ""), path)


def telegram_message(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    conv = _conv(node, warnings)
    extra = p.get("additionalFields") or {}
    mode = {"HTML": "HTML", "MarkdownV2": "MarkdownV2"}.get(extra.get("parse_mode", ""), "")
    if extra.get("parse_mode") == "Markdown":
        warnings.append(warning(node, "option_review", "Telegram's old Markdown mode has no equivalent; the text is sent as plain text."))
    return {
        "chat_id": conv(p.get("chatId", ""), "chat_id"),
        "text": conv(p.get("text", ""), "text"),
        "parse_mode": mode,
        "silent": bool(extra.get("disable_notification", False)),
        "link_preview": not extra.get("disable_web_page_preview", False),
    }, warnings


def gmail_send(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    conv = _conv(node, warnings)
    options = p.get("options") or {}
    return {
        "to": conv(p.get("sendTo", p.get("toList", "")), "to"),
        "cc": conv(options.get("ccList", ""), "cc"),
        "bcc": conv(options.get("bccList", ""), "bcc"),
        "subject": conv(p.get("subject", ""), "subject"),
        "body": conv(p.get("message", ""), "body"),
        "html": p.get("emailType", "html") == "html",
    }, warnings


def gmail_list(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    filters = p.get("filters") or {}
    query = " ".join(
        part
        for part in (
            str(filters.get("q", "")),
            f"from:{filters['sender']}" if filters.get("sender") and not str(filters["sender"]).startswith("=") else "",
            "is:unread" if filters.get("readStatus") == "unread" else "",
        )
        if part
    )
    if any(str(v).startswith("=") for v in filters.values()):
        warnings.append(warning(node, "option_review", "A search filter given as an expression was left out; check the search."))
    limit = p.get("limit", 10) if not p.get("returnAll") else 100
    return {"query": query, "max_results": limit if isinstance(limit, int) else 10}, warnings


def _sheet(p: dict) -> dict:
    sheet = p.get("sheetName")
    name = sheet.get("cachedResultName") or sheet.get("value", "") if isinstance(sheet, dict) else (sheet or "")
    return {"spreadsheet": locator(p.get("documentId", p.get("sheetId", ""))), "sheet": name}


def sheets_read(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    if (p.get("filtersUI") or {}).get("values"):
        warnings.append(warning(node, "option_review", "Row filters were left out: all rows are read; add a filter step."))
    return {**_sheet(p), "range": p.get("range", "") if isinstance(p.get("range"), str) else ""}, warnings


def _columns(p: dict) -> dict:
    columns = p.get("columns")
    if isinstance(columns, dict) and isinstance(columns.get("value"), dict):
        return dict(columns["value"])
    values = (p.get("fieldsUi") or {}).get("values") or []
    return {str(v.get("column", "")): v.get("fieldValue", "") for v in values if isinstance(v, dict)}


def sheets_append(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    values = _columns(p)
    if not values:
        warnings.append(warning(node, "mode_review", "n8n mapped the columns automatically; list them here."))
    return {**_sheet(p), "values": convert_expression(values, warnings, node.get("name", ""), "values")}, warnings


def sheets_update(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    values = _columns(p)
    matching = (p.get("columns") or {}).get("matchingColumns") or [p.get("columnToMatchOn", "")]
    column = str(matching[0] if matching else "")
    match_value = values.pop(column, p.get("valueToMatchOn", ""))
    converted = {**_sheet(p), "find_by": "column", "column": column, "value": match_value, "values": values}
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings


def sheets_lookup(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    lookups = (p.get("lookupColumn"), p.get("lookupValue"))
    filters = (p.get("filtersUI") or {}).get("values") or []
    if filters and not lookups[0]:
        lookups = (filters[0].get("lookupColumn"), filters[0].get("lookupValue", ""))
    converted = {
        **_sheet(p),
        "column": lookups[0] or "",
        "value": lookups[1] or "",
        "first_only": not (p.get("options") or {}).get("returnAllMatches"),
    }
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings


def is_sheets_lookup(node: dict) -> bool:
    p = node.get("parameters") or {}
    return p.get("operation") == "lookup" or (p.get("operation", "read") == "read" and bool((p.get("filtersUI") or {}).get("values")))


def _base_table(p: dict) -> dict:
    return {"base": locator(p.get("base", p.get("application", ""))), "table": locator(p.get("table", ""))}


def airtable_list(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    options = p.get("additionalOptions") or p.get("options") or {}
    converted = {**_base_table(p), "formula": p.get("filterByFormula", options.get("filterByFormula", ""))}
    if not p.get("returnAll", True) and isinstance(p.get("limit"), int):
        converted["limit"] = p["limit"]
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings


def airtable_create(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    fields = _columns(p)
    raw = p.get("fields")
    if not fields and isinstance(raw, list):  # v1: ["Name", "=value", "Other", "=value"...] pairs
        fields = {str(raw[i]): raw[i + 1] for i in range(0, len(raw) - 1, 2)}
    if not fields:
        warnings.append(warning(node, "mode_review", "n8n sent all the item's fields; list the fields here."))
    converted = {**_base_table(p), "fields": fields}
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings


def rss_read(node: dict) -> Converted:
    warnings: list[dict] = []
    return {"url": convert_expression((node.get("parameters") or {}).get("url", ""), warnings, node.get("name", ""), "url")}, warnings


__all__ = ["pairs"]


def calendar_create(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    extra = p.get("additionalFields") or {}
    converted = {
        "calendar_id": locator(p.get("calendar", "primary")),
        "title": extra.get("summary", ""),
        "start": p.get("start", ""),
        "end": p.get("end", ""),
        "location": extra.get("location", ""),
        "description": extra.get("description", ""),
        "all_day": extra.get("allday") in ("yes", True),
    }
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings


def calendar_find(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    options = p.get("options") or {}
    converted = {
        "calendar_id": locator(p.get("calendar", "primary")),
        "from": p.get("timeMin", options.get("timeMin", "")),
        "to": p.get("timeMax", options.get("timeMax", "")),
        "query": options.get("query", ""),
    }
    if isinstance(p.get("limit"), int):
        converted["max_results"] = p["limit"]
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings


def is_discord_webhook(node: dict) -> bool:
    p = node.get("parameters") or {}
    return p.get("authentication", "webhook") == "webhook" and p.get("operation", "sendLegacy") in ("sendLegacy", "send")


def discord_webhook(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    options = p.get("options") or {}
    if p.get("embeds") or options.get("embeds"):
        warnings.append(warning(node, "option_review", "Embeds were left out: only the message text is sent."))
    converted = {"content": p.get("content", p.get("text", "")), "username": options.get("username", p.get("username", ""))}
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings
