"""Evaluating compiled formula trees, without sympy and (for scalars) without numpy.

A tree is plain data produced by :func:`hpguide.core.formula.to_tree`:
``float | str | (op, *children)`` with ops ``+``, ``*`` (n-ary), ``**``,
``log``, ``exp``, ``floor``, ``ceil``, ``min``, ``max``. Trees are cached as
JSON, so a query can evaluate the whole KB without importing sympy, pydantic
or the YAML parser.

Three compilers build nested closures (no code generation, no ``eval``):
:func:`compile_scalar` over the ``math`` module for one point (fast start-up:
numpy is not imported), :func:`compile_lists` over the same functions for many
points at once (values are floats or equal-length lists; a query's bands
evaluate an entry under every draw of its constants this way, still without
numpy), and :func:`compile_tree` over numpy for arrays. All give NaN where a
value is undefined, never an exception or a complex number.
"""

from __future__ import annotations

import math

from .errors import FormulaError

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up of every query
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

#: A compiled formula: a number, a name, or ``(op, *children)`` (a list once read back from JSON).
#: A run-time name (``__all__`` exports it), built without importing typing.
Tree = tuple | list | float | int | str

__all__ = ["Tree", "OPS", "tree_names", "check_node", "check_tree", "compile_scalar", "compile_lists", "compile_tree",
           "evaluate_tree"]

OPS = frozenset({"+", "*", "**", "log", "exp", "floor", "ceil", "min", "max"})
_UNARY = frozenset({"log", "exp", "floor", "ceil"})


def tree_names(tree: Tree) -> frozenset[str]:
    """All variable names a tree reads."""
    if isinstance(tree, str):
        return frozenset([tree])
    if isinstance(tree, (tuple, list)):
        out: frozenset[str] = frozenset()
        for child in tree[1:]:
            out |= tree_names(child)
        return out
    return frozenset()


def check_node(tree: Any) -> None:
    """Check one node (not its children): a number, a name, or an operation with its arity."""
    kind = type(tree)
    if kind is float or kind is int or kind is str:
        return
    if (kind is not tuple and kind is not list) or not tree or tree[0] not in OPS:
        raise FormulaError(f"malformed compiled formula: {str(tree)[:60]}")
    arity = len(tree) - 1
    if (tree[0] in _UNARY and arity != 1) or (tree[0] == "**" and arity != 2) or arity < 1:
        raise FormulaError(f"malformed compiled formula: {tree[0]} with {arity} arguments")


def check_tree(tree: Any, depth: int = 0) -> None:
    """Raise :class:`FormulaError` unless ``tree`` is a well-formed tree (e.g. one read from a cache)."""
    if depth > 200:
        raise FormulaError("compiled formula is nested too deeply")
    check_node(tree)
    if type(tree) is tuple or type(tree) is list:
        for child in tree[1:]:
            check_tree(child, depth + 1)


# ---------------------------------------------------------------------------- scalar (math)



def _pow(base: float, exponent: float) -> float:
    try:
        return math.pow(base, exponent)
    except OverflowError:
        return math.inf
    except (ValueError, ZeroDivisionError):
        return math.nan


def _log(x: float) -> float:
    if x > 0:
        return math.log(x)
    return -math.inf if x == 0 else math.nan


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _rounding(fn: Callable[[float], int]) -> Callable[[float], float]:
    def run(x: float) -> float:
        return float(fn(x)) if math.isfinite(x) else x

    return run


def _sum(xs: list[float]) -> float:
    try:
        return math.fsum(xs)
    except ValueError:  # inf + -inf is undefined (found by fuzz/fuzz_formula.py)
        return math.nan
    except OverflowError:  # finite terms whose exact sum overflows
        return sum(xs)


def _min(*xs: float) -> float:
    return math.nan if any(x != x for x in xs) else min(xs)


def _max(*xs: float) -> float:
    return math.nan if any(x != x for x in xs) else max(xs)


_SCALAR_UNARY = {"log": _log, "exp": _exp, "floor": _rounding(math.floor), "ceil": _rounding(math.ceil)}


def compile_scalar(tree: Tree) -> Callable[[Mapping[str, float]], float]:
    """Compile a tree into ``f(env) -> float`` over the ``math`` module."""
    # Every query compiles some 45 trees and calls each about twice, so compiling is half the cost:
    # dispatch on the exact type first, and give the shapes that make up most of the KB (x * y and
    # x ** constant) closures of their own. Each gives what the general case gives (1.0 * x == x).
    kind = type(tree)
    if kind is float or kind is int:
        constant = float(tree)  # type: ignore[arg-type]
        return lambda env: constant
    if kind is str:
        name = tree
        return lambda env: float(env[name])  # type: ignore[index]
    if isinstance(tree, (int, float)) and kind is not bool:  # numpy's float64 and the like
        other = float(tree)
        return lambda env: other
    check_node(tree)  # the children are checked as they are compiled
    assert isinstance(tree, (tuple, list))  # for type checkers: check_node lets only operations through
    op = tree[0]
    if op == "**":
        base = compile_scalar(tree[1])
        if type(tree[2]) is float or type(tree[2]) is int:
            power = float(tree[2])
            return lambda env: _pow(base(env), power)
        exponent = compile_scalar(tree[2])
        return lambda env: _pow(base(env), exponent(env))
    kids = [compile_scalar(child) for child in tree[1:]]
    if op == "*":
        if len(kids) == 2:
            left, right = kids
            return lambda env: left(env) * right(env)

        def product(env: Mapping[str, float]) -> float:
            acc = 1.0
            for k in kids:
                acc *= k(env)
            return acc

        return product
    if op == "+":
        return lambda env: _sum([k(env) for k in kids])
    if op == "min":
        return lambda env: _min(*(k(env) for k in kids))
    if op == "max":
        return lambda env: _max(*(k(env) for k in kids))
    fn, (arg,) = _SCALAR_UNARY[op], kids
    return lambda env: fn(arg(env))


