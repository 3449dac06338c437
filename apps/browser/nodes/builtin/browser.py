"""Browser steps: a headless Chromium on the worker, in its own child process per item (apps/browser/runner.py).

"Browser: run actions" is the one most people need: a list of actions (open, click, type, choose, wait, read,
screenshot, download) done in one browser session, so a login carries over to the next page. The other steps do one
action on one page, as that sequence with two entries (open the address, then the action).

Every browser step blocks (it waits for a child process; the run goes to the slow queue). A step that may submit
something (click, type, choose, press) has side effects and is not repeated after a crash without asking; a step that
only reads is idempotent."""

from __future__ import annotations

from apps.browser import actions as A
from apps.browser.session import LOGIN_KIND, run_actions
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.registry import register

FIND_BY = Param("find_by", "select", t("Find the element by", "요소 찾는 방법"), default=A.BY_TEXT, expressions=False, options=A.FIND_BY)
TARGET_HELP = t(
    "The words you see on the button or link, the name next to a form field, or a CSS selector such as #login.",
    "버튼이나 링크에 보이는 글자, 입력 칸 옆의 이름표, 또는 #login 같은 CSS 선택자입니다.",
)
ACTION_TIMEOUT = Param(
    "action_timeout_seconds",
    "number",
    t("Wait for each action at most (seconds)", "동작마다 최대 대기 시간(초)"),
    default=30,
    minimum=1,
    maximum=300,
    expressions=False,
)
ROWS_AS_ITEMS = Param(
    "rows_as_items",
    "boolean",
    t("Table rows as separate items", "표의 각 행을 별도 항목으로"),
    default=False,
    expressions=False,
    help=t(
        "On: each row of the last table read becomes an item of its own (e.g. to send one message per row).",
        "켜면 마지막으로 읽은 표의 각 행이 하나의 항목이 됩니다(예: 행마다 메시지 보내기).",
    ),
)
URL = Param("url", "string", t("Web address", "웹 주소"), required=True)
ACTION_FIELDS = (
    Param("action", "select", t("Action", "동작"), required=True, default=A.OPEN, expressions=False, options=A.ACTIONS),
    FIND_BY,
    Param("target", "string", t("Element", "요소"), default="", help=TARGET_HELP),
    Param(
        "value",
        "string",
        t("Value", "값"),
        default="",
        help=t(
            "Open: the web address. Type: the text. Choose: the option. Press: the key (Enter, Tab…). Read an attribute: "
            "its name (href…). Download without an element: the file's address.",
            "열기: 웹 주소, 글자 입력: 입력할 글자, 목록에서 선택: 고를 항목, 키 누르기: 키 이름(Enter, Tab…), "
            "속성 읽기: 속성 이름(href…), 요소 없이 내려받기: 파일 주소입니다.",
        ),
    ),
    Param("name", "string", t("Save as (field name)", "저장할 필드 이름"), default="", expressions=False),
    Param(
        "next_page",
        "string",
        t("Next-page button (tables)", "다음 페이지 버튼(표)"),
        default="",
        help=t(
            "Read a table: the text or CSS selector of the button that shows the next page; pages are read until it is gone or disabled.",
            "표 읽기: 다음 페이지를 보여 주는 버튼의 글자나 CSS 선택자입니다. 버튼이 없어지거나 비활성화될 때까지 읽습니다.",
        ),
    ),
)


def _outputs(result: dict, actions: list[dict], rows_as_items: bool) -> list[dict]:
    if rows_as_items:
        tables = [step["name"] for step in actions if step["action"] == A.EXTRACT_TABLE]
        rows = result.get(tables[-1]) if tables else None
        if isinstance(rows, list):
            return [dict(row) for row in rows]
    return [result]


class _BrowserStep(NodeType):
    blocking = True
    side_effects = True
    category = "action"
    icon = "globe"

    def actions(self, params: dict) -> list[dict]:
        raise NotImplementedError

    def execute(self, ctx):
        out = []
        for _index, _item, params in ctx.each():
            actions = A.checked(self.actions(params))
            result, _outcome = run_actions(
                ctx, actions, credential_id=params.get("credential"), action_timeout=float(params.get("action_timeout_seconds") or 30)
            )
            out.extend(_outputs(result, actions, bool(params.get("rows_as_items"))))
        return {"main": out}


