"""hpguide's summary per quantity (resolver/summary.py): the rule, worked by hand on small made-up rows."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from hpguide.resolver.summary import WIDEN, comparable_configs, log_median, log_points, summarize


def row(entry, value, in_range=True, usable=True):
    return SimpleNamespace(entry=entry, value=value, in_range=in_range, usable=usable)


def group(*entries, **conventions):
    return SimpleNamespace(entries=list(entries), conventions=conventions)


def test_log_median_is_the_middle_value_or_the_geometric_mean_of_two():
    assert log_median([1e-3, 1e-4, 1e-2]) == 1e-3
    assert log_median([1e-4, 1e-2]) == pytest.approx(1e-3, rel=1e-12)
    assert log_points(1e-4, 1e-2, 3) == pytest.approx([1e-4, 1e-3, 1e-2], rel=1e-12)
    assert log_points(1e-4, 1e-2, 1) == pytest.approx([1e-3], rel=1e-12)


def test_start_from_the_comparable_group_range_over_every_in_range_law_and_the_configs():
    rows = [row("a", 1e-3), row("b", 4e-3), row("c", 2e-3), row("x", 1e-1, in_range=False),
            row("y", -1.0, usable=False)]
    configs = [(0.1, "M1", 3e-4), (0.2, "M2", 6e-4)]
    s = summarize("eta", rows, group("a", "b", "x", optimizer="AdamW"), configs, by_tokens=True)
    assert s.basis == "in-range" and s.entries == ["a", "b"]
    assert s.start == pytest.approx(2e-3, rel=1e-12)  # sqrt(1e-3 x 4e-3): c is another convention
    assert (s.n_usable, s.n_in_range, s.n_unusable) == (4, 3, 1)
    # the range: every in-range answer (a, b, c) and the configs, widened by 1.5x; never x (out of range)
    assert s.range == pytest.approx([3e-4 / 1.5, 4e-3 * 1.5], rel=1e-12)
    assert s.points == pytest.approx(log_points(2e-4, 6e-3, 5), rel=1e-12) and len(s.points) == 5
    assert s.configs["models"] == ["M1", "M2"] and s.configs["median"] == pytest.approx(math.sqrt(1.8e-7))
    assert "1 more in-range answer measured under other conventions: in the range, not in the median" in s.flags
    assert s.rule == ("start at the log-space median of the 2 in-range laws of the largest comparable group "
                      "(optimizer AdamW); sweep 5 log-spaced points over [min, max] of the 3 in-range answers and "
                      "of the 2 published configs of comparable scale (N within 2x and D within 2x), widened by "
                      "1.5x")


def test_nothing_in_range_rests_on_the_extrapolations_and_says_so():
    s = summarize("B", [row("a", 1e6, in_range=False), row("b", 4e6, in_range=False)], None, [], by_tokens=False)
    assert s.basis == "extrapolated" and s.start == pytest.approx(2e6)
    assert s.flags[0].startswith("nothing in range")
    assert "(no published config of comparable scale gives B)" in s.rule


def test_no_usable_answer_falls_back_to_the_configs_or_to_nothing():
    s = summarize("eta", [row("a", -1e-4, usable=False)], None, [(0.0, "M", 3e-4)], by_tokens=False)
    assert s.basis == "configs" and s.start == 3e-4 and s.laws is None
    none = summarize("eta", [row("a", -1e-4, usable=False)], None, [], by_tokens=False)
    assert none.basis == "none" and none.start is None and none.range is None and none.points is None


def test_widening_stops_at_a_physical_bound_and_zero_is_linear():
    bounds = {"lo": 0.0, "lo_open": False, "hi": 1.0, "hi_open": True}
    s = summarize("beta2", [row("a", 0.95)], group("a"), [], by_tokens=False, physical=bounds)
    assert s.range == pytest.approx([0.95 / WIDEN, 0.95]) and any("not widened above" in f for f in s.flags)
    z = summarize("eta_min", [row("a", 0.0), row("b", 1e-5)], group("a", "b"), [], by_tokens=False)
    assert z.start == pytest.approx(5e-6) and z.range == [0.0, 1e-5]
    assert z.points == pytest.approx([0.0, 2.5e-6, 5e-6, 7.5e-6, 1e-5])


def test_comparable_configs_are_within_2x_in_n_and_in_d_when_known():
    table = [{"model": "near", "numbers": {"N": 7e9, "D": 1e12, "eta": 3e-4}},
             {"model": "far", "numbers": {"N": 70e9, "D": 1e12, "eta": 1.5e-4}},
             {"model": "long", "numbers": {"N": 7e9, "D": 15e12, "eta": 3e-4}},
             {"model": "no-d", "numbers": {"N": 6e9, "eta": 3e-4}}]
    kb = SimpleNamespace(entries=[SimpleNamespace(kind="recipe", table=table, active=lambda drafts: True)])
    assert [m for _, m, _ in comparable_configs(kb, "eta", {"N": 6.5e9, "D": 1e12})] == ["near"]
    # nearest in N first (7e9 is 7.4 % off in log, 6e9 8.0 %), equal distances by name
    assert [m for _, m, _ in comparable_configs(kb, "eta", {"N": 6.5e9})] == ["long", "near", "no-d"]
    assert comparable_configs(kb, "eta", {"D": 1e12}) == []
