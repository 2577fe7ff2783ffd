"""The Python API: hpguide.query(...) and evaluate_grid over numpy arrays."""

from __future__ import annotations

import numpy as np
import pytest

import hpguide
from hpguide.core.errors import QuantityError, UsageError
from hpguide.resolver.api import evaluate_grid, parse_inputs

from ..conftest import KB


def test_query_api_matches_the_json_contract():
    result = hpguide.query(d_model=4096, tokens="1T", kb=KB)
    payload = result.to_dict()
    assert {"kb_version", "inputs", "assumptions", "results", "spread"} <= set(payload)
    assert payload["inputs"] == {"d_model": 4096.0, "D": 1e12}
    row = payload["results"][0]
    assert {"symbol", "value", "entry", "entry_version", "title", "citation", "formula", "in_range",
            "warnings"} <= set(row)
    assert result.results_for("eta"), "some learning-rate law applies to a 7B-class model"


def test_parse_inputs():
    assert parse_inputs({"params": "7B", "tokens": 1e12}) == {"N": 7e9, "D": 1e12}
    assert parse_inputs({}, {"eta_base": "3e-3"}, ["eta_base"]) == {"eta_base": 3e-3}
    with pytest.raises(UsageError, match="did you mean 'eta_base'"):
        parse_inputs({}, {"eta_bse": 1.0}, ["eta_base"])
    with pytest.raises(UsageError, match="given twice"):
        parse_inputs({"params": "7B"}, {"N": "8B"}, ["N"])
    with pytest.raises(QuantityError, match="tokens"):
        parse_inputs({"tokens": "1TT"})
    with pytest.raises(QuantityError, match="> 0"):
        parse_inputs({"tokens": -1})
    with pytest.raises(UsageError, match="unknown input"):
        parse_inputs({"widht": 3})


def test_evaluate_grid_matches_pointwise_queries():
    n, d = np.meshgrid(np.logspace(8, 11, 100), np.logspace(10, 13, 100))
    grid = evaluate_grid({"N": n.ravel(), "D": d.ravel()}, kb=KB)
    assert grid, "some law applies to (N, D)"
    key = next(k for k in sorted(grid) if np.ndim(grid[k]) == 1)
    entry, symbol = key
    values = grid[key]
    assert values.shape == (10_000,)
    i = 4321
    point = hpguide.query(params=float(n.ravel()[i]), tokens=float(d.ravel()[i]), entries=[entry], kb=KB,
                          include_drafts=True)
    (row,) = [r for r in point.results if r.symbol == symbol]
    assert values[i] == pytest.approx(row.value, rel=1e-9)


def test_evaluate_grid_can_leave_out_what_a_query_would_not_show():
    # Kaplan's rule breaks down above N_ne = 1e10 (App. D.6) and is negative beyond 1.21e10: the masked grid
    # is NaN exactly where a query's row says "no usable value", and the formula's number elsewhere
    n_ne = np.logspace(8, 11, 31)
    raw = evaluate_grid({"N_ne": n_ne}, kb=KB, entries=["kaplan-2020-lr-rule"], include_drafts=True)
    masked = evaluate_grid({"N_ne": n_ne}, kb=KB, entries=["kaplan-2020-lr-rule"], include_drafts=True,
                           unusable="nan")
    key = ("kaplan-2020-lr-rule", "eta")
    for i, n in enumerate(n_ne):
        (row,) = [r for r in hpguide.query(kb=KB, set={"N_ne": float(n)}, include_drafts=True,
                                           entries=["kaplan-2020-lr-rule"]).results if r.symbol == "eta"]
        assert np.isfinite(masked[key][i]) == row.usable, n
        if row.usable:
            assert masked[key][i] == raw[key][i]
    assert np.isnan(masked[key][n_ne > 1e10]).all() and np.isfinite(masked[key][n_ne < 1e10]).all()
    with pytest.raises(UsageError, match="unusable takes 'keep' or 'nan'"):
        evaluate_grid({"N_ne": n_ne}, kb=KB, unusable="drop")
