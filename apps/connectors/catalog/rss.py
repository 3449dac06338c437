"""RSS and Atom: read a feed, and a polling trigger that starts the flow with the entries that appeared since the last
check (apps.flows.triggers.polling: state per trigger, dedupe by guid/id/link, interval, back-off).

Feeds are fetched through the SSRF guard (every hop of a redirect too) and parsed with DOCTYPEs refused
(apps.connectors.feeds)."""

from __future__ import annotations

from urllib.parse import urljoin

import httpx2

from apps.connectors import n8n
from apps.connectors.feeds import feed_items, item_key
from apps.flows.credential_kinds import t
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.http.guard import guard_error, guarded_client
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

MAX_FEED_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 20.0
HEADERS = {
    "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1",
    "User-Agent": "EZFlow feed reader",
}


def fetch_feed(url: str, *, allow_hosts, timeout: float = TIMEOUT_SECONDS) -> bytes:
    url = str(url or "").strip()
    if not url.lower().startswith(("http://", "https://")):
        raise NodeError(gettext_noop("The feed address must start with http:// or https://."), code="bad_url")
    try:
        with guarded_client(allow_hosts=allow_hosts, timeout=timeout) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                with client.stream("GET", url, headers=HEADERS) as response:
                    if response.is_redirect and response.headers.get("location"):
                        url = urljoin(str(response.url), response.headers["location"])
                        continue  # the next hop goes through the same guard
                    if response.status_code >= 400:
                        raise NodeError(
                            gettext_noop("The feed address answered HTTP %(status)s. Check the address in a browser."),
                            code="feed_http_error",
                            values={"status": str(response.status_code)},
                        )
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > MAX_FEED_BYTES:
                            raise NodeError(gettext_noop("The feed is larger than 5 MB."), code="feed_too_large")
                    return bytes(body)
            raise NodeError(gettext_noop("The feed address redirects too many times."), code="too_many_redirects")
    except httpx2.TimeoutException:
        raise NodeError(
            gettext_noop("The server did not answer within %(seconds)s seconds."), code="timeout", values={"seconds": f"{timeout:g}"}
        ) from None
    except httpx2.HTTPError as exc:
        if refused := guard_error(exc):
            raise NodeError(refused.template, code="request_failed", values=refused.values) from None
        raise NodeError(gettext_noop("The request failed: %(reason)s"), code="request_failed", values={"reason": str(exc)}) from None


_URL = Param(
    "url",
    "string",
    t("Feed address", "피드 주소"),
    required=True,
    help=t("The RSS or Atom address, e.g. https://example.com/rss.xml.", "RSS 또는 Atom 주소입니다. 예: https://example.com/rss.xml"),
)


@register
class ReadFeed(NodeType):
    key = "rss.read_feed"
    n8n = (N8nMapping(("n8n-nodes-base.rssFeedRead",), n8n.rss_read),)
    category = "action"
    icon = "rss"
    label = t("Read an RSS feed", "RSS 피드 읽기")
    aliases = ("rss feed", "rss 피드", "rss")
    description = t(
        "Reads an RSS or Atom feed; one item per entry (title, link, date, summary in plain text).",
        "RSS 또는 Atom 피드를 읽습니다. 글마다 항목 하나(제목, 링크, 날짜, 일반 글 요약)를 냅니다.",
    )
    params = (_URL, Param("limit", "integer", t("At most this many entries", "최대 글 수"), default=20, minimum=1, maximum=500))

    def execute(self, ctx):
        out = []
        for _index, _item, params in ctx.each():
            raw = fetch_feed(
                params["url"], allow_hosts=ctx.host.http_allow_hosts, timeout=min(TIMEOUT_SECONDS, max(ctx.seconds_left(), 1.0))
            )
            out.extend(feed_items(raw)[: int(params["limit"])])
        return {"main": out}


@register
class NewFeedItem(NodeType):
    key = "rss.new_item"
    n8n = (N8nMapping(("n8n-nodes-base.rssFeedReadTrigger",), n8n.rss_trigger),)
    category = "trigger"
    inputs = ()
    is_trigger = True
    trigger_kind = "polling"
    icon = "rss"
    label = t("New RSS feed entry", "새 RSS 피드 글")
    description = t(
        "Checks an RSS or Atom feed every few minutes and starts the flow with each entry that appeared since the last "
        "check. Entries already in the feed when the flow is switched on do not start it.",
        "몇 분마다 RSS 또는 Atom 피드를 확인해 지난 확인 뒤에 새로 올라온 글마다 플로우를 시작합니다. 플로우를 켤 때 "
        "이미 있던 글로는 시작하지 않습니다.",
    )
    params = (
        Param(
            "url",
            "string",
            t("Feed address", "피드 주소"),
            required=True,
            expressions=False,
            help=t(
                "The RSS or Atom address, e.g. https://example.com/rss.xml.", "RSS 또는 Atom 주소입니다. 예: https://example.com/rss.xml"
            ),
        ),
        Param(
            "interval_minutes",
            "integer",
            t("Check every (minutes)", "확인 간격(분)"),
            default=15,
            minimum=1,
            maximum=1440,
            expressions=False,
        ),
    )

    def execute(self, ctx):
        return {"main": ctx.items}

    def poll(self, parameters: dict, state: dict, host) -> list[dict]:
        # Oldest first, so the runs start in the order the entries were published.
        return list(reversed(feed_items(fetch_feed(parameters.get("url"), allow_hosts=host.http_allow_hosts))))

    def dedupe_key(self, item: dict) -> str:
        return item_key(item)
