"""The --json writer is json.dumps(indent=2, sort_keys=True, allow_nan=False), byte for byte."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hpguide.core.jsontext import dumps

leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
documents = st.recursive(
    leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4), max_leaves=30)


def reference(value):
    return json.dumps(value, indent=2, sort_keys=True, allow_nan=False)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_equal_to_json_dumps(value):
    assert dumps(value) == reference(value)


@pytest.mark.parametrize("value", [
    {"a": [], "b": {}, "c": [1, 2.5, None, True, False]},
    "tab\tquote\"back\\slash\x00\x7f\u00e9\u2028\U0001f600",
    {"z": 1, "A": 2, "_": 3, "é": 4},
    (1, (2, 3)),
    -0.0, 1e300, 5e-324, 10**30,
])
def test_edge_values(value):
    assert dumps(value) == reference(value)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, {"x": [math.nan]}])
def test_non_finite_refused(bad):
    with pytest.raises(ValueError):
        dumps(bad)


@pytest.mark.parametrize("bad", [{1: "int key"}, {"s": {1, 2}}, object()])
def test_other_types_refused(bad):
    with pytest.raises(TypeError):
        dumps(bad)
