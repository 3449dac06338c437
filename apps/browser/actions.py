"""What a browser step can do, in words a person chooses from: the actions of a scripted sequence, how an element is
found, which actions only read (a step made only of those is idempotent), and the check of a sequence before a browser
starts. Plain Python: the child process (apps/browser/child.py) imports it too."""

from __future__ import annotations

from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import t

OPEN = "open"
CLICK = "click"
TYPE = "type"
TYPE_USERNAME = "type_username"
TYPE_PASSWORD = "type_password"
SELECT = "select"
PRESS = "press"
WAIT = "wait"
EXTRACT_TEXT = "extract_text"
EXTRACT_ALL_TEXT = "extract_all_text"
EXTRACT_ATTRIBUTE = "extract_attribute"
EXTRACT_TABLE = "extract_table"
SCREENSHOT = "screenshot"
DOWNLOAD = "download"

ACTIONS = (
    (OPEN, t("Open a web address", "웹 주소 열기")),
    (CLICK, t("Click", "클릭")),
    (TYPE, t("Type text", "글자 입력")),
    (TYPE_USERNAME, t("Type the login's username", "로그인 정보의 아이디 입력")),
    (TYPE_PASSWORD, t("Type the login's password", "로그인 정보의 비밀번호 입력")),
    (SELECT, t("Choose in a list", "목록에서 선택")),
    (PRESS, t("Press a key", "키 누르기")),
    (WAIT, t("Wait for an element or text", "요소나 글자가 나타날 때까지 기다리기")),
    (EXTRACT_TEXT, t("Read text", "글자 읽기")),
    (EXTRACT_ALL_TEXT, t("Read the text of every match (list)", "일치하는 모든 요소의 글자 읽기(목록)")),
    (EXTRACT_ATTRIBUTE, t("Read an attribute", "속성 읽기")),
    (EXTRACT_TABLE, t("Read a table", "표 읽기")),
    (SCREENSHOT, t("Take a screenshot", "화면 캡처")),
    (DOWNLOAD, t("Download a file", "파일 내려받기")),
)
KEYS = frozenset(key for key, _label in ACTIONS)

# Actions that change nothing on the site: a step made only of these may run again after a crash.
READ_ONLY = frozenset({OPEN, WAIT, EXTRACT_TEXT, EXTRACT_ALL_TEXT, EXTRACT_ATTRIBUTE, EXTRACT_TABLE, SCREENSHOT, DOWNLOAD})
# Actions that find an element on the page first.
NEED_TARGET = frozenset({CLICK, TYPE, TYPE_USERNAME, TYPE_PASSWORD, SELECT, WAIT, EXTRACT_TEXT, EXTRACT_ALL_TEXT, EXTRACT_ATTRIBUTE})
NEED_VALUE = frozenset({OPEN, SELECT, PRESS, EXTRACT_ATTRIBUTE})
USES_LOGIN = frozenset({TYPE_USERNAME, TYPE_PASSWORD})
# What a value read by an action is called in the output when the person gave it no name.
DEFAULT_NAMES = {
    EXTRACT_TEXT: "text",
    EXTRACT_ALL_TEXT: "texts",
    EXTRACT_ATTRIBUTE: "attribute",
    EXTRACT_TABLE: "table",
    SCREENSHOT: "screenshot",
    DOWNLOAD: "download",
}

BY_TEXT, BY_LABEL, BY_CSS, BY_PLACEHOLDER = "text", "label", "css", "placeholder"
FIND_BY = (
    (BY_TEXT, t("visible text", "보이는 글자")),
    (BY_LABEL, t("label of a form field", "입력 칸의 이름표")),
    (BY_PLACEHOLDER, t("hint inside a form field", "입력 칸 안의 안내 글자")),
    (BY_CSS, t("CSS selector", "CSS 선택자")),
)
FIND_BY_KEYS = frozenset(key for key, _label in FIND_BY)

MAX_ACTIONS = 100


def label_of(action: str) -> dict:
    return dict(ACTIONS).get(action, t(action, action))


def checked(actions) -> list[dict]:
    """The sequence as the child runs it (names filled in), or a NodeError naming the first wrong action."""
    if not isinstance(actions, list) or not actions:
        raise NodeError(gettext_noop("Add at least one action."), code="browser_no_actions")
    if len(actions) > MAX_ACTIONS:
        raise NodeError(
            gettext_noop("A browser step may have at most %(limit)s actions."),
            code="browser_bad_action",
            values={"limit": str(MAX_ACTIONS)},
        )
    result, names = [], {}
    for number, raw in enumerate(actions, start=1):
        entry = raw if isinstance(raw, dict) else {}
        action = str(entry.get("action") or "")
        if action not in KEYS:
            raise NodeError(
                gettext_noop("Action %(number)s: choose what it does."), code="browser_bad_action", values={"number": str(number)}
            )
        find_by = str(entry.get("find_by") or BY_TEXT)
        if find_by not in FIND_BY_KEYS:
            raise NodeError(
                gettext_noop("Action %(number)s: choose how the element is found."),
                code="browser_bad_action",
                values={"number": str(number)},
            )
        target = "" if entry.get("target") is None else str(entry.get("target"))
        value = "" if entry.get("value") is None else str(entry.get("value"))
        needs_target = action in NEED_TARGET or (action == DOWNLOAD and not value)
        if needs_target and not target.strip():
            raise NodeError(
                gettext_noop("Action %(number)s (%(action)s): say which element, by its text, label or CSS selector."),
                code="browser_bad_action",
                values={"number": str(number), "action": label_of(action)["en"]},
            )
        if action in NEED_VALUE and not value.strip():
            raise NodeError(
                gettext_noop("Action %(number)s (%(action)s): fill in the value."),
                code="browser_bad_action",
                values={"number": str(number), "action": label_of(action)["en"]},
            )
        if action == OPEN and not value.strip().lower().startswith(("http://", "https://")):
            raise NodeError(
                gettext_noop("Action %(number)s: the address must start with http:// or https://."),
                code="bad_url",
                values={"number": str(number)},
            )
        name = str(entry.get("name") or "").strip()
        if action in DEFAULT_NAMES and not name:
            base = DEFAULT_NAMES[action]
            names[base] = names.get(base, 0) + 1
            name = base if names[base] == 1 else f"{base}_{names[base]}"
        result.append(
            {
                "action": action,
                "find_by": find_by,
                "target": target,
                "value": value,
                "name": name,
                "next_page": str(entry.get("next_page") or ""),
            }
        )
    return result


def read_only(actions) -> bool:
    """Whether a stored sequence only reads (expressions unresolved: an action given as an expression is not known)."""
    return isinstance(actions, list) and all(isinstance(a, dict) and a.get("action") in READ_ONLY for a in actions)
