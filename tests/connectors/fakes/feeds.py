"""A news site's RSS 2.0 and Atom feeds, whose entries a test can add to, and an outage switch."""

from __future__ import annotations

from tests.connectors.fakes.base import FakeService


def rss(entries: list[dict]) -> bytes:
    items = "".join(
        f'<item><title>{e["title"]}</title><link>https://news.example.com/{e["id"]}</link><guid isPermaLink="false">{e["id"]}</guid>'
        f"<pubDate>{e['date']}</pubDate><description>&lt;p&gt;{e['title']} 요약&lt;/p&gt;</description>"
        f"<dc:creator>기자</dc:creator><category>경제</category></item>"
        for e in reversed(entries)  # newest first, as feeds list them
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>예시 뉴스</title><link>https://news.example.com/</link>{items}</channel></rss>"
    ).encode()


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title><id>urn:blog</id><updated>2026-12-07T00:00:00Z</updated>
<entry><title type="html">Release &lt;b&gt;2.0&lt;/b&gt;</title><id>urn:post:2</id><link rel="alternate" href="https://blog.example.com/2"/>
<published>2026-12-07T09:00:00+09:00</published><updated>2026-12-07T09:00:00+09:00</updated><author><name>Kim</name></author>
<summary>Two</summary><category term="release"/></entry>
</feed>"""

XXE = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title><item><title>&secret;</title></item></channel></rss>"""


class FakeFeeds(FakeService):
    def __init__(self):
        super().__init__()
        self.entries: list[dict] = []
        self.down = False
        self.routes["/rss.xml"] = lambda request: (
            (503, {}, b"maintenance") if self.down else (200, {"Content-Type": "application/rss+xml"}, rss(self.entries))
        )
        self.routes["/atom.xml"] = lambda request: (200, {"Content-Type": "application/atom+xml"}, ATOM)
        self.routes["/xxe.xml"] = lambda request: (200, {"Content-Type": "application/xml"}, XXE)
        self.routes["/moved"] = lambda request: (301, {"Location": "/rss.xml"}, b"")
        self.routes["/page.html"] = lambda request: (200, {"Content-Type": "text/html"}, b"<html><body>not a feed</body></html>")

    def publish(self, number: int) -> None:
        self.entries.append({"id": f"a{number}", "title": f"기사 {number}", "date": f"Mon, 07 Dec 2026 {number:02d}:00:00 +0900"})