# ---------------------------------------------------------------------------- many points (lists, math)


def _elementwise(fn: Callable[..., float], args: list[Any]) -> Any:
    """``fn`` over arguments that are floats or equal-length lists: a float if all are floats."""
    lists = [a for a in args if type(a) is list]
    if not lists:
        return fn(*args)
    n = len(lists[0])
    return [fn(*row) for row in zip(*(a if type(a) is list else [a] * n for a in args))]


def _two_sum(x: float, y: float) -> float:
    return x + y  # two floats: IEEE addition is correctly rounded, as fsum is, and gives the same inf/NaN


def _multi_sum(*xs: float) -> float:
    return _sum(list(xs))


def compile_lists(tree: Tree) -> Callable[[Mapping[str, Any]], Any]:
    """Compile a tree into ``f(env)`` whose values are floats or equal-length lists (one item per point);
    each point gets exactly what :func:`compile_scalar` gives it. Subtrees over floats only are computed
    once, as floats."""
    kind = type(tree)
    if kind is float or kind is int:
        constant = float(tree)  # type: ignore[arg-type]
        return lambda env: constant
    if kind is str:
        name = tree

        def read(env: Mapping[str, Any]) -> Any:
            value = env[name]  # type: ignore[index]
            return value if type(value) is list else float(value)

        return read
    if isinstance(tree, (int, float)) and kind is not bool:
        other = float(tree)
        return lambda env: other
    check_node(tree)
    assert isinstance(tree, (tuple, list))
    op = tree[0]
    kids = [compile_lists(child) for child in tree[1:]]
    if op == "**":
        base, exponent = kids
        if type(tree[2]) is float or type(tree[2]) is int:
            fixed = float(tree[2])

            def constant_power(env: Mapping[str, Any]) -> Any:
                b = base(env)
                return [_pow(x, fixed) for x in b] if type(b) is list else _pow(b, fixed)

            return constant_power

        def power(env: Mapping[str, Any]) -> Any:
            b, e = base(env), exponent(env)
            if type(b) is list:
                return [_pow(x, y) for x, y in zip(b, e)] if type(e) is list else [_pow(x, e) for x in b]
            return [_pow(b, y) for y in e] if type(e) is list else _pow(b, e)

        return power
    if op == "*":
        # a left fold, as compile_scalar's product (1.0 * x == x, then one rounding per factor)
        def times(env: Mapping[str, Any]) -> Any:
            acc = kids[0](env)
            for kid in kids[1:]:
                b = kid(env)
                if type(acc) is list:
                    acc = [x * y for x, y in zip(acc, b)] if type(b) is list else [x * b for x in acc]
                else:
                    acc = [acc * y for y in b] if type(b) is list else acc * b
            return acc

        return times
    fn: Callable[..., float] = {"+": _two_sum if len(kids) == 2 else _multi_sum, "min": _min,
                                 "max": _max}.get(op) or _SCALAR_UNARY[op]
    return lambda env: _elementwise(fn, [k(env) for k in kids])


# ---------------------------------------------------------------------------- arrays (numpy)


def compile_tree(tree: Tree) -> Callable[[Mapping[str, Any]], Any]:
    """Compile a tree into ``f(env)`` over numpy: values may be floats or arrays
    (the result broadcasts). Call inside ``numpy.errstate`` to silence warnings."""
    import numpy as np

    if isinstance(tree, (int, float)) and not isinstance(tree, bool):
        value = float(tree)
        return lambda env: value
    if isinstance(tree, str):
        name = tree
        return lambda env: env[name]
    check_node(tree)  # the children are checked as they are compiled
    assert isinstance(tree, (tuple, list))  # for type checkers: check_node lets only operations through
    op, kids = tree[0], [compile_tree(child) for child in tree[1:]]
    if op in ("+", "*", "min", "max"):
        # np.minimum/np.maximum propagate NaN, as the scalar path does
        fn = {"+": np.add, "*": np.multiply, "min": np.minimum, "max": np.maximum}[op]
        first, rest = kids[0], kids[1:]

        def run(env: Mapping[str, Any]) -> Any:
            acc = first(env)
            for part in rest:
                acc = fn(acc, part(env))
            return acc

        return run
    if op == "**":
        base, exponent = kids
        return lambda env: np.power(np.asarray(base(env), dtype=float), exponent(env))
    unary = {"log": np.log, "exp": np.exp, "floor": np.floor, "ceil": np.ceil}[op]
    (arg,) = kids
    return lambda env: unary(arg(env))


def evaluate_tree(tree: Tree, env: Mapping[str, Any]) -> Any:
    """Evaluate a tree once over numpy (compile it yourself for loops)."""
    import numpy as np

    with np.errstate(all="ignore"):
        return compile_tree(tree)(env)
