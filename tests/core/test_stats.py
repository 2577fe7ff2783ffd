"""The shared medians, held to the standard library (an independent implementation) and to hand-written values."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hpguide.core.stats import median, median_high

VALUES = st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
                  min_size=1, max_size=30)


@pytest.mark.parametrize("values, mid, high", [
    ([7.0], 7.0, 7.0),
    ([3.0, 1.0, 2.0], 2.0, 2.0),
    ([4.0, 1.0, 3.0, 2.0], 2.5, 3.0),  # even count: the mean of 2 and 3, or the larger of them
    ([0.5, 0.25], 0.375, 0.5),
    ([5.0, 5.0, 1.0, 9.0], 5.0, 5.0),
    ([-2.0, 6.0], 2.0, 6.0),
])
def test_hand_written_values(values, mid, high):
    assert median(values) == mid and median_high(values) == high


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_agrees_with_the_standard_library(values):
    assert median(values) == statistics.median(values)
    assert median_high(values) == statistics.median_high(values)
    assert median_high(values) in values


def test_input_order_and_iterables_do_not_matter():
    assert median(iter([9.0, 1.0, 5.0, 3.0])) == 4.0 and median_high(x for x in (9.0, 1.0, 5.0, 3.0)) == 5.0


def test_no_values_is_an_error():
    with pytest.raises(ValueError, match="no values"):
        median([])
    with pytest.raises(ValueError, match="no values"):
        median_high(())
