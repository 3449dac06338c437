"""Converters from n8n's “Extract from File” node to the document steps, one per file format.

n8n keeps a file in an item's binary property (“data” unless renamed); an imported flow keeps it in the item field of
the same name, so the step that downloaded it and the step that reads it agree (docs/n8n.md)."""

from __future__ import annotations

from apps.documents import limits
from apps.flows.nodes.n8n import Converted, int_or, warning

EXTRACT = "n8n-nodes-base.extractFromFile"


def extract_is(*operations: str):
    def accepts(node: dict) -> bool:
        return (node.get("parameters") or {}).get("operation", "csv") in operations

    return accepts


def _field(p: dict) -> str:
    return str(p.get("binaryPropertyName") or "data")


def _encoding(options: dict) -> str:
    encoding = str(options.get("encoding") or "auto").lower().replace("_", "-")
    return {"utf8": "utf-8", "utf-8": "utf-8", "cp949": "cp949", "euc-kr": "cp949", "utf-16le": "utf-16", "utf16le": "utf-16"}.get(
        encoding, "auto"
    )


def pdf_text(node: dict) -> Converted:
    p = node.get("parameters") or {}
    options = p.get("options") or {}
    warnings: list[dict] = []
    max_pages = int_or(options.get("maxPages"), 0)
    if options.get("joinPages") is False:
        warnings.append(warning(node, "option_review", "n8n gave the pages as a list; the text is joined and the pages are in “pages”."))
    return {
        "file_field": _field(p),
        "pages": f"1-{max_pages}" if max_pages > 0 else "",
        "password": str(options.get("password") or ""),
        "output_field": "text",
    }, warnings


def excel_read(node: dict) -> Converted:
    p = node.get("parameters") or {}
    options = p.get("options") or {}
    warnings: list[dict] = []
    if options.get("rawData") or options.get("includeEmptyCells"):
        warnings.append(warning(node, "option_review", "Raw values and empty cells options were not imported."))
    return {
        "file_field": _field(p),
        "sheet": str(options.get("sheetName") or ""),
        "range": str(options.get("range") or ""),
        "header_row": 0 if options.get("headerRow") is False else 1,
        "skip_empty": not options.get("includeEmptyCells", False),
    }, warnings


def csv_read(node: dict) -> Converted:
    p = node.get("parameters") or {}
    options = p.get("options") or {}
    warnings: list[dict] = []
    delimiter = str(options.get("delimiter") or ",")
    delimiter = {"\\t": "tab", "\t": "tab"}.get(delimiter, delimiter)
    if delimiter not in (",", ";", "tab", "|"):
        warnings.append(warning(node, "option_review", f"The delimiter “{delimiter}” became a comma."))
        delimiter = ","
    if options.get("fromLine"):
        warnings.append(warning(node, "option_review", "“Start from line” was not imported: every row is read."))
    converted = {
        "file_field": _field(p),
        "encoding": _encoding(options),
        "delimiter": delimiter,
        "header": options.get("headerRow", True) is not False,
        "skip_empty": not options.get("includeEmptyCells", False),
    }
    if int_or(options.get("maxRowCount"), -1) > 0:
        converted["max_rows"] = min(int_or(options["maxRowCount"], 1), limits.MAX_ROWS)
    return converted, warnings


def text_read(node: dict) -> Converted:
    p = node.get("parameters") or {}
    options = p.get("options") or {}
    return {"file_field": _field(p), "encoding": _encoding(options), "output_field": str(options.get("destinationKey") or "data")}, []
