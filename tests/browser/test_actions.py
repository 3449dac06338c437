"""The check of a sequence before any browser starts: every wrong action is named by its number, in words."""

import pytest

from apps.browser import actions as A
from apps.flows.engine.errors import NodeError


def problem(actions) -> str:
    with pytest.raises(NodeError) as caught:
        A.checked(actions)
    return caught.value.message


def test_wrong_actions_are_named_by_number_before_a_browser_starts():
    assert problem([]) == "Add at least one action."
    assert problem("click everything") == "Add at least one action."
    assert problem([{"action": "open", "value": "https://example.com"}, {"action": "dance"}]) == "Action 2: choose what it does."
    assert problem([{"action": "click", "find_by": "xpath", "target": "//a"}]) == "Action 1: choose how the element is found."
    assert problem([{"action": "click"}]) == "Action 1 (Click): say which element, by its text, label or CSS selector."
    assert problem([{"action": "select", "target": "Branch"}]) == "Action 1 (Choose in a list): fill in the value."
    assert problem([{"action": "open", "value": "file:///etc/passwd"}]) == "Action 1: the address must start with http:// or https://."
    assert problem([{"action": "open", "value": "javascript:alert(1)"}]) == "Action 1: the address must start with http:// or https://."
    assert problem([{"action": "download"}]).startswith("Action 1 (Download a file): say which element")
    assert problem([{"action": "wait", "target": "x"}] * (A.MAX_ACTIONS + 1)) == "A browser step may have at most 100 actions."


def test_values_read_get_names_numbered_when_repeated():
    checked = A.checked(
        [
            {"action": "open", "value": "https://example.com"},
            {"action": "extract_text", "target": "h1"},
            {"action": "extract_text", "target": "h2"},
            {"action": "extract_table"},
            {"action": "screenshot", "name": "page"},
            {"action": "download", "value": "https://example.com/a.pdf"},
        ]
    )
    assert [step["name"] for step in checked] == ["", "text", "text_2", "table", "page", "download"]
    assert checked[1]["find_by"] == "text"


def test_only_reading_sequences_are_idempotent():
    assert A.read_only([{"action": key} for key in sorted(A.READ_ONLY)])
    for submitting in ("click", "type", "type_username", "type_password", "select", "press"):
        assert not A.read_only([{"action": "open"}, {"action": submitting}])
