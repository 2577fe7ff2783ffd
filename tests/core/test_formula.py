"""The safe formula engine: allow-list parsing, limits, compilation, solving."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from hpguide.core.errors import FormulaError, UnknownNameError
from hpguide.core.evaluate import compile_tree, evaluate_tree, tree_names
from hpguide.core.formula import MAX_SOURCE_LENGTH, parse, solve_for, symbol, to_tree


def value(source: str, **env: float) -> float:
    return float(evaluate_tree(to_tree(parse(source).expr), env))


# --------------------------------------------------------------------------- names that sympy would hijack


def test_sympy_builtin_names_are_plain_symbols():
    # E is Euler's number, N a function, S/I/O/Q singletons, beta/gamma special functions in sympy.
    f = parse("E + A/N**alpha + B/D**beta + gamma + S + I + O + Q + lam")
    assert f.names == {"E", "A", "N", "alpha", "B", "D", "beta", "gamma", "S", "I", "O", "Q", "lam"}
    assert all(isinstance(s, sp.Symbol) for s in f.expr.free_symbols)
    assert not f.expr.has(sp.E) and not f.expr.has(sp.I)


def test_constants_named_like_sympy_builtins_evaluate_by_hand():
    env = {"E": 1.69, "A": 406.4, "N": 7.0e10, "alpha": 0.34, "B": 410.7, "D": 1.4e12, "beta": 0.28, "gamma": 2.0}
    got = value("E + A/N**alpha + B/D**beta + gamma", **env)
    hand = 1.69 + 406.4 / 7.0e10**0.34 + 410.7 / 1.4e12**0.28 + 2.0
    assert got == pytest.approx(hand, rel=1e-12)
    assert value("S*I - O/Q", S=2.0, I=3.0, O=1.0, Q=4.0) == pytest.approx(5.75)


def test_functions():
    assert value("log(x)", x=math.e**2) == pytest.approx(2.0)
    assert value("log10(x)", x=1000.0) == pytest.approx(3.0)
    assert value("log2(x)", x=8.0) == pytest.approx(3.0)
    assert value("exp(x)", x=1.0) == pytest.approx(math.e)
    assert value("sqrt(x)", x=16.0) == pytest.approx(4.0)
    assert value("min(x, 3, y)", x=5.0, y=4.0) == pytest.approx(3.0)
    assert value("max(x, 3)", x=5.0) == pytest.approx(5.0)
    assert value("floor(x)", x=2.7) == 2.0
    assert value("ceil(x)", x=2.2) == 3.0


def test_vectorises_over_numpy_arrays():
    fn = compile_tree(to_tree(parse("6*N*D").expr))
    n = np.logspace(6, 12, 100)
    d = np.logspace(9, 13, 100)
    np.testing.assert_allclose(fn({"N": n, "D": d}), 6 * n * d)
    grid = fn({"N": n[:, None], "D": d[None, :]})
    assert grid.shape == (100, 100)


def test_tree_is_plain_data():
    tree = to_tree(parse("0.3118*C**(-0.125)").expr)
    assert tree_names(tree) == {"C"}

    def plain(node):
        return isinstance(node, (float, str)) or (isinstance(node, tuple) and all(plain(c) for c in node[1:]))

    assert plain(tree)


# --------------------------------------------------------------------------- rejected input


@pytest.mark.parametrize(
    "source, fragment",
    [
        ("__import__('os').system('touch /tmp/hpguide-pwned')", "plain function names"),
        ("N.__class__", "attribute access"),
        ("().__class__.__bases__[0]", "subscript"),
        ("(lambda: 1)()", "plain function names"),
        ("lambda: 1", "lambda"),
        ("[x for x in y]", "comprehension"),
        ("'abc'", "str constant"),
        ("b'abc'", "bytes constant"),
        ("1j", "complex constant"),
        ("True", "bool constant"),
        ("None", "NoneType constant"),
        ("9**9**9", "too large"),
        ("2**1000", "too large"),
        ("N**100", "too large"),
        ("log(N, base=2)", "keyword"),
        ("open('x')", "not allowed"),
        ("eval('1')", "not allowed"),
        ("N if N else 1", "conditional"),
        ("N < 1", "comparison"),
        ("N and D", "boolean"),
        ("(x := 1)", "assignment"),
        ("f'{N}'", "f-string"),
        ("N // 2", "FloorDiv"),
        ("N % 2", "Mod"),
        ("N @ D", "MatMult"),
        ("log()", "argument"),
        ("min(N)", "argument"),
        ("log", "function"),
        ("1/0", "division by zero"),
        ("0**-1", "zero"),
        ("", "empty"),
        ("   ", "empty"),
        ("N +", "invalid syntax"),
        ("\u039d + 1", "not allowed"),  # Greek capital Nu, looks like N
        ("N\x00", "not allowed"),
        ("_x + 1", "not allowed"),
        ("1e999", "not finite"),
        ("10**31 * 1 + 10000000000000000000000000000000000", "too large"),
        ("-" * 60 + "N", "nested deeper"),
    ],
)
def test_rejects(source, fragment):
    with pytest.raises(FormulaError) as info:
        parse(source)
    assert fragment in str(info.value)


def test_nothing_runs(tmp_path):
    sentinel = tmp_path / "pwned"
    with pytest.raises(FormulaError):
        parse(f"__import__('os').system('touch {sentinel}')")
    assert not sentinel.exists()


def test_length_limit_checked_before_parsing():
    with pytest.raises(FormulaError, match="characters long"):
        parse("N+" * (10 * 1024 * 1024))
    assert len("N+" * 100) < MAX_SOURCE_LENGTH


def test_node_limit():
    with pytest.raises(FormulaError, match="syntax nodes"):
        parse("+".join(["N"] * 300))


def test_unknown_names_name_the_name_and_suggest():
    with pytest.raises(UnknownNameError) as info:
        parse("d_modle * 2", allowed_names={"d_model", "n_layers"})
    text = str(info.value)
    assert "'d_modle'" in text and "did you mean 'd_model'" in text


def test_caret_points_at_the_bad_part():
    with pytest.raises(FormulaError) as info:
        parse("A/N**alpha + foo(D)")
    lines = str(info.value).splitlines()
    assert lines[1].strip() == "A/N**alpha + foo(D)"
    caret_col = lines[2].index("^")
    assert lines[1][caret_col:caret_col + 3] == "foo"


# --------------------------------------------------------------------------- solving


def test_solve_linear_definition_backwards():
    (solution,) = solve_for("C", parse("6*N*D").expr, "D")
    assert float(evaluate_tree(to_tree(solution), {"C": 6e21, "N": 1e9})) == pytest.approx(1e12)


def test_solve_power_law_with_float_exponent_backwards():
    # Float exponents once made sympy build a polynomial of degree ~1e4 (memory blow-up).
    expr = parse("1.3 * (C/6)**0.4565").expr
    (solution,) = solve_for("N_opt", expr, "C")
    c = float(evaluate_tree(to_tree(solution), {"N_opt": 1.3 * (1e21 / 6) ** 0.4565}))
    assert c == pytest.approx(1e21, rel=1e-9)


def test_solve_quadratic_keeps_the_positive_root():
    expr = parse("12*n_layers*d_model**2 + vocab_size*d_model").expr
    solutions = solve_for("N", expr, "d_model")
    env = {"N": 12 * 32 * 4096**2 + 32000 * 4096, "n_layers": 32.0, "vocab_size": 32000.0}
    values = [float(evaluate_tree(to_tree(s), env)) for s in solutions]
    assert pytest.approx(max(values)) == 4096
    assert all(v > 0 for v in values)


def test_negative_constants_are_not_assumed_positive():
    f = parse("a + b*log(N)", constants={"a", "b"})
    expr = f.expr.xreplace({symbol("a", False): sp.Float(0.003239), symbol("b", False): sp.Float(-0.0001395)})
    got = float(evaluate_tree(to_tree(expr), {"N": 1e8}))
    assert got == pytest.approx(0.003239 - 0.0001395 * math.log(1e8))


# --------------------------------------------------------------------------- property tests

NAMES = ["x", "y", "z"]


@st.composite
def expressions(draw, depth=0):
    """Random valid expressions as (source text, reference float function)."""
    if depth > 3 or draw(st.booleans()):
        if draw(st.booleans()):
            name = draw(st.sampled_from(NAMES))
            return name, (lambda env, n=name: env[n])
        number = draw(st.floats(min_value=0.1, max_value=10.0, allow_nan=False).map(lambda v: round(v, 3)))
        return repr(number), (lambda env, v=number: v)
    kind = draw(st.sampled_from(["+", "-", "*", "/", "**", "neg", "log", "sqrt", "exp", "min", "max"]))
    left_src, left = draw(expressions(depth + 1))
    if kind == "neg":
        return f"-({left_src})", (lambda env: -left(env))
    if kind in ("log", "sqrt"):
        # keep the argument positive so the reference is defined
        fn = math.log if kind == "log" else math.sqrt
        return f"{kind}(1 + ({left_src})**2)", (lambda env: fn(1 + left(env) ** 2))
    if kind == "exp":
        return f"exp(-({left_src})**2)", (lambda env: math.exp(-left(env) ** 2))
    right_src, right = draw(expressions(depth + 1))
    if kind == "**":
        exponent = draw(st.sampled_from([2, 3, 0.5, -1, -0.5]))
        return f"(1 + ({left_src})**2)**{exponent}", (lambda env: (1 + left(env) ** 2) ** exponent)
    if kind == "/":
        return f"({left_src})/(1 + ({right_src})**2)", (lambda env: left(env) / (1 + right(env) ** 2))
    if kind in ("min", "max"):
        fn = min if kind == "min" else max
        return f"{kind}({left_src}, {right_src})", (lambda env: fn(left(env), right(env)))
    op = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}[kind]
    return f"({left_src}) {kind} ({right_src})", (lambda env: op(left(env), right(env)))


@settings(max_examples=200, deadline=None)
@given(expressions(), st.fixed_dictionaries({n: st.floats(min_value=0.1, max_value=5.0) for n in NAMES}))
def test_random_valid_expressions_match_float_reference(expr, env):
    source, reference = expr
    try:
        expected = reference(env)
    except (OverflowError, ZeroDivisionError, ValueError):
        return
    if not math.isfinite(expected) or abs(expected) > 1e100:
        return
    got = float(evaluate_tree(to_tree(parse(source).expr), env))
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


ALPHABET = "NDCE_abcxyz0123456789.+-*/()% ,e:=[]{}'\"\\lambdaimport<>!&|^~@#"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60) | st.text(max_size=40))
def test_garbage_raises_only_formula_error(source):
    try:
        parse(source)
    except FormulaError:
        pass
