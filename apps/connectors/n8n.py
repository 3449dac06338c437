"""Converters from n8n's service nodes (Telegram, Gmail, Google Sheets, Airtable, RSS) to the connector steps.

Each handles the operations the matching step does; another operation of the same n8n node is not imported by it
(the converter's `when` says no) and becomes a placeholder. Credentials are never imported: the report lists them.
"""

from __future__ import annotations

import re
from typing import Any

from apps.flows.nodes.n8n import Converted, convert_expression, int_or, pairs, warning

CREDENTIAL = "Choose the account to use (credentials are never imported)."


def locator(value: Any) -> Any:
    """n8n's resource locator ({"__rl": true, "mode": "list", "value": ...}) as its value."""
    if isinstance(value, dict) and "value" in value:
        return value.get("value", "")
    return value if value is not None else ""


def operation_in(*operations: str, resource: str = "", resources: tuple[str, ...] = (), default: str = ""):
    """Accepts the n8n nodes doing one of `operations`; a node without one does n8n's `default` (else the first given)."""

    def accepts(node: dict) -> bool:
        p = node.get("parameters") or {}
        return p.get("operation", default or operations[0]) in operations and p.get("resource", resource) in (resource, *resources)

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


# ---- PostgreSQL -------------------------------------------------------------------------------------------------
# n8n's Postgres node either runs SQL with positional values ($1, $2 from "Query Parameters") or builds the statement
# from a table and column mapping. Both become our query step with named parameters (:p1), so values always travel
# apart from the SQL; an n8n expression written inside the SQL text becomes a parameter too, not pasted-in text.

_SQL_WRITES = ("insert", "update", "delete", "merge", "create", "alter", "drop", "truncate", "grant", "revoke", "do", "call", "copy")
_POSITIONAL = re.compile(r"\$(\d+)(?!\$)")


def _split_outside_braces(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    index = 0
    while index < len(text):
        if text.startswith("{{", index):
            depth += 1
            current.append("{{")
            index += 2
            continue
        if text.startswith("}}", index) and depth:
            depth -= 1
            current.append("}}")
            index += 2
            continue
        if text[index] == "," and not depth:
            parts.append("".join(current))
            current = []
        else:
            current.append(text[index])
        index += 1
    parts.append("".join(current))
    return [part.strip() for part in parts]


def _query_values(replacement: Any) -> list[Any]:
    """n8n's "Query Parameters": an expression giving an array, or values separated by commas (each may be an expression)."""
    if isinstance(replacement, list):
        return replacement
    text = str(replacement or "").strip()
    if not text:
        return []
    if text.startswith("="):
        body = text[1:].strip()
        whole = body.startswith("{{") and body.endswith("}}") and body.count("{{") == 1
        if whole and body[2:-2].strip().startswith("["):
            inner = body[2:-2].strip()
            count = len(_split_outside_braces(inner[1:-1])) if inner.endswith("]") else 0
            return [f"={{{{ ({inner})[{i}] }}}}" for i in range(count)]
        return [f"={part}" if "{{" in part else part for part in _split_outside_braces(body)]
    return _split_outside_braces(text)


def _expressions_to_parameters(sql: str, parameters: dict) -> tuple[str, bool]:
    """SQL written as an n8n expression: each quoted literal holding {{ }} and each bare {{ }} becomes :eN."""
    out, index, bare = [], 0, False
    while index < len(sql):
        char = sql[index]
        if char == "'":
            end = index + 1
            while end < len(sql):
                if sql.startswith("{{", end):  # quotes inside an expression ($('Node')) do not end the SQL literal
                    close = sql.find("}}", end)
                    end = len(sql) if close < 0 else close + 2
                    continue
                if sql[end] == "'" and sql[end + 1 : end + 2] == "'":
                    end += 2
                    continue
                if sql[end] == "'":
                    break
                end += 1
            literal = sql[index + 1 : end]
            if "{{" in literal:
                name = f"e{len(parameters) + 1}"
                parameters[name] = "=" + literal.replace("''", "'")
                out.append(f":{name}")
            else:
                out.append(sql[index : end + 1])
            index = end + 1
            continue
        if sql.startswith("{{", index):
            end = sql.find("}}", index)
            end = len(sql) if end < 0 else end + 2
            name = f"e{len(parameters) + 1}"
            parameters[name] = "=" + sql[index:end]
            out.append(f":{name}")
            bare = True
            index = end
            continue
        out.append(char)
        index += 1
    return "".join(out), bare


def _reads_only(sql: str) -> bool:
    words = set(re.findall(r"[a-z]+", re.sub(r"'[^']*'", "", sql.lower())))
    return bool(re.match(r"^\s*(select|with|values|table|show|explain)\b", sql, re.IGNORECASE)) and not words & set(_SQL_WRITES)


def _quoted(name: Any) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in str(name).split(".") if part)