@register
class BrowserSequence(_BrowserStep):
    key = "browser.sequence"
    aliases = ("browser", "rpa", "web automation", "scrape", "log in to a website", "브라우저", "웹 자동화", "크롤링", "로그인")
    label = t("Browser: run actions", "브라우저: 동작 실행")
    description = t(
        "Opens web pages in a browser and does what a person would: log in, click, type, choose, wait, read text and "
        "tables, take screenshots and download files, all in one session.",
        "브라우저로 웹 페이지를 열고 사람이 하듯 로그인, 클릭, 입력, 선택, 기다리기, 글자와 표 읽기, 화면 캡처, "
        "파일 내려받기를 한 번의 세션에서 합니다.",
    )
    params = (
        Param("url", "string", t("Start at (web address)", "시작 주소"), default=""),
        Param("actions", "list", t("Actions, in order", "동작(순서대로)"), required=True, default=[], item_fields=ACTION_FIELDS),
        Param("credential", "credential", t("Website login", "웹사이트 로그인"), default="", credential_type=LOGIN_KIND, expressions=False),
        ROWS_AS_ITEMS,
        ACTION_TIMEOUT,
    )

    def is_idempotent(self, parameters: dict) -> bool:
        return A.read_only(parameters.get("actions"))

    def actions(self, params: dict) -> list[dict]:
        listed = list(params.get("actions") or []) if isinstance(params.get("actions"), list) else params.get("actions")
        start = str(params.get("url") or "").strip()
        if start and isinstance(listed, list):
            return [{"action": A.OPEN, "value": start}, *listed]
        return listed


class _OneAction(_BrowserStep):
    """Opens `url`, then does one action."""

    action = ""

    def step(self, params: dict) -> dict:
        return {
            "action": self.action,
            "find_by": params.get("find_by"),
            "target": params.get("target"),
            "value": params.get("value", ""),
            "name": params.get("name", ""),
        }

    def actions(self, params: dict) -> list[dict]:
        return [{"action": A.OPEN, "value": params.get("url")}, self.step(params)]


@register
class BrowserOpen(_OneAction):
    key = "browser.open"
    side_effects = False
    aliases = ("open web page", "웹 페이지 열기")
    label = t("Browser: open a page", "브라우저: 페이지 열기")
    description = t(
        "Opens a web page in a browser (scripts run) and returns its address, title and text.",
        "브라우저로 웹 페이지를 열고(스크립트 실행) 주소, 제목, 글자를 돌려줍니다.",
    )
    params = (URL, ACTION_TIMEOUT)

    def actions(self, params: dict) -> list[dict]:
        return [
            {"action": A.OPEN, "value": params.get("url")},
            {"action": A.EXTRACT_TEXT, "find_by": A.BY_CSS, "target": "body", "name": "text"},
        ]


@register
class BrowserClick(_OneAction):
    key = "browser.click"
    action = A.CLICK
    label = t("Browser: click", "브라우저: 클릭")
    description = t(
        "Opens a web page and clicks a button or link (found by its text, label or CSS selector).",
        "웹 페이지를 열고 버튼이나 링크를 클릭합니다(글자, 이름표, CSS 선택자로 찾기).",
    )
    params = (URL, FIND_BY, Param("target", "string", t("Element", "요소"), required=True, help=TARGET_HELP), ACTION_TIMEOUT)


@register
class BrowserType(_OneAction):
    key = "browser.type"
    action = A.TYPE
    label = t("Browser: type text", "브라우저: 글자 입력")
    description = t(
        "Opens a web page, types text into a form field and, if asked, presses Enter to send it.",
        "웹 페이지를 열고 입력 칸에 글자를 입력한 뒤, 원하면 Enter를 눌러 보냅니다.",
    )
    params = (
        URL,
        Param("find_by", "select", t("Find the field by", "입력 칸 찾는 방법"), default=A.BY_LABEL, expressions=False, options=A.FIND_BY),
        Param("target", "string", t("Field", "입력 칸"), required=True, help=TARGET_HELP),
        Param("value", "text", t("Text", "입력할 글자"), default=""),
        Param("press_enter", "boolean", t("Then press Enter", "입력 후 Enter 누르기"), default=False, expressions=False),
        ACTION_TIMEOUT,
    )

    def actions(self, params: dict) -> list[dict]:
        listed = super().actions(params)
        if params.get("press_enter"):
            listed.append({**self.step(params), "action": A.PRESS, "value": "Enter", "name": ""})
        return listed


@register
class BrowserSelect(_OneAction):
    key = "browser.select"
    action = A.SELECT
    label = t("Browser: choose in a list", "브라우저: 목록에서 선택")
    description = t("Opens a web page and chooses an option in a drop-down list.", "웹 페이지를 열고 드롭다운 목록에서 항목을 고릅니다.")
    params = (
        URL,
        Param("find_by", "select", t("Find the list by", "목록 찾는 방법"), default=A.BY_LABEL, expressions=False, options=A.FIND_BY),
        Param("target", "string", t("List", "목록"), required=True, help=TARGET_HELP),
        Param("value", "string", t("Option (its text or value)", "고를 항목(글자 또는 값)"), required=True),
        ACTION_TIMEOUT,
    )


