"""Property (issue 10): for random inputs over the registry's plausible ranges, no usable row is non-physical."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hpguide.core.errors import UsageError
from hpguide.kb.compiled import load_compiled
from hpguide.resolver.resolve import resolve

from ..conftest import KB

KB_COMPILED = load_compiled(KB)


def log_uniform(lo: float, hi: float):
    return st.floats(math.log10(lo), math.log10(hi)).map(lambda e: 10.0**e)


queries = st.fixed_dictionaries({}, optional={
    "N": log_uniform(1e6, 1e13), "D": log_uniform(1e8, 1e14), "C": log_uniform(1e17, 1e27),
    "d_model": st.sampled_from([256.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0, 16384.0]),
    "n_layers": st.integers(2, 128).map(float), "L": st.floats(1.5, 6.0),
})


def inside(value: float, bounds: dict, env: dict) -> bool:
    """An independent reading of a bounds payload (numbers or names of other known quantities)."""
    def end(v):
        return env.get(v) if isinstance(v, str) else v
    lo, hi = end(bounds["lo"]), end(bounds["hi"])
    if lo is not None and (value <= lo if bounds["lo_open"] else value < lo):
        return False
    return not (hi is not None and (value >= hi if bounds["hi_open"] else value > hi))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries)
def test_no_usable_row_is_non_physical(inputs):
    try:
        result = resolve(KB_COMPILED, inputs, include_drafts=True)
    except UsageError:
        return  # nothing to compute, or an input nothing reads: refused, which is not a non-physical answer
    env = {**result.inputs, **{d.symbol: d.value for d in result.derived},
           **{a.symbol: a.value for a in result.assumptions}}
    for row in result.results:
        if not row.usable:
            assert row.why
            continue
        assert math.isfinite(row.value), row
        physical = KB_COMPILED.symbols[row.symbol]["physical"]
        assert inside(row.value, physical, {**env, **row.inputs}), (row.entry, row.symbol, row.value)
    for spreads in result.spread_groups.values():
        for spread in spreads:
            assert spread.min > 0 or (spread.min == 0 and spread.max_min_ratio is None)


def test_the_property_sees_unusable_rows():
    # the strategy reaches the region where a row is not usable (Kaplan's LR rule above N_ne = 1e10)
    result = resolve(KB_COMPILED, {"N": 7e10, "D": 1.5e13}, include_drafts=True)
    assert any(not r.usable for r in result.results)
