"""Helpers for the browser tests: Debian's chromium driven by Playwright (sync API) against the real stack.

Playwright's bundled browsers are not used; the system chromium at CHROMIUM is launched instead.
Chromium resolves *.localhost to 127.0.0.1 by itself, so organization hosts work without /etc/hosts.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
TIMEOUT_MS = 15_000


# Reports every Content-Security-Policy violation on the console, where watch_csp() collects it. Playwright's init
# scripts run outside the page's policy, so the listener is installed even on pages that allow no inline script.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || event.documentURI}:${event.lineNumber} (${(event.sample || "").slice(0, 80)})`);
});
"""
CSP_MARKERS = ("CSP violation:", "Content Security Policy", "Refused to ")


def watch_csp(context, violations: list[str]) -> None:
    """Collects, into `violations`, every Content-Security-Policy refusal in the context's pages (the browser's own
    "Refused to …" console messages, and the securitypolicyviolation events). The page fixtures fail a test that
    leaves any: the pages must work under the policy, not around it."""
    context.add_init_script(_CSP_LISTENER)

    def on_console(message, page):
        if any(marker in message.text for marker in CSP_MARKERS):
            violations.append(f"{page.url}: {message.text}")

    context.on("page", lambda page: page.on("console", lambda message: on_console(message, page)))


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120] or "page"


def unique(stem: str) -> str:
    """A slug-safe unique value (the stack is shared by the whole session)."""
    return f"{stem}-{uuid.uuid4().hex[:8]}"


class Screenshots:
    """Saves test-artifacts/screenshots/<test-name>-<step>.png (and the page's HTML on failure)."""

    def __init__(self, test_name: str, folder: Path = SCREENSHOTS):
        self.test_name = safe_name(test_name)
        self.folder = folder
        self.saved: list[Path] = []

    def path(self, step: str, suffix: str = ".png") -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f"{self.test_name}-{safe_name(step)}{suffix}"

    def take(self, page: Page, step: str, *, html: bool = False) -> Path:
        path = self.path(step)
        page.screenshot(path=str(path), full_page=True)
        self.saved.append(path)
        if html:
            self.path(step, ".html").write_text(page.content(), encoding="utf-8")
        return path


@dataclass
class Account:
    organization: str
    slug: str
    email: str
    password: str

    @property
    def host(self) -> str:
        return f"{self.slug}.localhost"


def slug_suggestion(name: str) -> str:
    """What the sign-up page's script suggests for an ASCII organization name."""
    return re.sub(r"^-+|-+$", "", re.sub(r"[^a-z0-9]+", "-", name.lower()))[:30]


def signup_in_browser(page: Page, stack, account: Account, shots: Screenshots | None = None) -> None:
    """Public landing page → sign-up call to action → form → the organization's dashboard on its own host."""
    page.goto(stack.url("localhost", "/"))
    page.get_by_test_id("cta-signup").click()
    page.wait_for_url(stack.url("localhost", "/signup/"))
    form = page.get_by_test_id("signup-form")
    form.locator("#id_organization").fill(account.organization)
    expect(form.locator("#id_slug")).to_have_value(slug_suggestion(account.organization))
    form.locator("#id_slug").fill(account.slug)
    form.locator("#id_email").fill(account.email)
    form.locator("#id_password").fill(account.password)
    expect(page.locator("#slug-preview")).to_have_text(f"{account.slug}.localhost:{stack.port}")
    if shots:
        shots.take(page, "signup-filled")
    page.get_by_test_id("signup-submit").click()
    page.wait_for_url(stack.url(account.host, "/"))
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()


def sign_in_with_link(page: Page, url: str) -> None:
    """Follow a one-time sign-in link (as returned by the sign-up API) and wait for the dashboard."""
    page.goto(url)
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()


def link_in_mail(mail: str, host: str, port: int) -> str:
    found = re.search(rf"http://{re.escape(host)}:{port}/invite/[^/\s]+/", mail)
    assert found, f"no invitation link for {host}:{port} in the mail:\n{mail}"
    return found.group(0)


def no_horizontal_scroll(page: Page) -> dict:
    return page.evaluate(
        """() => ({
            scrollWidth: document.scrollingElement.scrollWidth,
            innerWidth: window.innerWidth,
            widest: [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')),
        })"""
    )


def dates_on_page(page: Page) -> dict:
    """Every written date on the page, and those not in EZFlow's one format ("2026-12-08 09:30", seconds allowed;
    a day alone "2026-12-08"): month names, Korean 년/월/일 dates, 오전/오후, AM/PM, or day/month orders. Version
    numbers like 1.0.0 are not dates: a written date here has a four-digit year."""
    return page.evaluate(
        r"""() => {
            const text = document.body.innerText;
            const one = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$/;
            const date = /(?:\d{4}[.\/-]\d{1,2}[.\/-]\d{1,2}|\d{1,2}[.\/-]\d{1,2}[.\/-]\d{4})(?:,? \d{1,2}:\d{2}(?::\d{2})?)?/g;
            const written = text.match(date) || [];
            const other = [
                ...(text.match(/\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2},? \d{4}/g) || []),
                ...(text.match(/\d{4}년 ?\d{1,2}월|\d{1,2}월 \d{1,2}일/g) || []),
                ...(text.match(/(?:오전|오후) ?\d{1,2}:\d{2}|\d{1,2}:\d{2} ?(?:[AP]M|[ap]\.m\.)/g) || []),
            ];
            return {dates: written, wrong: [...written.filter(d => !one.test(d)), ...other]};
        }"""
    )
