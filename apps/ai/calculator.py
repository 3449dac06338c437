"""Arithmetic for the agent's calculator tool, read with Python's parser and walked node by node: only numbers,
+ - * / // % **, parentheses and a few math functions exist, so nothing else can run."""

from __future__ import annotations

import ast
import math
import operator

MAX_LENGTH = 500
MAX_EXPONENT = 1000
MAX_MAGNITUDE = 1e300

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCTIONS = {
    "abs": abs,
    "round": round,
    "min": min,
    "max": max,
    "sqrt": math.sqrt,
    "log": math.log,
    "log10": math.log10,
    "exp": math.exp,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "floor": math.floor,
    "ceil": math.ceil,
}
_CONSTANTS = {"pi": math.pi, "e": math.e}


class CalculationError(ValueError):
    pass


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CalculationError("only numbers")
    if abs(value) > MAX_MAGNITUDE:
        raise CalculationError("the number is too large")
    return value


def _walk(node):
    if isinstance(node, ast.Expression):
        return _walk(node.body)
    if isinstance(node, ast.Constant):
        return _number(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _walk(node.left), _walk(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise CalculationError("the exponent is too large")
        return _number(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_walk(node.operand))
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
        and 0 < len(node.args) <= 10
    ):
        return _number(_FUNCTIONS[node.func.id](*(_walk(arg) for arg in node.args)))
    raise CalculationError(
        f"“{ast.unparse(node)[:50]}” is not allowed: use numbers, + - * / // % **, parentheses and {', '.join(_FUNCTIONS)}"
    )


def calculate(expression: str) -> int | float:
    text = str(expression or "").replace("^", "**").replace("×", "*").replace("÷", "/")
    if not text.strip() or len(text) > MAX_LENGTH:
        raise CalculationError(f"give an expression of 1 to {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise CalculationError("the expression is not valid arithmetic") from None
    try:
        result = _walk(tree)
    except ZeroDivisionError:
        raise CalculationError("division by zero") from None
    except (OverflowError, ValueError, TypeError) as exc:
        if isinstance(exc, CalculationError):
            raise
        raise CalculationError(str(exc)) from None
    if isinstance(result, float) and result.is_integer() and abs(result) < 2**53:
        return int(result)
    return result
