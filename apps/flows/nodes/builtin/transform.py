"""Converting data: hashes and encodings, HTML extraction, XML ↔ JSON, CSV."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io

from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, get_path, set_path, with_output_field
from apps.flows.nodes.builtin.from_n8n import data as from_n8n
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

MAX_TEXT = 5_000_000


def _text(value) -> str:
    text = "" if value is None else str(value)
    if len(text) > MAX_TEXT:
        raise NodeError(gettext_noop("The text is larger than 5 MB."), code="too_large")
    return text


@register
class Crypto(NodeType):
    key = "transform.crypto"
    n8n = (N8nMapping(("n8n-nodes-base.crypto",), from_n8n.crypto),)
    description = t(
        "Makes a hash or an HMAC signature, or encodes and decodes Base64 text.",
        "해시나 HMAC 서명을 만들거나 Base64로 인코딩·디코딩합니다.",
    )
    category = "transform"
    icon = "lock"
    label = t("Hash and encode", "해시와 인코딩")
    params = (
        Param(
            "operation",
            "select",
            t("Operation", "작업"),
            default="sha256",
            expressions=False,
            options=(
                ("md5", t("MD5 hash", "MD5 해시")),
                ("sha1", t("SHA-1 hash", "SHA-1 해시")),
                ("sha256", t("SHA-256 hash", "SHA-256 해시")),
                ("sha512", t("SHA-512 hash", "SHA-512 해시")),
                ("hmac_sha256", t("HMAC-SHA256 signature", "HMAC-SHA256 서명")),
                ("base64_encode", t("Base64 encode", "Base64 인코딩")),
                ("base64_decode", t("Base64 decode", "Base64 디코딩")),
            ),
        ),
        Param("value", "string", t("Value", "값"), required=True),
        Param("secret", "string", t("Secret (HMAC)", "비밀 키 (HMAC)"), default=""),
        Param("output_field", "string", t("Output field", "결과 필드"), default="result", expressions=False),
    )

    def execute(self, ctx):
        return with_output_field(ctx, lambda item, params: self._compute(params))

    @staticmethod
    def _compute(params: dict) -> str:
        data = _text(params["value"]).encode()
        op = params["operation"]
        if op in ("md5", "sha1", "sha256", "sha512"):
            return hashlib.new(op, data, usedforsecurity=False).hexdigest()
        if op == "hmac_sha256":
            return hmac.new(_text(params["secret"]).encode(), data, hashlib.sha256).hexdigest()
        if op == "base64_encode":
            return base64.b64encode(data).decode()
        try:
            return base64.b64decode(data, validate=True).decode("utf-8", errors="replace")
        except ValueError:
            raise NodeError(gettext_noop("The value is not valid Base64."), code="bad_base64") from None


@register
class HtmlExtract(NodeType):
    key = "transform.html"
    n8n = (N8nMapping(("n8n-nodes-base.html", "n8n-nodes-base.htmlExtract"), from_n8n.html),)
    category = "transform"
    icon = "code"
    label = t("Extract from HTML", "HTML에서 추출")
    description = t("Picks values out of a web page with CSS selectors.", "CSS 선택자로 웹 페이지에서 값을 뽑아냅니다.")
    params = (
        Param("html", "string", t("HTML", "HTML"), default="{{ json.body }}"),
        Param(
            "extract",
            "list",
            t("Values", "추출할 값"),
            default=[],
            expressions=False,
            item_fields=(
                Param("name", "string", t("Field", "필드"), required=True),
                Param("selector", "string", t("CSS selector", "CSS 선택자"), required=True),
                Param("attribute", "string", t("Attribute (empty: text)", "속성 (비우면 텍스트)")),
                Param("all", "boolean", t("All matches as a list", "모두 목록으로"), default=False),
            ),
        ),
    )

    def execute(self, ctx):
        from bs4 import BeautifulSoup

        out = []
        for _index, item, params in ctx.each():
            soup = BeautifulSoup(_text(params["html"]), "html.parser")
            result = copy_item(item)
            for rule in params["extract"] or []:
                try:
                    found = soup.select(rule["selector"])
                except Exception as exc:  # soupsieve raises its own errors for bad selectors
                    raise NodeError(
                        gettext_noop("The CSS selector “%(selector)s” is not valid: %(reason)s"),
                        code="bad_selector",
                        values={"selector": str(rule["selector"]), "reason": str(exc)},
                    ) from None
                values = [el.get(rule["attribute"]) if rule.get("attribute") else el.get_text(" ", strip=True) for el in found]
                set_path(result, rule["name"], values if rule.get("all") else (values[0] if values else None))
            out.append(result)
        return {"main": out}


@register
class Markdown(NodeType):
    key = "transform.markdown"
    n8n = (N8nMapping(("n8n-nodes-base.markdown",), from_n8n.markdown),)
    category = "transform"
    icon = "code"
    label = t("Markdown and HTML", "마크다운과 HTML")
    description = t(
        "Turns HTML into Markdown (for AI prompts, notes) or Markdown into HTML (for e-mails, pages).",
        "HTML을 마크다운으로(AI 프롬프트, 메모용), 또는 마크다운을 HTML로(메일, 웹 페이지용) 바꿉니다.",
    )
    aliases = ("markdown", "md", "html to markdown", "마크다운")
    params = (
        Param(
            "direction",
            "select",
            t("Convert", "변환"),
            default="to_markdown",
            expressions=False,
            options=(("to_markdown", t("HTML to Markdown", "HTML → 마크다운")), ("to_html", t("Markdown to HTML", "마크다운 → HTML"))),
        ),
        Param("text", "text", t("Text to convert", "바꿀 글"), default="{{ json.html }}"),
        Param(
            "ignore",
            "string",
            t("Leave out these tags (HTML to Markdown)", "뺄 태그(HTML → 마크다운)"),
            default="",
            help=t("Comma-separated, e.g. img,svg,iframe", "쉼표로 구분, 예: img,svg,iframe"),
        ),
        Param("tables", "boolean", t("Tables (Markdown to HTML)", "표 지원(마크다운 → HTML)"), default=True, expressions=False),
        Param("document", "boolean", t("A whole HTML document", "완전한 HTML 문서로"), default=False, expressions=False),
        Param("output_field", "string", t("Output field", "결과 필드"), default="data", expressions=False),
    )

    def execute(self, ctx):
        from apps.flows import markup

        def convert(item, params):
            text = _text(params["text"])
            if params["direction"] == "to_html":
                return markup.markdown_to_html(text, tables=bool(params["tables"]), document=bool(params["document"]))
            ignore = tuple(tag.strip().lower() for tag in str(params["ignore"] or "").split(",") if tag.strip())
            return markup.html_to_markdown(text, ignore=ignore)

        return with_output_field(ctx, convert)


@register
class XmlJson(NodeType):
    key = "transform.xml"
    n8n = (N8nMapping(("n8n-nodes-base.xml",), from_n8n.xml),)
    description = t("Turns XML into JSON items, or JSON into XML.", "XML을 JSON 항목으로, JSON을 XML로 바꿉니다.")
    category = "transform"
    icon = "code"
    label = t("XML ↔ JSON", "XML ↔ JSON")
    params = (
        Param(
            "direction",
            "select",
            t("Convert", "변환"),
            default="to_json",
            expressions=False,
            options=(("to_json", t("XML to JSON", "XML을 JSON으로")), ("to_xml", t("JSON to XML", "JSON을 XML로"))),
        ),
        Param("value", "string", t("Value", "값"), required=True),
        Param("output_field", "string", t("Output field", "결과 필드"), default="data", expressions=False),
    )

    def execute(self, ctx):
        return with_output_field(ctx, lambda item, params: self._convert(params))

    @staticmethod
    def _convert(params: dict):
        import xmltodict

        if params["direction"] == "to_json":
            try:
                return xmltodict.parse(_text(params["value"]), disable_entities=True)
            except Exception as exc:  # expat reports malformed XML, and refused entities, with its own error types
                raise NodeError(
                    gettext_noop("The XML could not be read: %(reason)s"), code="bad_xml", values={"reason": str(exc)}
                ) from None
        data = params["value"]
        if not isinstance(data, dict) or len(data) != 1:
            raise NodeError(gettext_noop("To build XML, give an object with exactly one top-level key (the root element)."), code="bad_xml")
        return xmltodict.unparse(data, pretty=True)


@register
class Csv(NodeType):
    key = "transform.csv"
    description = t("Turns CSV text into items, or items into CSV text.", "CSV 텍스트를 항목으로, 항목을 CSV 텍스트로 바꿉니다.")
    category = "transform"
    icon = "table"
    label = t("CSV", "CSV")
    per_item = False
    params = (
        Param(
            "direction",
            "select",
            t("Convert", "변환"),
            default="parse",
            expressions=False,
            options=(("parse", t("CSV text to items", "CSV 텍스트를 항목으로")), ("build", t("items to CSV text", "항목을 CSV 텍스트로"))),
        ),
        Param("field", "string", t("CSV text field", "CSV 텍스트 필드"), default="csv", expressions=False),
        Param("delimiter", "string", t("Delimiter", "구분자"), default=",", expressions=False),
    )

    def execute(self, ctx):
        params = ctx.params()
        delimiter = (params["delimiter"] or ",")[:1]
        if params["direction"] == "parse":
            out = []
            for item in ctx.items:
                text = _text(get_path(item, params["field"], ""))
                try:
                    out.extend(dict(row) for row in csv.DictReader(io.StringIO(text), delimiter=delimiter))
                except csv.Error as exc:
                    raise NodeError(
                        gettext_noop("The CSV could not be read: %(reason)s"), code="bad_csv", values={"reason": str(exc)}
                    ) from None
            return {"main": out}
        columns: list[str] = []
        for item in ctx.items:
            columns.extend(key for key in item if key not in columns)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
        writer.writeheader()
        for item in ctx.items:
            writer.writerow({k: (v if not isinstance(v, (dict, list)) else str(v)) for k, v in item.items()})
        return {"main": [{params["field"] or "csv": buffer.getvalue()}]}