@register
class BrowserWait(_OneAction):
    key = "browser.wait"
    action = A.WAIT
    side_effects = False
    label = t("Browser: wait for an element or text", "브라우저: 요소나 글자 기다리기")
    description = t(
        "Opens a web page and waits until an element or a text appears (the step fails if it does not in time).",
        "웹 페이지를 열고 요소나 글자가 나타날 때까지 기다립니다(시간 안에 나타나지 않으면 실패합니다).",
    )
    params = (
        URL,
        FIND_BY,
        Param("target", "string", t("Element or text", "요소 또는 글자"), required=True, help=TARGET_HELP),
        ACTION_TIMEOUT,
    )


@register
class BrowserExtract(_OneAction):
    key = "browser.extract"
    side_effects = False
    aliases = ("scrape", "web scraping", "read table from web page", "스크래핑", "웹 표 읽기")
    label = t("Browser: read text or a table", "브라우저: 글자나 표 읽기")
    description = t(
        "Opens a web page and reads the text or an attribute of an element, or the rows of a table (following its next-page button).",
        "웹 페이지를 열고 요소의 글자나 속성, 또는 표의 행을 읽습니다(다음 페이지 버튼도 따라갑니다).",
    )
    params = (
        URL,
        Param(
            "what",
            "select",
            t("Read", "읽을 것"),
            default=A.EXTRACT_TEXT,
            expressions=False,
            options=tuple((key, label) for key, label in A.ACTIONS if key.startswith("extract_")),
        ),
        Param("find_by", "select", t("Find the element by", "요소 찾는 방법"), default=A.BY_CSS, expressions=False, options=A.FIND_BY),
        Param(
            "target",
            "string",
            t("Element (empty for a table: the first table)", "요소(표는 비우면 첫 번째 표)"),
            default="",
            help=TARGET_HELP,
        ),
        Param("attribute", "string", t("Attribute (Read an attribute)", "속성 이름(속성 읽기)"), default=""),
        ACTION_FIELDS[5],
        Param("name", "string", t("Save as (field name)", "저장할 필드 이름"), default="", expressions=False),
        ROWS_AS_ITEMS,
        ACTION_TIMEOUT,
    )

    def step(self, params: dict) -> dict:
        what = params.get("what") or A.EXTRACT_TEXT
        return {**super().step(params), "action": what, "value": params.get("attribute", ""), "next_page": params.get("next_page", "")}


@register
class BrowserScreenshot(_OneAction):
    key = "browser.screenshot"
    action = A.SCREENSHOT
    side_effects = False
    label = t("Browser: take a screenshot", "브라우저: 화면 캡처")
    description = t(
        "Opens a web page and saves a picture of the whole page, or of one element, as a PNG file.",
        "웹 페이지를 열고 페이지 전체나 한 요소의 그림을 PNG 파일로 저장합니다.",
    )
    params = (
        URL,
        FIND_BY,
        Param("target", "string", t("Element (empty: the whole page)", "요소(비우면 페이지 전체)"), default="", help=TARGET_HELP),
        Param("name", "string", t("Save as (field name)", "저장할 필드 이름"), default="", expressions=False),
        ACTION_TIMEOUT,
    )


@register
class BrowserDownload(_OneAction):
    key = "browser.download"
    action = A.DOWNLOAD
    side_effects = False
    label = t("Browser: download a file", "브라우저: 파일 내려받기")
    description = t(
        "Opens a web page and clicks the link or button that downloads a file; the file is stored with the run.",
        "웹 페이지를 열고 파일을 내려받는 링크나 버튼을 클릭합니다. 파일은 실행 기록과 함께 저장됩니다.",
    )
    params = (
        URL,
        FIND_BY,
        Param(
            "target",
            "string",
            t("Link or button (empty: the address is the file)", "링크나 버튼(비우면 주소가 곧 파일)"),
            default="",
            help=TARGET_HELP,
        ),
        Param("name", "string", t("Save as (field name)", "저장할 필드 이름"), default="", expressions=False),
        ACTION_TIMEOUT,
    )

    def actions(self, params: dict) -> list[dict]:
        if not str(params.get("target") or "").strip():
            return [{"action": A.DOWNLOAD, "value": params.get("url"), "name": params.get("name", "")}]
        return super().actions(params)
