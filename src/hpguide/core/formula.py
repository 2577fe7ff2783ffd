"""Safe formula engine: entry text -> sympy -> a small compiled tree -> numpy.

Entries arrive by pull request, so their formulas are untrusted. This module
never hands entry text to ``sympify``, ``parse_expr``, ``eval`` or ``lambdify``
(all of them run code). Instead:

1. :func:`parse` runs ``ast.parse(mode="eval")`` (parsing only) and walks the
   tree with an allow-list, building sympy objects directly. Every name becomes
   a plain :class:`sympy.Symbol`, so ``E``, ``N``, ``S``, ``I``, ``beta`` and
   ``gamma`` are just variables, never Euler's number or special functions.
2. :func:`to_tree` turns a sympy expression (a parsed one, or one that
   :func:`solve_for` produced) into a tree of plain tuples made only of the
   operations below. The tree is data: it can be cached as JSON and compiled
   without sympy.
3. :mod:`hpguide.core.evaluate` compiles trees into nested closures (over ``math``
   for one point, over numpy for arrays): fast, and no code generation.

Limits keep hostile input cheap: source length, node count, nesting depth and
the size of literal exponents (``9**9**9`` is refused before sympy sees it).
"""

from __future__ import annotations

import ast
import difflib
import math
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import sympy as sp

from .errors import FormulaError, UnknownNameError

if TYPE_CHECKING:
    from .evaluate import Tree

__all__ = [
    "MAX_SOURCE_LENGTH",
    "MAX_NODES",
    "MAX_DEPTH",
    "MAX_LITERAL_EXPONENT",
    "FUNCTIONS",
    "Formula",
    "parse",
    "symbol",
    "to_tree",
    "solve_for",
]

MAX_SOURCE_LENGTH = 1000
MAX_NODES = 400
MAX_DEPTH = 40
#: |exponent| allowed when both base and exponent of ``**`` are literals.
MAX_LITERAL_EXPONENT = 64



def symbol(name: str, positive: bool = True) -> sp.Symbol:
    """The one sympy Symbol used for ``name``.

    Quantities (model size, tokens, learning rate ...) are positive reals, which
    lets ``solve`` drop roots that would need a negative quantity. Constants may
    be negative (Kaplan's LR rule has a negative slope), so they are only real;
    they are substituted by their values before any equation is solved.
    """
    return _symbol(name, positive)


@cache
def _symbol(name: str, positive: bool) -> sp.Symbol:
    return sp.Symbol(name, positive=True) if positive else sp.Symbol(name, real=True)


def _log10(x: Any) -> Any:
    return sp.log(x, 10)


def _log2(x: Any) -> Any:
    return sp.log(x, 2)


#: Allowed functions: name -> (sympy builder, allowed argument counts).
FUNCTIONS: dict[str, tuple[Callable[..., Any], tuple[int, int]]] = {
    "log": (sp.log, (1, 1)),
    "log10": (_log10, (1, 1)),
    "log2": (_log2, (1, 1)),
    "exp": (sp.exp, (1, 1)),
    "sqrt": (sp.sqrt, (1, 1)),
    "min": (sp.Min, (2, 8)),
    "max": (sp.Max, (2, 8)),
    "floor": (sp.floor, (1, 1)),
    "ceil": (sp.ceiling, (1, 1)),
}

