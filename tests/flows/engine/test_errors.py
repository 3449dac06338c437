"""Engine errors keep their English template and values, so the Django layer can say them in the reader's language."""

import ast
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from apps.flows.engine import executor as executor_module
from apps.flows.engine.errors import ExpressionError, NodeError
from apps.flows.sandbox.runner import Limits, SandboxError, _parse
from tests.flows.engine.helpers import edge, node, run

START = node("start", "trigger.manual")
FLOWS = Path(__file__).resolve().parents[3] / "apps" / "flows"


def test_a_failing_node_keeps_the_template_and_values_of_its_error(monkeypatch):
    seen = []
    original = executor_module._as_engine_error

    def recording(exc):
        error = original(exc)
        seen.append(error)
        return error

    monkeypatch.setattr(executor_module, "_as_engine_error", recording)
    nodes = [START, node("bad", "data.set", "Bad", fields=[{"name": "x", "value": "{{ 1 / 0 }}"}])]
    result, _ = run(nodes, [edge("start", "bad")])

    assert result.status == "failed" and result.failed_node == "bad"
    [error] = seen
    assert isinstance(error, ExpressionError) and error.code == "failed"
    # Dividing by zero is said in words, not as Python's "ZeroDivisionError: division by zero" (issue 17).
    assert error.template == "Division by zero: the number the expression divides by is 0 or empty."
    assert error.message == error.template and "ZeroDivisionError" not in error.message
    assert result.error == error.message
    assert error.translatable == {"template": error.template, "values": error.values}
    with translation.override("ko"):
        assert gettext(error.template) == "식이 0으로 나누고 있습니다: 나누는 수가 0이거나 비어 있습니다."


def test_an_unexpected_exception_becomes_a_node_error_with_values():
    error = executor_module._as_engine_error(KeyError("total"))
    assert isinstance(error, NodeError) and error.code == "unexpected"
    assert error.template == "The step failed unexpectedly: %(error)s: %(reason)s"
    assert error.values == {"error": "KeyError", "reason": "'total'"}
    assert error.message == "The step failed unexpectedly: KeyError: 'total'"


def test_sandbox_errors_keep_their_template_through_the_code_node():
    with pytest.raises(SandboxError) as caught:
        _parse(0, b"x" * 20, b"", Limits(output_bytes=10))
    assert caught.value.template == "The code's result is larger than %(limit)s bytes."
    assert caught.value.values == {"limit": "10"}
    assert caught.value.message == "The code's result is larger than 10 bytes."


def _templates() -> set[str]:
    """Every string literal passed to gettext_noop(...) in apps/flows."""
    found = set()
    for path in FLOWS.rglob("*.py"):
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(call, ast.Call) and getattr(call.func, "id", getattr(call.func, "attr", None)) == "gettext_noop":
                argument = call.args[0] if call.args else None
                assert isinstance(argument, ast.Constant) and isinstance(argument.value, str), (
                    f"{path}:{call.lineno}: gettext_noop needs a plain string literal, or makemessages cannot find it"
                )
                found.add(argument.value)
    return found


def test_every_engine_error_template_has_a_korean_translation():
    templates = _templates()
    assert len(templates) > 50  # the scan finds the engine, node and sandbox messages
    with translation.override("ko"):
        missing = sorted(template for template in templates if not gettext(template).strip() or gettext(template) == template)
    assert not missing, "not translated into Korean:\n" + "\n".join(missing)


ITEM = {"amount": 3, "name": "abc", "empty": None}


@pytest.mark.parametrize(
    ("expression", "english", "korean"),
    [
        (
            "{{ json.amount + json.name }}",
            "The expression combines or compares values of different kinds (a number and text).",
            "종류가 다른 값(숫자와 글자)",
        ),
        ("{{ json.name < json.amount }}", "(text and a number)", "(글자와 숫자)"),
        ("{{ int(json.name) }}", "'abc' is not a number, so it cannot be turned into one.", "'abc'은(는) 숫자가 아니어서"),
        ("{{ json.empty + 1 }}", "A value the expression uses is empty", "비어 있어"),
        ("{{ json.amount | length }}", "The expression treats a number as a list or a group of fields.", "숫자를 목록이나"),
    ],
)
def test_failed_operations_in_expressions_are_said_in_words_not_python(expression, english, korean):
    """Issue 17: no Python wording (TypeError, 'NoneType', 'int' and 'str') reaches a person, in English or Korean."""
    from apps.flows.error_text import engine_error_text

    nodes = [START, node("bad", "data.set", "Bad", fields=[{"name": "y", "value": expression}])]
    result, _ = run(nodes, [edge("start", "bad")], items=[dict(ITEM)])
    assert result.status == "failed" and english in result.error
    for python in ("TypeError", "ValueError", "NoneType", "'int'", "'str'", "operand", "literal"):
        assert python not in result.error
    with translation.override("ko"):
        text = engine_error_text(result.error, result.error_args)
    assert korean in text and "TypeError" not in text, text
