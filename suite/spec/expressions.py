"""Safe arithmetic for specs: numbers, the spec's variables, ``sqrt``, ``pi``, + - * / ** and
parentheses, parsed with :mod:`ast` and evaluated by walking the tree (never Python ``eval``).

Calls such as ``normal_(std=0.02 / sqrt(2 * n_layer))`` are parsed here too: a name and keyword
arguments whose values are expressions or quoted strings (``mode='fan_out'``).
"""

from __future__ import annotations

import ast
import math
import operator

FUNCTIONS = {"sqrt": math.sqrt}
CONSTANTS = {"pi": math.pi}
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}


class ExpressionError(ValueError):
    """A spec expression that is not arithmetic over numbers, variables, sqrt and pi."""


def evaluate(text: str, variables: dict[str, float]) -> float:
    """The value of the arithmetic expression ``text``; :class:`ExpressionError` says what is wrong."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"not an expression: {text!r} ({error.msg})") from None
    return _value(tree.body, variables, text)


def _value(node: ast.AST, variables: dict[str, float], text: str):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in variables:
            return variables[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        known = ", ".join(sorted({*variables, *CONSTANTS})) or "none"
        raise ExpressionError(f"unknown name {node.id!r} in {text!r} (known: {known})")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _value(node.left, variables, text), _value(node.right, variables, text)
        try:
            return _BINARY[type(node.op)](left, right)
        except (ZeroDivisionError, OverflowError) as error:
            raise ExpressionError(f"{text!r}: {error}") from None
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_value(node.operand, variables, text))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in FUNCTIONS
        and len(node.args) == 1
        and not node.keywords
    ):
        argument = _value(node.args[0], variables, text)
        try:
            return FUNCTIONS[node.func.id](argument)
        except ValueError as error:
            raise ExpressionError(f"{text!r}: {node.func.id}({argument!r}): {error}") from None
    raise ExpressionError(
        f"{text!r}: only numbers, variables, sqrt(x), pi, + - * / ** and parentheses are allowed "
        f"(found {ast.dump(node)[:40]}...)"
    )


def parse_call(text: str, variables: dict[str, float]) -> tuple[str, dict]:
    """``name(key=expression, ...)`` -> (name, {key: value}); values are numbers or quoted strings."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"not a call: {text!r} ({error.msg})") from None
    node = tree.body
    if isinstance(node, ast.Name):  # a bare name: no arguments
        return node.id, {}
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        raise ExpressionError(f"expected an initializer call such as normal_(std=0.02), got {text!r}")
    if node.args:
        raise ExpressionError(f"{text!r}: name every argument (normal_(std=0.02), not normal_(0, 0.02))")
    arguments = {}
    for keyword in node.keywords:
        if keyword.arg is None:
            raise ExpressionError(f"{text!r}: ** arguments are not allowed")
        value = keyword.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            arguments[keyword.arg] = value.value
        else:
            arguments[keyword.arg] = _value(value, variables, text)
    return node.func.id, arguments
