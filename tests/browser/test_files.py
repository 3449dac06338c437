"""What a browser step keeps goes to the run's file storage (ctx.file_save): screenshots, downloads, and the
screenshot of the moment a step failed, referenced from its error."""

from tests.browser.helpers import LOG_IN, browse, host
from tests.browser.site import NOTICE, REPORT
from tests.flows.engine.helpers import edge, node, run

PNG = b"\x89PNG\r\n\x1a\n"


def test_a_screenshot_and_a_download_after_logging_in_are_stored_as_files(fresh_site):
    files_host = host()
    nodes = [
        node("start", "trigger.manual", "Start"),
        node(
            "b",
            "browser.sequence",
            "Portal",
            url=fresh_site.url("/login"),
            credential="9",
            actions=[
                *LOG_IN,
                {"action": "screenshot", "name": "page"},
                {"action": "screenshot", "find_by": "css", "target": "#sales"},
                {"action": "download", "target": "Download the daily report", "name": "report"},
            ],
        ),
    ]
    result, _ = run(nodes, [edge("start", "b")], [{}], host=files_host)
    assert result.status == "success", (result.error, result.error_detail)
    [item] = result.last_items
    assert item["report"]["name"] == "daily-report.csv" and item["report"]["mime_type"] == "text/csv"
    assert files_host.files.read(item["report"]) == REPORT.encode()
    assert item["report"]["size"] == len(REPORT.encode())
    for ref in (item["page"], item["screenshot"]):
        assert ref["mime_type"] == "image/png" and files_host.files.read(ref).startswith(PNG)
    assert files_host.files.read(item["page"]) != files_host.files.read(item["screenshot"])  # the whole page, the table
    assert fresh_site.requests.count("/reports/daily.csv") == 1


def test_the_download_step_takes_a_files_own_address(fresh_site):
    files_host = host()
    nodes = [node("start", "trigger.manual", "Start"), node("d", "browser.download", "Notice", url=fresh_site.url("/notice.pdf"))]
    result, _ = run(nodes, [edge("start", "d")], [{}], host=files_host)
    assert result.status == "success", (result.error, result.error_detail)
    ref = result.last_items[0]["download"]
    assert ref["name"] == "notice.pdf" and files_host.files.read(ref) == NOTICE


def test_a_failed_step_keeps_the_screenshot_of_the_moment_it_failed(fresh_site):
    files_host = host()
    nodes = [
        node("start", "trigger.manual", "Start"),
        node(
            "b",
            "browser.sequence",
            "Portal",
            url=fresh_site.url("/login"),
            action_timeout_seconds=1,
            actions=[{"action": "wait", "target": "Welcome"}],
        ),
    ]
    result, _ = run(nodes, [edge("start", "b")], [{}], host=files_host)
    assert result.status == "failed" and result.error_code == "browser_timeout"
    shot = result.error_args["values"]["screenshot"]
    assert shot["name"] == "failure.png" and files_host.files.read(shot).startswith(PNG)
    assert "Page: " + fresh_site.url("/login") in result.error_detail


def test_the_one_action_steps_open_the_page_then_act(fresh_site):
    typed, _ = browse("browser.type", url=fresh_site.url("/login"), target="Username", value="lee", press_enter=True)
    assert typed.status == "success", typed.error
    assert typed.last_items[0]["title"] == "로그인 실패"  # Enter sent the form with a wrong login
    shot, _ = browse("browser.screenshot", url=fresh_site.url("/login"), find_by="css", target="form", name="form")
    assert shot.status == "success" and shot.last_items[0]["form"]["mime_type"] == "image/png"
    read, _ = browse("browser.extract", url=fresh_site.url("/login"), what="extract_attribute", target="#p", attribute="type")
    assert read.status == "success" and read.last_items[0]["attribute"] == "password"
    waited, _ = browse("browser.wait", url=fresh_site.url("/late-text"), find_by="text", target="Report ready")
    assert waited.status == "success", waited.error
    clicked, _ = browse("browser.click", url=fresh_site.url("/login"), target="Log in")
    assert clicked.status == "success" and clicked.last_items[0]["title"] == "로그인 실패"
