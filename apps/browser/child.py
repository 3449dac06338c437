"""Runs in the browser's child process (`python -m apps.browser.child`), one per browser step and item: starts
Chromium with Playwright behind the guarded proxy, runs the actions, and writes one JSON line on stdout.

Request (stdin, JSON): executable, actions (checked by apps.browser.actions), login {username, password} or null,
policy {never, never_names, may_allow} and allow_hosts (the SSRF guard's platform policy and the organization's
allowed internal hosts), action_timeout (seconds), max_file_bytes. The working directory is the run's temporary
directory: Chromium's profile, its downloads and the files the step keeps are all inside it, and the parent deletes
it afterwards. Files are named in the answer by their path in `out/`; the parent stores them.

Answer: {"ok": true, "url", "title", "values": {name: value}, "files": {name: {...}}, "blocked": [...]} or
{"ok": false, "template", "values", "code", "detail", "action", "screenshot"}. Messages are English templates with
values; the parent translates them. Django is not set up here.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import json
import mimetypes
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from apps.browser import actions as A
from apps.browser.proxy import GuardedProxy
from apps.core.network_policy import Policy
from apps.flows.engine.errors import gettext_noop
from apps.flows.http.guard import AllowList, GuardError, HostNotFound, resolve_checked

OUT = Path("out")
ANSWER = "EZFLOW-BROWSER-ANSWER "
MIN_NAVIGATION_MS = 30_000
MAX_TABLE_PAGES = 50
LAUNCH_ARGS = [
    "--no-sandbox",  # the child is the sandbox: its own user, process group, time and memory limits
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-features=DnsOverHttps,MediaRouter,OptimizationHints",
    "--no-first-run",
    "--no-default-browser-check",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--proxy-bypass-list=<-loopback>",
]
TABLE_SCRIPT = """(table) => {
  const clean = (cell) => (cell.innerText || "").replace(/\\s+/g, " ").trim();
  const rows = Array.from(table.querySelectorAll("tr")).filter((row) => row.closest("table") === table);
  let header = rows.find((row) => row.querySelector("th") && !row.querySelector("td"));
  const body = rows.filter((row) => row !== header && row.querySelector("td"));
  const names = header ? Array.from(header.children).map(clean) : [];
  return {names, rows: body.map((row) => Array.from(row.children).map(clean))};
}"""

FETCH_SCRIPT = """async ([url, limit]) => {
  const answer = await fetch(url, {credentials: "include"});
  const bytes = new Uint8Array(await answer.arrayBuffer());
  if (bytes.length > limit) return null;
  let text = "";
  for (let i = 0; i < bytes.length; i += 32768) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 32768));
  return btoa(text);
}"""


class ActionFailed(Exception):
    def __init__(self, template: str, code: str, values: dict | None = None, detail: str = ""):
        super().__init__(template)
        self.template, self.code, self.values, self.detail = template, code, dict(values or {}), detail


def _policy(raw: dict) -> Policy:
    return Policy(
        tuple(ipaddress.ip_network(n) for n in raw["never"]),
        frozenset(raw["never_names"]),
        tuple(ipaddress.ip_network(n) for n in raw["may_allow"]),
    )


class Session:
    def __init__(self, request: dict, proxy: GuardedProxy):
        self.request = request
        self.allow = AllowList(request.get("allow_hosts") or (), platform=_policy(request["policy"]))
        self.proxy = proxy
        proxy.allow = self.allow  # this session's organization's allowed hosts; one session at a time per browser
        proxy.refusals.clear()
        self.out = OUT / str(int(request.get("session") or 0))
        self.timeout_ms = float(request.get("action_timeout") or 30) * 1000
        self.max_file_bytes = int(request.get("max_file_bytes") or 50 * 1024 * 1024)
        self.login = request.get("login") or {}
        self.refused: dict[str, GuardError] = {}  # host -> the guard's refusal, for the message of a failed action
        self.blocked: list[str] = []
        self.checked_hosts: dict[tuple, GuardError | None] = {}
        self.values: dict = {}
        self.files: dict = {}
        self._marks = (0, 0)  # refusals and blocked requests before the current action
        self.page = None
        self.dialogs: list[str] = []
        self._switched = False

    # ---- the guard at the request level ----------------------------------------------------------------------
    def _route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in ("data", "blob", "about"):
            route.continue_()
            return
        try:
            port = parts.port
        except ValueError:  # a port that is not a number
            port = -1
        if scheme not in ("http", "https") or not parts.hostname or port == -1:
            self.blocked.append(_shown(url))
            route.abort("blockedbyclient")
            return
        key = (parts.hostname, port or (443 if scheme == "https" else 80))
        if key not in self.checked_hosts:
            try:
                resolve_checked(key[0], key[1], self.allow)
                self.checked_hosts[key] = None
            except GuardError as exc:
                self.checked_hosts[key] = exc
        refusal = self.checked_hosts[key]
        if refusal is not None:
            self.refused[parts.hostname] = refusal
            self.blocked.append(_shown(url))
            route.abort("blockedbyclient")
            return
        route.continue_()

    def _refusal_for(self, url: str) -> GuardError | None:
        host = urlsplit(url).hostname or ""
        if host in self.refused:
            return self.refused[host]
        for refusal in self.proxy.refusals:
            if refusal.host == host:
                return refusal.error
        return None

    # ---- running ---------------------------------------------------------------------------------------------
    def run(self, context) -> dict:
        self.out.mkdir(parents=True, exist_ok=True)
        try:
            return self._run(context)
        finally:
            with contextlib.suppress(Exception):  # cookies, storage and cache of this session go with its context
                context.close()

    def _run(self, context) -> dict:
        context.route("**/*", self._route)
        context.set_default_timeout(self.timeout_ms)
        # A page load gets at least 30 s whatever the wait per action: a short wait is meant for elements, and a
        # busy portal (or worker) takes seconds to answer. The step's own time limit still stops everything.
        context.set_default_navigation_timeout(max(self.timeout_ms, MIN_NAVIGATION_MS))
        # A page's alert or "Are you sure?" is answered OK (as a person going through the portal would) and what it
        # said is kept; a new tab or window the page opens becomes the page the next actions work on.
        context.on("page", self._opened)
        self.page = context.new_page()
        steps = self.request["actions"]
        for number, step in enumerate(steps, start=1):
            self._marks = (len(self.proxy.refusals), len(self.blocked))
            if self._switched:
                self._switched = False
                with contextlib.suppress(Exception):
                    self.page.bring_to_front()
                    self.page.wait_for_load_state("load")
            try:
                self._do(step)
            except ActionFailed as exc:
                return self._failed(number, step, exc)
            except Exception as exc:  # Playwright's own errors: said as the action that failed
                return self._failed(number, step, self._said(step, exc))
        return {
            "ok": True,
            "url": self.page.url,
            "title": _quiet(self.page.title) or "",
            "values": self.values,
            "files": self.files,
            "blocked": self.blocked[:50],
            "dialogs": self.dialogs[:50],
        }

    def _opened(self, page) -> None:
        page.on("dialog", self._dialog)
        if self.page is not None:
            self._switched = True  # brought to the front before the next action (not from inside this event)
        self.page = page

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message[:1000])
        with contextlib.suppress(Exception):
            dialog.accept()

    def _failed(self, number: int, step: dict, exc: ActionFailed) -> dict:
        screenshot = None
        with contextlib.suppress(Exception):  # a page that cannot even be drawn: the error says enough
            self.page.screenshot(path=str(self.out / "failure.png"), timeout=5000)
            screenshot = "failure.png"
        return {
            "ok": False,
            "code": exc.code,
            "template": exc.template,
            "values": {"number": str(number), "action": A.label_of(step["action"])["en"], **exc.values},
            "detail": exc.detail[:2000],
            "action": number,
            "url": _quiet(lambda: self.page.url) or "",
            "screenshot": screenshot,
            "blocked": self.blocked[:50],
        }

    def _said(self, step: dict, exc: Exception) -> ActionFailed:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        text = str(exc)
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        url = step["value"] if step["action"] == A.OPEN else ""
        refusal = self._refusal_for(url) if url else None
        if refusal is None and "net::ERR_" in text:
            # A navigation that failed while the guard refused something in this action (a redirect's next hop, the
            # target of a click): that refusal is why.
            fresh = self.proxy.refusals[self._marks[0] :]
            if fresh:
                refusal = fresh[-1].error
            else:
                for blocked_url in self.blocked[self._marks[1] :][::-1]:
                    refusal = self._refusal_for(blocked_url)
                    if refusal:
                        break
        if refusal is not None:
            # The guard's own sentence (it names the host and what to do), translated as it is for the HTTP step.
            return ActionFailed(refusal.template, _refusal_code(refusal), refusal.values, detail=text)
        if isinstance(exc, PlaywrightTimeout):
            return ActionFailed(
                gettext_noop(
                    "Action %(number)s (%(action)s) gave up after %(seconds)s seconds: %(what)s did not appear or could not be used."
                ),
                "browser_timeout",
                {"seconds": f"{self._timeout_of(step) / 1000:g}", "what": _what(step)},
                detail=text,
            )
        return ActionFailed(
            gettext_noop("Action %(number)s (%(action)s) failed: %(reason)s"), "browser_action_failed", {"reason": first[:300]}, detail=text
        )

    def _timeout_of(self, step: dict) -> float:
        loads_a_page = step["action"] == A.OPEN or (step["action"] == A.DOWNLOAD and not step["target"])
        return max(self.timeout_ms, MIN_NAVIGATION_MS) if loads_a_page else self.timeout_ms

    # ---- the actions -----------------------------------------------------------------------------------------
    def _find(self, step: dict, *, for_click: bool = False):
        page, target, by = self.page, step["target"], step["find_by"]
        if by == A.BY_CSS:
            return page.locator(target).first
        if by == A.BY_LABEL:
            return page.get_by_label(target).first
        if by == A.BY_PLACEHOLDER:
            return page.get_by_placeholder(target).first
        if not for_click:
            return page.get_by_text(target).first
        # "Log in" is often both a heading and the button: a click means the button or link of that name.
        buttons = page.get_by_role("button", name=target)
        links = page.get_by_role("link", name=target)
        texts = page.get_by_text(target)
        buttons.or_(links).or_(texts).first.wait_for(state="visible")
        for candidates in (buttons, links, texts):
            if candidates.count():
                return candidates.first
        return texts.first

    def _do(self, step: dict) -> None:
        action, page = step["action"], self.page
        if action == A.OPEN:
            response = page.goto(step["value"].strip(), wait_until="load")
            if response is not None and response.status >= 400:
                # A redirect to a refused address: the proxy answered 403 for the hop the interception did not see.
                refusal = self._refusal_for(response.url)
                if refusal is not None:
                    raise ActionFailed(refusal.template, _refusal_code(refusal), refusal.values)
                raise ActionFailed(
                    gettext_noop("Action %(number)s (%(action)s): the page answered HTTP %(status)s."),
                    "browser_http_error",
                    {"status": str(response.status)},
                )
        elif action == A.CLICK:
            self._find(step, for_click=True).click()
            _settle(page)
        elif action == A.TYPE:
            self._find(step).fill(step["value"])
        elif action in A.USES_LOGIN:
            field = "username" if action == A.TYPE_USERNAME else "password"
            if not self.login:
                raise ActionFailed(
                    gettext_noop("Action %(number)s (%(action)s): choose a website login for this step."), "credential_missing"
                )
            self._find(step).fill(str(self.login.get(field) or ""))
        elif action == A.SELECT:
            field = self._find(step)
            try:
                field.select_option(label=step["value"], timeout=min(self.timeout_ms, 2000))
            except Exception:  # not an option's label: its value
                field.select_option(value=step["value"])
            _settle(page)
        elif action == A.PRESS:
            (self._find(step) if step["target"] else page.locator("body")).press(step["value"])
            _settle(page)
        elif action == A.WAIT:
            self._find(step).wait_for(state="visible")
        elif action == A.EXTRACT_TEXT:
            self.values[step["name"]] = _clean(self._find(step).inner_text())
        elif action == A.EXTRACT_ALL_TEXT:
            found = self._all(step)
            found.first.wait_for(state="attached")
            self.values[step["name"]] = [_clean(text) for text in found.all_inner_texts()]
        elif action == A.EXTRACT_ATTRIBUTE:
            element = self._find(step)
            element.wait_for(state="attached")
            self.values[step["name"]] = element.get_attribute(step["value"].strip())
        elif action == A.EXTRACT_TABLE:
            self.values[step["name"]] = self._table(step)
        elif action == A.SCREENSHOT:
            path = self.out / f"{len(self.files) + 1}-{_safe(step['name'])}.png"
            if step["target"]:
                self._find(step).screenshot(path=str(path))
            else:
                page.screenshot(path=str(path), full_page=True)
            self._keep(step["name"], path, f"{_safe(step['name'])}.png", "image/png")
        elif action == A.DOWNLOAD:
            self._download(step)

    def _all(self, step: dict):
        page, target, by = self.page, step["target"], step["find_by"]
        if by == A.BY_CSS:
            return page.locator(target)
        if by == A.BY_LABEL:
            return page.get_by_label(target)
        if by == A.BY_PLACEHOLDER:
            return page.get_by_placeholder(target)
        return page.get_by_text(target)

    def _table(self, step: dict) -> list[dict]:
        page = self.page
        locate = (lambda: self._find(step)) if step["target"] else (lambda: page.locator("table").first)
        rows: list[dict] = []
        for _page in range(MAX_TABLE_PAGES):
            table = locate()
            table.wait_for(state="visible")
            found = table.evaluate(TABLE_SCRIPT)
            names = _column_names(found["names"], max((len(r) for r in found["rows"]), default=0))
            rows += [dict(zip(names, cells + [""] * (len(names) - len(cells)), strict=False)) for cells in found["rows"]]
            if not step["next_page"]:
                break
            following = self._find({**step, "target": step["next_page"], "find_by": _guess_find_by(step["next_page"])}, for_click=False)
            if not following.count() or not following.is_visible() or not following.is_enabled() or _disabled(following):
                break
            before = table.inner_text()
            following.click()
            _settle(page)
            if not _changed(locate, before, self.timeout_ms / 1000):
                break
        return rows

    def _download(self, step: dict) -> None:
        page = self.page
        if step["target"]:
            with page.expect_download() as info:
                self._find(step, for_click=True).click()
            download = info.value
        else:
            started = []
            page.once("download", lambda download: started.append(download))
            try:
                response = page.goto(step["value"].strip())
            except Exception as exc:  # going to a file's address starts the download instead of a page
                if "Download is starting" not in str(exc):
                    raise
                response = None
            if response is not None:  # shown, not downloaded (a PDF, an image, text): the answer is the file
                self._keep_answer(step, response)
                return
            download = started[0] if started else page.wait_for_event("download")
        failure = download.failure()
        if failure:
            raise ActionFailed(
                gettext_noop("Action %(number)s (%(action)s): the download failed (%(reason)s)."),
                "browser_download_failed",
                {"reason": failure},
            )
        name = _safe_file_name(download.suggested_filename or "download")
        path = self.out / f"{len(self.files) + 1}-{name}"
        download.save_as(str(path))
        self._keep(step["name"], path, name, mimetypes.guess_type(name)[0] or "application/octet-stream")

    def _keep_answer(self, step: dict, response) -> None:
        if response.status >= 400:
            raise ActionFailed(
                gettext_noop("Action %(number)s (%(action)s): the page answered HTTP %(status)s."),
                "browser_http_error",
                {"status": str(response.status)},
            )
        mime_type = (response.headers.get("content-type") or "application/octet-stream").split(";")[0].strip()
        name = _safe_file_name(Path(urlsplit(response.url).path).name or "download")
        if "." not in name:
            name += mimetypes.guess_extension(mime_type) or ""
        path = self.out / f"{len(self.files) + 1}-{name}"
        if mime_type == "text/html":
            data = response.body()
        else:
            # Chromium shows a PDF in its viewer, whose page is what `response.body()` returns: the file's bytes are
            # fetched again from the page itself (same origin, same cookies, through the same guard).
            encoded = self.page.evaluate(FETCH_SCRIPT, [response.url, self.max_file_bytes])
            if encoded is None:
                raise ActionFailed(
                    gettext_noop("Action %(number)s (%(action)s): the file is larger than the limit of %(limit)s bytes."),
                    "browser_file_too_large",
                    {"limit": f"{self.max_file_bytes:,}"},
                )
            data = base64.b64decode(encoded)
        path.write_bytes(data)
        self._keep(step["name"], path, name, mime_type)

    def _keep(self, name: str, path: Path, file_name: str, mime_type: str) -> None:
        size = path.stat().st_size
        if size > self.max_file_bytes:
            path.unlink()
            raise ActionFailed(
                gettext_noop("Action %(number)s (%(action)s): the file is larger than the limit of %(limit)s bytes."),
                "browser_file_too_large",
                {"limit": f"{self.max_file_bytes:,}"},
            )
        self.files[name] = {"path": path.name, "name": file_name, "mime_type": mime_type, "size": size}


def _ends(text: str) -> str:
    """Playwright's launch error lists the whole command line first; the browser's own complaint is at the end."""
    return text if len(text) <= 2000 else f"{text[:400]}\n…\n{text[-1600:]}"


def _refusal_code(refusal: GuardError) -> str:
    return "browser_host_not_found" if isinstance(refusal, HostNotFound) else "browser_address_blocked"


def _shown(url: str) -> str:
    """A refused address as the item lists it: without its query, which may carry a token of the page."""
    return url.split("#", 1)[0].split("?", 1)[0][:300]


def _quiet(call):
    try:
        return call()
    except Exception:
        return None


POPUP_WAIT_MS = 400


def _settle(page) -> None:
    """After a click or key that may navigate: a moment for a new tab to open (the context's "page" event then makes it
    the current page), and the page loaded (briefly; no navigation is fine)."""
    with contextlib.suppress(Exception):
        page.wait_for_event("popup", timeout=POPUP_WAIT_MS)
    with contextlib.suppress(Exception):
        page.wait_for_load_state("load", timeout=5000)


def _changed(locate, before: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):  # the old page is going away
            if locate().inner_text(timeout=1000) != before:
                return True
        time.sleep(0.1)
    return False


def _disabled(locator) -> bool:
    state = locator.evaluate(
        "(e) => e.getAttribute('aria-disabled') === 'true' || e.classList.contains('disabled') || !!(e.closest && e.closest('.disabled'))"
    )
    return bool(state)


def _guess_find_by(target: str) -> str:
    return A.BY_CSS if re.match(r"^[#.\[]|^[a-z]+[#.\[]", target) else A.BY_TEXT


def _column_names(names: list[str], width: int) -> list[str]:
    result, seen = [], set()
    for index in range(max(len(names), width)):
        name = names[index].strip() if index < len(names) and names[index].strip() else f"column_{index + 1}"
        while name in seen:
            name = f"{name}_{index + 1}"
        seen.add(name)
        result.append(name)
    return result


def _clean(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text or "").strip()


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name, flags=re.UNICODE).strip("-")[:80] or "file"


def _safe_file_name(name: str) -> str:
    name = Path(name.replace("\\", "/")).name
    return re.sub(r"[\x00-\x1f/]+", "_", name)[:150] or "download"


def _what(step: dict) -> str:
    if step["action"] == A.OPEN:
        return step["value"]
    if step["action"] == A.DOWNLOAD and not step["target"]:
        return step["value"]
    return f"“{step['target'] or 'table'}”"


class Browser:
    """Playwright's driver and one Chromium, started with the first request and kept for the next ones (a warm browser,
    apps/browser/runner.py); every request gets a context of its own (Session.run)."""

    def __init__(self):
        self.playwright = None
        self.browser = None
        # Between sessions the proxy lets nothing out; each session puts its organization's allowance in.
        self.proxy = GuardedProxy(AllowList((), platform=_policy({"never": ["0.0.0.0/0", "::/0"], "never_names": [], "may_allow": []})))
        self.proxy.start()

    def launch(self, request: dict) -> dict | None:
        """None once the browser runs, or the answer that says it could not start."""
        if self.browser is not None and self.browser.is_connected():
            return None
        from playwright.sync_api import sync_playwright

        if self.playwright is None:
            self.playwright = sync_playwright().start()
        sandbox = bool(request.get("sandbox"))
        args = [arg for arg in LAUNCH_ARGS if not (sandbox and arg == "--no-sandbox")]
        try:
            self.browser = self.playwright.chromium.launch(
                executable_path=request["executable"],
                args=[*args, f"--proxy-server={self.proxy.address}"],
                chromium_sandbox=sandbox,
                downloads_path=str(Path("downloads").resolve()),
                timeout=60_000,
            )
        except Exception as exc:  # Playwright reports a browser that will not start in one generic error
            return {
                "ok": False,
                "code": "browser_missing",
                "template": gettext_noop(
                    "The browser could not be started on this server. Install Chromium (on Debian or Ubuntu: "
                    "apt-get install chromium) or set EZFLOW_BROWSER_EXECUTABLE to its path."
                ),
                "values": {},
                "detail": _ends(str(exc)),
            }
        return None

    def serve(self, request: dict) -> dict:
        for attempt in (1, 2):
            refused = self.launch(request)
            if refused is not None:
                return refused
            try:
                context = self.browser.new_context(
                    accept_downloads=True, service_workers="block", viewport={"width": 1280, "height": 900}, ignore_https_errors=False
                )
            except Exception:  # Chromium died since the last session (a crash, the memory limit): start it again
                if attempt == 2:
                    raise
                with contextlib.suppress(Exception):
                    self.browser.close()
                self.browser = None
                continue
            return Session(request, self.proxy).run(context)
        raise AssertionError("unreachable")


def main() -> None:
    """One request per line on stdin, one answer line (after ANSWER) on stdout for each, until stdin closes."""
    browser = Browser()
    stdin, stdout = sys.stdin.buffer, sys.stdout
    while True:
        line = stdin.readline()
        if not line.strip():
            break
        try:
            answer = browser.serve(json.loads(line.decode("utf-8")))
        except Exception as exc:  # anything unforeseen still answers in the protocol
            answer = {
                "ok": False,
                "code": "browser_crashed",
                "template": gettext_noop("The browser stopped unexpectedly: %(reason)s"),
                "values": {"reason": f"{type(exc).__name__}: {str(exc)[:300]}"},
                "detail": "",
            }
        stdout.write("\n" + ANSWER + json.dumps(answer, ensure_ascii=False, default=str) + "\n")
        stdout.flush()
    with contextlib.suppress(Exception):
        if browser.browser is not None:
            browser.browser.close()
        if browser.playwright is not None:
            browser.playwright.stop()


if __name__ == "__main__":
    main()
