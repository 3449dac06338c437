"""A small web portal the browser tests open on 127.0.0.1 (never the internet): a login form, a paginated table
behind the login, a daily report to download, a slow page, and pages that try to reach an address flows may not."""

from __future__ import annotations

import contextlib
import html
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

USERNAME, PASSWORD = "kim", "pw-s3cret-9"
SESSION = "sid=portal-session-1"
ROWS = [
    {"date": f"2026-12-{day:02d}", "branch": branch, "amount": str(1000 * day)}
    for day, branch in enumerate(["강남", "부산", "대구", "광주", "대전", "인천", "수원"], start=1)
]
PER_PAGE = 3
NOTICE = b"%PDF-1.4\n% a notice\n%%EOF\n"
REPORT = "date,branch,amount\n" + "".join(f"{r['date']},{r['branch']},{r['amount']}\n" for r in ROWS)


def page(title: str, body: str) -> bytes:
    return f"<!doctype html><html lang='ko'><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>".encode()


class Site:
    """`outside` is a second server on another loopback address (127.0.0.2): the address flows were not allowed."""

    def __init__(self, host: str = "127.0.0.1"):
        self.requests: list[str] = []
        self.slow_seconds = 30.0
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                site.requests.append(self.path)
                site.answer(self, "GET", b"")

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                site.requests.append(self.path)
                site.answer(self, "POST", body)

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.host, self.port = host, self.httpd.server_address[1]
        self.outside: Site | None = None

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, handler, method: str, body: bytes) -> None:
        parsed = urlparse(handler.path)
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        signed_in = SESSION in (handler.headers.get("Cookie") or "")
        status, headers, content = 200, {"Content-Type": "text/html; charset=utf-8"}, b""
        if parsed.path == "/login" and method == "GET":
            content = page(
                "로그인",
                "<h1>Log in</h1><form method='post' action='/login'>"
                "<label for='u'>Username</label><input id='u' name='username'>"
                "<label for='p'>Password</label><input id='p' name='password' type='password'>"
                "<button type='submit'>Log in</button></form>",
            )
        elif parsed.path == "/login":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            if form.get("username") == USERNAME and form.get("password") == PASSWORD:
                status, headers = 302, {"Location": "/reports", "Set-Cookie": f"{SESSION}; Path=/; HttpOnly"}
            else:  # a careless site that repeats what was typed
                content = page(
                    "로그인 실패",
                    f"<p id='error'>Wrong password “{html.escape(form.get('password', ''))}” "
                    f"for {html.escape(form.get('username', ''))}</p>",
                )
        elif parsed.path.startswith("/reports") and not signed_in:
            status, headers = 302, {"Location": "/login"}
        elif parsed.path == "/reports":
            number = int(query.get("page") or 1)
            shown = ROWS[(number - 1) * PER_PAGE : number * PER_PAGE]
            rows = "".join(f"<tr><td>{r['date']}</td><td>{r['branch']}</td><td>{r['amount']}</td></tr>" for r in shown)
            following = (
                f"<a href='/reports?page={number + 1}'>Next</a>" if number * PER_PAGE < len(ROWS) else "<span class='disabled'>Next</span>"
            )
            branches = "".join(f"<option value='{b}'>{b} branch</option>" for b in ("all", "강남", "부산"))
            content = page(
                "Daily report",
                f"<p>Welcome {USERNAME}</p><label for='b'>Branch</label>"
                f"<select id='b' onchange=\"document.getElementById('chosen').textContent=this.value\">{branches}</select>"
                f"<p id='chosen'></p><table id='sales'><thead><tr><th>Date</th><th>Branch</th><th>Amount</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>{following}<a href='/reports/daily.csv'>Download the daily report</a>",
            )
        elif parsed.path == "/reports/daily.csv":
            headers = {"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": "attachment; filename=daily-report.csv"}
            content = REPORT.encode()
        elif parsed.path == "/notice.pdf":
            headers = {"Content-Type": "application/pdf"}
            content = NOTICE
        elif parsed.path == "/popup":
            content = page(
                "Menu",
                "<a href='/late-text' target='_blank'>Open the status</a>"
                "<button onclick=\"if (confirm('Send the report?')) "
                "document.body.insertAdjacentHTML('beforeend', '<p>Sent</p>')\">Send</button>",
            )
        elif parsed.path == "/storage":  # what an earlier session may have left in this origin's storage and cookies
            content = page(
                "Storage",
                "<p id='seen'></p><script>"
                "document.getElementById('seen').textContent = 'local=' + (localStorage.getItem('k') || 'none') + "
                "' session=' + (sessionStorage.getItem('k') || 'none') + ' cookie=' + (document.cookie || 'none');"
                "localStorage.setItem('k', 'left'); sessionStorage.setItem('k', 'left'); document.cookie = 'js=left; path=/';"
                "</script>",
            )
        elif parsed.path == "/slow":
            time.sleep(self.slow_seconds)
            content = page("Slow", "<p>finally</p>")
        elif parsed.path == "/late-text":
            content = page(
                "Late",
                "<p id='status'>working</p>"
                "<script>setTimeout(() => { document.getElementById('status').textContent = 'Report ready'; }, 700);</script>",
            )
        elif parsed.path == "/reach-inside" and self.outside:
            content = page(
                "Inside",
                f"<p>hello</p><img src='{self.outside.url('/pixel.png')}'>"
                f"<script>fetch('{self.outside.url('/secret')}').catch(() => {{}});</script>",
            )
        elif parsed.path == "/redirect-inside" and self.outside:
            status, headers = 302, {"Location": self.outside.url("/secret")}
        elif parsed.path == "/big":
            content = page("Big", "<p>" + ("x" * 1000 + " ") * 3000 + "</p>")
        else:
            status, content = 404, page("Not found", "<p>not found</p>")
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        with contextlib.suppress(OSError):
            handler.wfile.write(content)
