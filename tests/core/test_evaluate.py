"""Compiled trees: the scalar (math), list and array (numpy) evaluators agree; malformed trees are refused."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hpguide.core.errors import FormulaError
from hpguide.core.evaluate import check_tree, compile_lists, compile_scalar, compile_tree
from hpguide.core.formula import parse, to_tree

from .test_formula import NAMES, expressions


@settings(max_examples=200, deadline=None)
@given(expressions(), st.fixed_dictionaries({n: st.floats(min_value=0.1, max_value=5.0) for n in NAMES}))
def test_scalar_and_numpy_paths_agree(expr, env):
    tree = to_tree(parse(expr[0]).expr)
    scalar = compile_scalar(tree)(env)
    with np.errstate(all="ignore"):
        array = float(np.atleast_1d(compile_tree(tree)({k: np.array([v]) for k, v in env.items()}))[0])
    if math.isnan(scalar):
        assert math.isnan(array)
    else:
        assert array == pytest.approx(scalar, rel=1e-9, abs=1e-300)


def _same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=200, deadline=None)
@given(expressions(), st.fixed_dictionaries({n: st.lists(st.floats(min_value=-5.0, max_value=5.0), min_size=3,
                                                          max_size=3) for n in NAMES}),
       st.sets(st.sampled_from(NAMES)))
def test_the_list_path_gives_each_point_what_the_scalar_path_gives_it(expr, columns, scalars):
    # some names are one float for every point (an input), the others one value per point (a draw)
    tree = to_tree(parse(expr[0]).expr)
    env = {k: (v[0] if k in scalars else v) for k, v in columns.items()}
    got = compile_lists(tree)(env)
    scalar = compile_scalar(tree)
    for i in range(3):
        want = scalar({k: (v if k in scalars else v[i]) for k, v in env.items()})
        item = got[i] if type(got) is list else got
        assert _same(item, want), (expr[0], i, item, want)  # exactly, NaN for NaN


def test_the_list_path_keeps_float_only_subtrees_floats():
    tree = to_tree(parse("c * N**(-a) + 2 * x").expr)
    assert compile_lists(tree)({"c": 1.0, "N": 4.0, "a": 0.5, "x": 1.0}) == 2.5
    assert compile_lists(tree)({"c": [1.0, 2.0], "N": 4.0, "a": 0.5, "x": 1.0}) == [2.5, 3.0]


@pytest.mark.parametrize(
    "source, env, check",
    [
        ("sqrt(x - 10)", {"x": 1.0}, math.isnan),      # negative base, fractional power
        ("log(x - 1)", {"x": 1.0}, lambda v: v == -math.inf),
        ("log(x - 2)", {"x": 1.0}, math.isnan),
        ("exp(x)", {"x": 1e6}, lambda v: v == math.inf),
        ("x**60", {"x": 1e10}, lambda v: v == math.inf),
        ("floor(x)", {"x": 2.5}, lambda v: v == 2.0),
        ("min(x, y)", {"x": math.nan, "y": 1.0}, math.isnan),
    ],
)
def test_scalar_path_never_raises(source, env, check):
    assert check(compile_scalar(to_tree(parse(source).expr))(env))


@pytest.mark.parametrize(
    "tree",
    [("nope", 1.0), ("+",), ("**", 1.0), ("log", 1.0, 2.0), [], True, None, {"a": 1}, ("+", ("+", object()))],
)
def test_malformed_trees_are_refused(tree):
    with pytest.raises(FormulaError):
        check_tree(tree)
    with pytest.raises(FormulaError):
        compile_scalar(tree)
