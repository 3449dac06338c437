"""Parameter values the sentence gives away: quoted words, addresses, channels, amounts, conditions."""

from __future__ import annotations

import re

from apps.flows.nodes.base import NodeType

QUOTED = re.compile(r"[\"'“”‘’「『]([^\"'“”‘’」』]{1,200})[\"'“”‘’」』]")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\d-])(?:\+82[- ]?)?0\d{1,2}-?\d{3,4}-?\d{4}(?![\d-])")
URL = re.compile(r"https?://[^\s'\"<>]+(?<![.,;:!?)])")
CHANNEL = re.compile(r"(?<![\w&])#([\w가-힣-]{1,80})")
KO_UNITS = {"억": 100_000_000, "천만": 10_000_000, "백만": 1_000_000, "만": 10_000, "천": 1_000}

QUERY_NAMES = ("query", "keyword", "keywords", "search", "q")
RECIPIENT_NAMES = ("to", "recipient", "recipients", "email", "emails")
URL_NAMES = ("url", "address", "endpoint")
CHANNEL_NAMES = ("channel", "channel_id", "conversation")


def amount(text: str) -> float | None:
    """A money amount or number: "10만원" → 100000, "100,000 won" → 100000, "$50" → 50."""
    ko = re.search(r"(\d+(?:\.\d+)?)\s*(억|천만|백만|만|천)\s*원?", text)
    if ko:
        return float(ko[1]) * KO_UNITS[ko[2]]
    plain = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*(?:원|won|krw|dollars?|usd)?", text, re.I)
    return float(plain[1].replace(",", "")) if plain else None


def quoted(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m[1].strip()) for m in QUOTED.finditer(text) if m[1].strip()]


def fill(node_type: NodeType, segment: str, language: str) -> dict:
    """Parameter values for `node_type` from its part of the sentence (only parameters the type declares)."""
    values: dict = {}
    by_name = {p.name: p for p in node_type.params}
    lowered = segment.lower()
    found_quotes = quoted(segment)
    if found_quotes:
        for name in QUERY_NAMES:
            spec = by_name.get(name)
            if spec and spec.type in ("string", "text"):
                values[name] = found_quotes[0][1]
                break
    emails = EMAIL.findall(segment)
    for name in RECIPIENT_NAMES:
        if emails and name in by_name and by_name[name].type in ("string", "text"):
            values[name] = ", ".join(emails)
            break
    phones = PHONE.findall(segment)
    if phones and not emails:  # a phone number is the recipient of a text message step
        for name in RECIPIENT_NAMES:
            if name in by_name and by_name[name].type in ("string", "text"):
                values[name] = ", ".join(phones)
                break
    urls = URL.findall(segment)
    for name in URL_NAMES:
        if urls and name in by_name and by_name[name].type == "string":
            values[name] = urls[0]
            break
    channels = CHANNEL.findall(segment)
    for name in CHANNEL_NAMES:
        if channels and name in by_name and by_name[name].type == "string":
            values[name] = "#" + channels[0]
            break
    for spec in node_type.params:
        if spec.type != "select" or spec.name in values:
            continue
        for option, label in spec.options:
            words = [w for w in (label.get("ko", ""), label.get("en", "")) if len(w) >= 2]
            if any(re.search(r"(?<![a-z])" + re.escape(w.lower()) + r"(?![a-z])", lowered) for w in words) and option != spec.default:
                values[spec.name] = option
                break
    return values


def condition(text: str, previous: NodeType | None) -> list[dict] | None:
    """Conditions of an IF step from words like "10만원 이상이면", "over 100,000 won", "부정적이면", "if negative"."""
    lowered = text.lower()
    result_field = None
    if previous is not None:
        result_field = next((p.default for p in previous.params if p.name == "result_field" and isinstance(p.default, str)), None)
    sentiments = ((r"부정적|부정이면|부정인|부정일|negative", "negative"), (r"긍정적|긍정이면|긍정인|긍정일|positive", "positive"))
    for pattern, label in sentiments:
        if re.search(pattern, lowered) and re.search(r"(?:이|하)?면|때|경우|만|if|when|only", lowered):
            left = f"{{{{ json.{result_field}.label }}}}" if result_field else "{{ json.label }}"
            return [{"left": left, "operator": "equals", "right": label}]
    comparisons = (
        (r"이상|넘으면|초과|over|more than|at least|above|greater than|exceeds?|or more", "gte"),
        (r"이하|미만|under|less than|below|at most|or less", "lte"),
    )
    for pattern, operator in comparisons:
        if re.search(pattern, lowered):
            number = amount(lowered)
            if number is None:
                continue
            operator = (
                "gt" if re.search(r"초과|넘으면|more than|above|greater than|exceeds?|over", lowered) and operator == "gte" else operator
            )
            operator = "lt" if re.search(r"미만|under|less than|below", lowered) and operator == "lte" else operator
            field = "amount"
            named = re.search(r"(?:if|when)\s+(?:the\s+)?([a-z_]+)\s+(?:is|are)", lowered)
            if named and named[1] not in ("it", "there", "this", "that"):
                field = named[1]
            value = int(number) if float(number).is_integer() else number
            return [{"left": f"{{{{ json.{field} }}}}", "operator": operator, "right": value}]
    return None


CONDITION_CUE = re.compile(
    r"\d[\d,.]*\s*(?:억|천만|백만|만|천)?\s*원?\s*(?:이상|이하|초과|미만|넘으면)[이면]*|"
    r"(?:부정|긍정)(?:적)?(?:이면|일 때|인 경우|인 것만|일 경우)|"
    r"\b(?:over|above|more than|at least|under|below|less than|at most)\s+(?:₩|\$)?\d[\d,.]*\s*(?:won|krw|원|dollars?|usd)?|"
    r"\bif\b(?:[^,.]|[,.](?=\d))*|\bonly when\b(?:[^,.]|[,.](?=\d))*|"
    r"\bwhen (?:the|it)\b(?:[^,.]|[,.](?=\d))*(?:over|under|more|less|negative|positive)(?:[^,.]|[,.](?=\d))*",
    re.I,
)
