import pytest

from apps.ai.calculator import CalculationError, calculate


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("1 + 2 * 3", 7),
        ("(1200 * 1.1)", 1320),
        ("2 ^ 10", 1024),
        ("sqrt(16) + max(1, 5)", 9),
        ("7 // 2 + 7 % 2", 4),
        ("-3.5 * 2", -7),
        ("round(2 / 3, 3)", 0.667),
    ],
)
def test_arithmetic(expression, value):
    assert calculate(expression) == value


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os').system('id')",
        "open('/etc/passwd')",
        "(1).__class__",
        "[1, 2]",
        "'a' * 3",
        "x + 1",
        "9 ** 99999",
        "1 / 0",
        "10 ** 400",
        "lambda: 1",
        "",
    ],
)
def test_anything_else_is_refused(expression):
    with pytest.raises(CalculationError):
        calculate(expression)
