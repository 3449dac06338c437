"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds read safely: expat with every DOCTYPE and entity declaration refused (no
external entities, no entity expansion bombs), into plain items with the same fields whatever the format."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import html
import re
from xml.parsers import expat

from apps.flows.engine.errors import NodeError, gettext_noop

ATOM = "http://www.w3.org/2005/Atom"
RSS1 = "http://purl.org/rss/1.0/"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
_TAG = re.compile(r"<[^>]*>")  # replaced by a space, then runs of spaces become one
MAX_DEPTH = 64


class Element:
    __slots__ = ("tag", "attrs", "children", "text")

    def __init__(self, tag: str, attrs: dict):
        self.tag, self.attrs, self.children, self.text = tag, attrs, [], []

    def find(self, *tags: str) -> Element | None:
        return next((child for child in self.children if child.tag in tags), None)

    def find_all(self, *tags: str) -> list[Element]:
        return [child for child in self.children if child.tag in tags]

    def value(self, *tags: str) -> str:
        found = self.find(*tags)
        return "".join(found.text).strip() if found is not None else ""


class _Refused(Exception):
    pass


def parse_xml(raw: bytes) -> Element:
    """The document as Elements (namespaced tags as "{uri}name"). A document with a DOCTYPE is refused: feeds need
    none, and refusing it rules out external entities and entity expansion."""
    parser = expat.ParserCreate(namespace_separator="}")
    root: list[Element] = []
    stack: list[Element] = []

    def refuse(*_args):
        raise _Refused

    def start(name, attrs):
        if len(stack) >= MAX_DEPTH:
            raise _Refused
        tag = "{" + name if "}" in name else name
        element = Element(tag, attrs)
        (stack[-1].children if stack else root).append(element)
        stack.append(element)

    def end(_name):
        stack.pop()

    def text(data):
        if stack:
            stack[-1].text.append(data)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    try:
        parser.Parse(raw, True)
    except _Refused:
        raise NodeError(
            gettext_noop("The feed declares a DOCTYPE or entities, which EZFlow does not read (they can be used to attack servers)."),
            code="feed_refused",
        ) from None
    except expat.ExpatError as error:
        raise NodeError(
            gettext_noop("This address does not give a readable RSS or Atom feed (%(reason)s)."),
            code="not_a_feed",
            values={"reason": str(error)},
        ) from None
    if not root:
        raise NodeError(
            gettext_noop("This address does not give a readable RSS or Atom feed (%(reason)s)."),
            code="not_a_feed",
            values={"reason": "empty"},
        )
    return root[0]


def _date(value: str) -> str:
    """An RSS (RFC 822) or Atom (RFC 3339) date as ISO 8601 in UTC; the original text when it is neither."""
    if not value:
        return ""
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC).isoformat()


def plain_text(marked: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", marked or "")).split())


def _atom_link(entry: Element) -> str:
    links = entry.find_all(f"{{{ATOM}}}link")
    chosen = next((link for link in links if link.attrs.get("rel", "alternate") == "alternate"), links[0] if links else None)
    return chosen.attrs.get("href", "") if chosen is not None else ""


def _rss_item(item: Element, feed_title: str) -> dict:
    enclosure = item.find("enclosure", f"{{{RSS1}}}enclosure")
    description = item.value("description", f"{{{RSS1}}}description")
    return {
        "title": plain_text(item.value("title", f"{{{RSS1}}}title")),
        "link": item.value("link", f"{{{RSS1}}}link"),
        "id": item.value("guid") or item.attrs.get("http://www.w3.org/1999/02/22-rdf-syntax-ns#}about", ""),
        "published": _date(item.value("pubDate", f"{{{DC}}}date")),
        "summary": plain_text(description),
        "content_html": item.value(f"{{{CONTENT}}}encoded") or description,
        "author": item.value("author", f"{{{DC}}}creator"),
        "categories": [("".join(c.text)).strip() for c in item.find_all("category", f"{{{DC}}}subject")],
        "enclosure_url": enclosure.attrs.get("url", "") if enclosure is not None else "",
        "feed_title": feed_title,
    }


def _atom_item(entry: Element, feed_title: str) -> dict:
    author = entry.find(f"{{{ATOM}}}author")
    summary = entry.value(f"{{{ATOM}}}summary")
    content = entry.value(f"{{{ATOM}}}content")
    return {
        "title": plain_text(entry.value(f"{{{ATOM}}}title")),
        "link": _atom_link(entry),
        "id": entry.value(f"{{{ATOM}}}id"),
        "published": _date(entry.value(f"{{{ATOM}}}published", f"{{{ATOM}}}updated")),
        "summary": plain_text(summary or content),
        "content_html": content or summary,
        "author": author.value(f"{{{ATOM}}}name") if author is not None else "",
        "categories": [c.attrs.get("term", "") for c in entry.find_all(f"{{{ATOM}}}category")],
        "enclosure_url": next(
            (link.attrs.get("href", "") for link in entry.find_all(f"{{{ATOM}}}link") if link.attrs.get("rel") == "enclosure"), ""
        ),
        "feed_title": feed_title,
    }


def feed_items(raw: bytes) -> list[dict]:
    """The entries of an RSS or Atom document, newest first as the feed lists them."""
    root = parse_xml(raw)
    if root.tag == f"{{{ATOM}}}feed":
        title = plain_text(root.value(f"{{{ATOM}}}title"))
        return [_atom_item(entry, title) for entry in root.find_all(f"{{{ATOM}}}entry")]
    if root.tag == "rss":
        channel = root.find("channel") or Element("channel", {})
        title = plain_text(channel.value("title"))
        return [_rss_item(item, title) for item in channel.find_all("item")]
    if root.tag.endswith("}RDF"):
        channel = root.find(f"{{{RSS1}}}channel")
        title = plain_text(channel.value(f"{{{RSS1}}}title")) if channel is not None else ""
        return [_rss_item(item, title) for item in root.find_all(f"{{{RSS1}}}item")]
    raise NodeError(
        gettext_noop("This address does not give a readable RSS or Atom feed (%(reason)s)."),
        code="not_a_feed",
        values={"reason": f"<{root.tag.split('}')[-1]}>"},
    )


def item_key(item: dict) -> str:
    """What makes an entry the same entry at the next poll: its id (guid), else its link, else title and date."""
    if item.get("id"):
        return f"id:{item['id']}"
    if item.get("link"):
        return f"link:{item['link']}"
    return "hash:" + hashlib.sha256(f"{item.get('title')}|{item.get('published')}".encode()).hexdigest()[:32]