def _pg_table(p: dict) -> str:
    schema, table = str(locator(p.get("schema", "public")) or "public"), str(locator(p.get("table", "")))
    return _quoted(table if "." in table or schema == "public" else f"{schema}.{table}")


def postgres_query(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    operation = p.get("operation", "insert")
    parameters: dict = {}
    if operation == "executeQuery":
        sql = str(p.get("query", ""))
        values = _query_values((p.get("options") or {}).get("queryReplacement", p.get("additionalFields", {}).get("queryParams", "")))
        if sql.startswith("="):
            body = sql[1:].strip()
            if body.startswith("{{") and body.endswith("}}") and body.count("{{") == 1:
                warnings.append(
                    warning(
                        node, "option_review", "The whole SQL is made by an expression: check that no value from an item can change it."
                    )
                )
                return convert_expression(
                    {"query": sql, "parameters": {}, "read_only": False}, warnings, node.get("name", ""), "parameters"
                ), warnings
            sql, bare = _expressions_to_parameters(body, parameters)
            if bare:
                warnings.append(
                    warning(
                        node, "option_review", "Expressions in the SQL became parameters (:e1…); check none was a table or column name."
                    )
                )
        for number, value in enumerate(values, start=1):
            parameters[f"p{number}"] = value
        sql = _POSITIONAL.sub(lambda m: f":p{m.group(1)}", sql) if values else sql
    else:
        columns = p.get("columns") if isinstance(p.get("columns"), dict) else {}
        mapped = dict(columns.get("value") or {})
        table = _pg_table(p)
        if operation == "select":
            wheres = [w for w in (p.get("where") or {}).get("values") or [] if isinstance(w, dict) and w.get("column")]
            clauses = []
            for number, where in enumerate(wheres, start=1):
                operator = {"equal": "=", "!=": "<>", "notEqual": "<>", "LIKE": "LIKE", ">": ">", "<": "<", ">=": ">=", "<=": "<="}.get(
                    where.get("condition", "equal"), "="
                )
                clauses.append(f"{_quoted(where['column'])} {operator} :w{number}")
                parameters[f"w{number}"] = where.get("value", "")
            combine = " OR " if p.get("combineConditions") == "OR" else " AND "
            sql = f"SELECT * FROM {table}" + (f" WHERE {combine.join(clauses)}" if clauses else "")  # noqa: S608
            if not p.get("returnAll"):
                sql += f" LIMIT {max(int_or(p.get('limit'), 50), 1)}"  # n8n reads 50 rows unless told otherwise
        elif operation in ("insert", "upsert", "update") and mapped:
            names = list(mapped)
            for number, name in enumerate(names, start=1):
                parameters[f"c{number}"] = mapped[name]
            marks = {name: f":c{number}" for number, name in enumerate(names, start=1)}
            matching = [str(m) for m in columns.get("matchingColumns") or [] if m in mapped]
            if operation == "update":
                if not matching:
                    return None
                sets = ", ".join(f"{_quoted(n)} = {marks[n]}" for n in names if n not in matching)
                where = " AND ".join(f"{_quoted(n)} = {marks[n]}" for n in matching)
                sql = f"UPDATE {table} SET {sets} WHERE {where} RETURNING *"  # noqa: S608
            else:
                sql = f"INSERT INTO {table} ({', '.join(_quoted(n) for n in names)}) VALUES ({', '.join(marks[n] for n in names)})"  # noqa: S608
                if operation == "upsert":
                    if not matching:
                        return None
                    updates = ", ".join(f"{_quoted(n)} = EXCLUDED.{_quoted(n)}" for n in names if n not in matching)
                    sql += f" ON CONFLICT ({', '.join(_quoted(n) for n in matching)}) DO " + (
                        f"UPDATE SET {updates}" if updates else "NOTHING"
                    )
                sql += " RETURNING *"
        else:
            return None
    converted = {"query": sql, "parameters": parameters, "read_only": _reads_only(sql)}
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings


def is_postgres_query(node: dict) -> bool:
    p = node.get("parameters") or {}
    operation = p.get("operation", "insert")
    if operation in ("executeQuery", "select"):
        return True
    columns = p.get("columns") if isinstance(p.get("columns"), dict) else {}
    return operation in ("insert", "upsert", "update") and columns.get("mappingMode") == "defineBelow" and bool(columns.get("value"))


def is_postgres_insert_items(node: dict) -> bool:
    p = node.get("parameters") or {}
    columns = p.get("columns")
    return p.get("operation", "insert") == "insert" and (
        isinstance(columns, str) or (columns or {}).get("mappingMode") == "autoMapInputData"
    )


def postgres_insert(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    columns = p.get("columns") if isinstance(p.get("columns"), str) else ""  # v1: "a,b,c"; v2 automatic: every field
    table = str(locator(p.get("table", "")))
    schema = str(locator(p.get("schema", "public")) or "public")
    return {"table": table if schema == "public" or "." in table else f"{schema}.{table}", "columns": columns}, warnings


# ---- Airtable update, Gmail labels, Google Drive, Notion --------------------------------------------------------


def airtable_update(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    fields = _columns(p)
    record_id = fields.pop("id", p.get("id", ""))
    if not record_id:
        return None
    converted = {**_base_table(p), "record_id": record_id, "fields": fields}
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings


def gmail_add_labels(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    labels = p.get("labelIds") or []
    labels = labels if isinstance(labels, list) else [labels]
    key = "remove" if p.get("operation") == "removeLabels" else "add"
    converted = {"message_id": p.get("messageId", ""), key: labels}
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings


def drive_download(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    options = p.get("options") or {}
    if options.get("googleFileConversion"):
        warnings.append(
            warning(node, "option_review", "Google Docs/Sheets conversion formats were not imported: check the file type you get.")
        )
    converted = {"file": locator(p.get("fileId", "")), "output_field": str(options.get("binaryPropertyName") or "data")}
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings


def drive_upload(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    folder = locator(p.get("folderId", p.get("parents", "root")))
    folder = folder[0] if isinstance(folder, list) and folder else folder
    converted = {
        "file_field": str(p.get("inputDataFieldName") or p.get("binaryPropertyName") or "data"),
        "folder": folder if folder and folder not in ("root", "My Drive") else "root",
        "file_name": p.get("name", ""),
    }
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings


def is_drive_upload(node: dict) -> bool:
    p = node.get("parameters") or {}
    return p.get("operation", "upload") == "upload" and p.get("resource", "file") == "file" and (p.get("binaryData", True) is not False)


_NOTION_VALUE_KEYS = (
    "title", "textContent", "urlValue", "numberValue", "checkboxValue", "selectValue", "multiSelectValue", "statusValue",
    "emailValue", "phoneValue", "date", "peopleValue", "relationValue",
)  # fmt: skip


def _notion_properties(p: dict) -> dict:
    found = {}
    for entry in (p.get("propertiesUi") or {}).get("propertyValues") or []:
        if not isinstance(entry, dict):
            continue
        name, _, kind = str(entry.get("key", "")).partition("|")
        value = next((entry[k] for k in _NOTION_VALUE_KEYS if k in entry), "")
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if kind == "checkbox" and isinstance(value, bool):
            value = "yes" if value else "no"
        found[(name, kind)] = value
    return found


def notion_create(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    properties = _notion_properties(p)
    title = p.get("title", "")
    for (name, kind), value in list(properties.items()):
        if kind == "title":
            title = title or value
            del properties[(name, kind)]
    blocks = (p.get("blockUi") or {}).get("blockValues") or []
    content = "\n\n".join(str(b.get("textContent", b.get("text", ""))) for b in blocks if isinstance(b, dict))
    if any(isinstance(b, dict) and b.get("richText") for b in blocks):
        warnings.append(warning(node, "option_review", "Rich-text blocks became plain text in the page."))
    converted = {
        "database": locator(p.get("databaseId", "")),
        "title": title,
        "fields": {name: value for (name, _kind), value in properties.items()},
        "content": content,
    }
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings


_NOTION_CONDITIONS = {"equals": "equals", "does_not_equal": "does_not_equal", "contains": "contains", "is_empty": "is_empty"}


def notion_query(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    conditions = []
    for entry in (p.get("filters") or {}).get("conditions") or []:
        if not isinstance(entry, dict):
            continue
        name, _, kind = str(entry.get("key", "")).partition("|")
        condition = entry.get("condition", "equals")
        value = next((entry[k] for k in entry if k.endswith("Value") or k in ("title", "date", "richTextValue")), True)
        notion_kind = {"title": "title", "rich_text": "rich_text"}.get(kind, kind or "rich_text")
        conditions.append({"property": name, notion_kind: {_NOTION_CONDITIONS.get(condition, condition): value}})
    if p.get("filterType") == "json" and p.get("filterJson"):
        warnings.append(warning(node, "option_review", "The filter was written as JSON in n8n: paste it into the filter here."))
    combine = "or" if (p.get("filters") or {}).get("match", p.get("matchType", "allFilters")) == "anyFilter" else "and"
    filter_value = conditions[0] if len(conditions) == 1 else ({combine: conditions} if conditions else None)
    converted = {"database": locator(p.get("databaseId", "")), "filter": filter_value}
    if not p.get("returnAll") and isinstance(p.get("limit"), int):
        converted["limit"] = p["limit"]
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings


# ---- Triggers ----------------------------------------------------------------------------------------------------


def _poll_minutes(p: dict, default: int) -> int:
    for entry in (p.get("pollTimes") or {}).get("item") or []:
        mode = entry.get("mode") if isinstance(entry, dict) else None
        if mode == "everyMinute":
            return 1
        if mode == "everyX":
            unit = entry.get("unit", "minutes")
            value = int_or(entry.get("value"), default)
            return max(1, min(1440, value * 60 if unit == "hours" else value))
        if mode in ("everyHour", "everyDay", "everyWeek", "everyMonth"):
            return {"everyHour": 60}.get(mode, 1440)
    return default


def gmail_trigger(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    filters = p.get("filters") or {}
    parts = [str(filters.get("q", "")).strip()]
    if filters.get("sender"):
        parts.append(f"from:{filters['sender']}")
    if filters.get("readStatus") == "unread":
        parts.append("is:unread")
    for label in filters.get("labelIds") or []:
        parts.append(f"label:{label}")
    if (p.get("options") or {}).get("downloadAttachments"):
        warnings.append(warning(node, "option_review", "Attachments are not downloaded by this trigger: add a step that reads them."))
    return {"query": " ".join(part for part in parts if part) or "in:inbox", "interval_minutes": _poll_minutes(p, 5)}, warnings


def telegram_trigger(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    updates = [u for u in p.get("updates") or ["message"] if isinstance(u, str)]
    if "*" in updates:
        updates = ["message", "edited_message", "channel_post", "callback_query"]
    if (p.get("additionalFields") or {}).get("download"):
        warnings.append(warning(node, "option_review", "Files sent to the bot are not downloaded by this trigger."))
    return {"updates": updates or ["message"]}, warnings


def imap_trigger(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings = [warning(node, "credential_not_imported", CREDENTIAL)]
    options = p.get("options") or {}
    criteria = str(options.get("customEmailConfig", "")).upper()
    return {"mailbox": p.get("mailbox", "INBOX") or "INBOX", "unread_only": "UNSEEN" in criteria or criteria == ""}, warnings


def rss_trigger(node: dict) -> Converted:
    p = node.get("parameters") or {}
    warnings: list[dict] = []
    converted = {"url": p.get("feedUrl", ""), "interval_minutes": _poll_minutes(p, 15)}
    return convert_expression(converted, warnings, node.get("name", ""), "parameters"), warnings