#: Functions whose numeric (constant) argument is bounded, and the bound.
_BOUNDED = {"exp": 1000.0, "floor": 1e300, "ceil": 1e300}

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its source text, sympy expression and names used."""

    source: str
    expr: sp.Expr
    names: frozenset[str]


def _span(node: ast.AST) -> tuple[int, int]:
    start = getattr(node, "col_offset", 0) or 0
    end = getattr(node, "end_col_offset", None) or start + 1
    return start, end


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return f"{type(node.value).__name__} constant {node.value!r}"[:60]
    return {
        ast.Attribute: "attribute access",
        ast.Subscript: "subscript",
        ast.Lambda: "lambda",
        ast.ListComp: "comprehension",
        ast.SetComp: "comprehension",
        ast.DictComp: "comprehension",
        ast.GeneratorExp: "comprehension",
        ast.Compare: "comparison",
        ast.BoolOp: "boolean operator",
        ast.IfExp: "conditional expression",
        ast.JoinedStr: "f-string",
        ast.Starred: "starred argument",
        ast.NamedExpr: "assignment expression",
        ast.Await: "await",
        ast.Tuple: "tuple",
        ast.List: "list",
        ast.Dict: "dict",
        ast.Set: "set",
    }.get(type(node), type(node).__name__)


class _Builder:
    """Walks an allow-listed ``ast`` and builds the sympy expression."""

    def __init__(self, source: str, allowed: frozenset[str] | None, constants: frozenset[str]):
        self.source = source
        self.allowed = allowed
        self.constants = constants
        self.names: set[str] = set()

    def fail(self, message: str, node: ast.AST) -> FormulaError:
        return FormulaError(message, self.source, _span(node))

    def build(self, node: ast.AST, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(f"formula is nested deeper than {MAX_DEPTH} levels", node)
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.build(node.operand, depth + 1)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return self._binop(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.BinOp):
            op = type(node.op).__name__
            raise self.fail(f"operator {op} is not allowed (use + - * / **)", node)
        raise self.fail(f"{_describe(node)} is not allowed in a formula", node)

    def _constant(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(f"{_describe(node)} is not allowed (only numbers)", node)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.fail("number is too large (not finite)", node)
            return sp.Float(repr(value))
        if abs(value) > 10**30:
            raise self.fail("integer literal is too large (write it as 1e30)", node)
        return sp.Integer(value)

    def _name(self, node: ast.Name) -> Any:
        name = node.id
        if not name.isascii() or name.startswith("_"):
            raise self.fail(f"name {name!r} is not allowed", node)
        if self.allowed is not None and name not in self.allowed:
            hint = difflib.get_close_matches(name, sorted(self.allowed), n=1)
            tip = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise UnknownNameError(
                f"unknown name {name!r}{tip}: use a registered symbol or a declared constant", self.source, _span(node)
            )
        if name in FUNCTIONS:
            raise self.fail(f"{name!r} is a function; call it as {name}(...)", node)
        self.names.add(name)
        return symbol(name, positive=name not in self.constants)

    def _binop(self, node: ast.BinOp, depth: int) -> Any:
        left = self.build(node.left, depth + 1)
        right = self.build(node.right, depth + 1)
        if isinstance(node.op, ast.Pow):
            self._check_power(node, left, right)
            return left**right
        if isinstance(node.op, ast.Div) and right.is_zero:
            raise self.fail("division by zero", node)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        return left / right

    def _check_power(self, node: ast.BinOp, base: Any, exponent: Any) -> None:
        if not exponent.is_number:
            return
        exp_value = float(exponent)
        if abs(exp_value) > MAX_LITERAL_EXPONENT:
            raise self.fail(f"exponent {exponent} is too large (limit {MAX_LITERAL_EXPONENT})", node.right)
        if base.is_number:
            base_value = float(base)
            if base_value == 0 and exp_value < 0:
                raise self.fail("zero raised to a negative power", node)
            if base_value != 0 and abs(math.log10(abs(base_value)) * exp_value) > 300:
                raise self.fail("number is too large", node)

    def _call(self, node: ast.Call, depth: int) -> Any:
        if not isinstance(node.func, ast.Name):
            raise self.fail("only calls of plain function names are allowed", node.func)
        name = node.func.id
        if name not in FUNCTIONS:
            allowed = ", ".join(FUNCTIONS)
            raise self.fail(f"function {name!r} is not allowed (allowed: {allowed})", node.func)
        if node.keywords:
            raise self.fail(f"{name}() takes no keyword arguments", node.keywords[0].value)
        builder, (lo, hi) = FUNCTIONS[name]
        if not lo <= len(node.args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise self.fail(f"{name}() takes {want} argument(s), got {len(node.args)}", node)
        args = [self.build(arg, depth + 1) for arg in node.args]
        if name in _BOUNDED and args[0].is_number:
            self._check_argument(name, args[0], node)
        return builder(*args)

    def _check_argument(self, name: str, arg: Any, node: ast.Call) -> None:
        # sympy keeps exp(2222868) exact and ceil() of it then computes a million digits (minutes):
        # refuse numeric arguments a float could not hold anyway (found by tests/test_fuzz.py)
        try:
            value = float(sp.N(arg, 15))
        except (ArithmeticError, ValueError, TypeError):
            raise self.fail(f"{name}() of a number that is not a finite real", node) from None
        limit = _BOUNDED[name]
        if name == "exp":
            # only overflow is a problem: exp(-1e6) is a finite 0.0, and sympy evaluates it at once
            if not math.isfinite(value) or value > limit:
                raise self.fail(f"exp() of a number above {limit:g} (the result overflows a float)", node)
        elif not math.isfinite(value) or abs(value) > limit:
            raise self.fail(f"{name}() of a number beyond +-{limit:g} (the result is not a finite float)", node)


def parse(
    source: str, allowed_names: Iterable[str] | None = None, constants: Iterable[str] = ()
) -> Formula:
    """Parse ``source`` into a :class:`Formula`, allowing only safe syntax.

    ``allowed_names`` restricts the names the formula may use (registered
    symbols plus the entry's constants); ``None`` allows any plain name.
    Names in ``constants`` become real symbols, all others positive ones.
    Raises :class:`~hpguide.core.errors.FormulaError` with a caret under the bad part.
    """
    if not isinstance(source, str):
        raise FormulaError(f"a formula must be text, not {type(source).__name__}")
    if len(source) > MAX_SOURCE_LENGTH:
        raise FormulaError(f"formula is {len(source)} characters long (limit {MAX_SOURCE_LENGTH})")
    text = source.strip()
    if not text:
        raise FormulaError("formula is empty")
    for i, ch in enumerate(text):
        if not ch.isascii() or (ch < " " and ch != "\t"):
            raise FormulaError(f"character {ch!r} is not allowed (formulas are plain ASCII)", text, (i, i + 1))
    try:
        with warnings.catch_warnings():  # "1if" warns on stderr (invalid decimal literal); it is refused anyway
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        col = max((exc.offset or 1) - 1, 0)
        raise FormulaError(f"invalid syntax: {exc.msg}", text, (col, col + 1)) from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("formula is too deeply nested to parse") from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise FormulaError(f"formula has {count} syntax nodes (limit {MAX_NODES})")
    allowed = frozenset(allowed_names) if allowed_names is not None else None
    builder = _Builder(text, allowed, frozenset(constants))
    try:
        expr = builder.build(tree.body)
    except RecursionError:
        raise FormulaError("formula is too deeply nested") from None
    except FormulaError:
        raise
    except (ArithmeticError, ValueError, TypeError, MemoryError) as exc:
        # sympy evaluates constant parts while building: exp(exp(exp(1e3))) overflows mpmath,
        # max(sqrt(-1), N) is not comparable, log(0)**2 is complex (found by tests/test_fuzz.py)
        raise FormulaError(f"formula is undefined or out of range ({type(exc).__name__}: {exc})"[:200],
                           text, (0, len(text))) from None
    if not isinstance(expr, sp.Expr):
        raise FormulaError("formula does not evaluate to a number", text, (0, len(text)))
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise FormulaError("formula is undefined (division by zero or infinity)", text, (0, len(text)))
    return Formula(source=text, expr=expr, names=frozenset(builder.names))


# --------------------------------------------------------------------------
# sympy -> tree of tuples (the cacheable, sympy-free compiled form)
# --------------------------------------------------------------------------
# Tree grammar: float | str (a name) | (op, *children)
# ops: "+", "*" (n-ary), "**", "log", "exp", "min", "max", "floor", "ceil".

_FUNC_OPS = {sp.log: "log", sp.exp: "exp", sp.Min: "min", sp.Max: "max", sp.floor: "floor", sp.ceiling: "ceil"}


def to_tree(expr: sp.Expr) -> Tree:
    """Convert a sympy expression built by this module into a plain tree."""
    if expr.is_number:
        try:
            value = complex(expr.evalf())
        except (ArithmeticError, ValueError, TypeError):  # PrecisionExhausted, overflow (tests/test_fuzz.py)
            value = complex("nan")
        if value.imag != 0 or not math.isfinite(value.real):
            try:
                shown = str(expr) if len(str(expr)) <= 60 else str(expr)[:57] + "..."
            except ValueError:  # an integer of more than 4300 digits cannot even be printed
                shown = "(a huge number)"
            raise FormulaError(f"constant part {shown} is not a finite real number")
        return float(value.real)
    if isinstance(expr, sp.Symbol):
        return expr.name
    if isinstance(expr, sp.Add):
        return ("+", *(to_tree(a) for a in expr.args))
    if isinstance(expr, sp.Mul):
        return ("*", *(to_tree(a) for a in expr.args))
    if isinstance(expr, sp.Pow):
        return ("**", to_tree(expr.base), to_tree(expr.exp))
    for func, op in _FUNC_OPS.items():
        if isinstance(expr, func):
            return (op, *(to_tree(a) for a in expr.args))
    raise FormulaError(f"cannot compile {type(expr).__name__} ({expr})")


@lru_cache(maxsize=4096)
def _solve_cached(lhs: str, rhs: sp.Expr, target: str) -> tuple[sp.Expr, ...]:
    # Floats are replaced by symbols before solving: sympy turns a float
    # exponent such as 0.4565 into a rational and would expand a polynomial of
    # degree 10**4 (memory blow-up). Symbolic exponents solve in closed form.
    floats = sorted(rhs.atoms(sp.Float), key=lambda f: float(f))
    placeholders = {f: sp.Dummy(positive=True) if f > 0 else sp.Dummy(real=True) for f in floats}
    equation = sp.Eq(symbol(lhs), rhs.xreplace(placeholders))
    try:
        solutions = sp.solve(equation, symbol(target), dict=False)
    except (NotImplementedError, ValueError, TypeError):
        return ()
    back = {d: f for f, d in placeholders.items()}
    out = []
    for solution in solutions:
        if not isinstance(solution, sp.Expr):
            continue
        solution = solution.xreplace(back)
        if not solution.has(sp.I):
            out.append(solution)
    return tuple(out)


def solve_for(lhs: str, rhs: sp.Expr, target: str) -> tuple[sp.Expr, ...]:
    """Solve ``lhs = rhs`` for ``target``; all real candidate solutions (cached).

    An empty tuple means sympy found no closed form. Symbols are positive, so
    roots that would need a negative quantity are already discarded.
    """
    if target == lhs:
        return (rhs,)
    return _solve_cached(lhs, rhs, target)
