"""The resolver on a small, fixed KB: chaining, solving backwards, assumptions, ranges, conflicts."""

from __future__ import annotations

import pytest

from hpguide.core.errors import UsageError
from hpguide.kb.compiled import compile_kb
from hpguide.resolver.resolve import resolve

from ..conftest import CORPUS, KB

FILES = [KB / "accounting" / "compute-6nd.yaml", KB / "accounting" / "transformer-params-from-shape.yaml",
         *sorted((CORPUS / "resolver").glob("*.yaml"))]


@pytest.fixture
def kb(make_kb):
    return compile_kb(make_kb(copy=FILES))


def one(result, symbol, entry):
    (row,) = [r for r in result.results if r.symbol == symbol and r.entry == entry]
    return row


def test_chain_from_shape_to_a_compute_law(kb):
    result = resolve(kb, {"d_model": 4096.0, "n_layers": 32.0, "vocab_size": 32000.0, "D": 1e12})
    n = 12 * 32 * 4096**2 + 32000 * 4096
    derived = {d.symbol: d for d in result.derived}
    assert derived["N"].value == pytest.approx(n) and derived["N"].entry == "transformer-params-from-shape"
    assert derived["C"].value == pytest.approx(6 * n * 1e12) and derived["C"].entry == "compute-6nd"
    d_opt = one(result, "D_opt", "test-c-law")
    assert d_opt.value == pytest.approx((20 * 6 * n * 1e12 / 6) ** 0.5)
    assert d_opt.inputs == {"C": pytest.approx(6 * n * 1e12)}
    assert one(result, "eta", "test-n-law").value == pytest.approx(0.5 * n**-0.5)
    # the shape is given, so nothing of it is assumed (seq_len, which nothing in this KB reads, still is)
    assert [a.symbol for a in result.assumptions] == ["seq_len"]


def test_solving_backwards(kb):
    result = resolve(kb, {"C": 6e21, "N": 1e9})
    derived = {d.symbol: d for d in result.derived}
    assert derived["D"].value == pytest.approx(1e12)
    assert "solved for D" in derived["D"].formula


def test_assumptions_are_listed_with_their_source(kb):
    result = resolve(kb, {"d_model": 4096.0, "D": 1e12})
    assumed = {a.symbol: a for a in result.assumptions}
    assert set(assumed) == {"vocab_size", "seq_len", "n_layers"}
    # the most common value among the nearest configs (three rows share d_model 4096)
    assert assumed["n_layers"].value == 32 and assumed["vocab_size"].value == 32000
    assert assumed["n_layers"].entry == "test-recipe"
    assert "2 of 3" in assumed["n_layers"].why or "3 of 3" in assumed["n_layers"].why
    assert {d.symbol for d in result.derived} >= {"N", "C"}


def test_user_input_overrides_assumptions(kb):
    result = resolve(kb, {"d_model": 4096.0, "D": 1e12, "n_layers": 40.0, "vocab_size": 50000.0})
    assert {a.symbol for a in result.assumptions} == {"seq_len"}
    n = {d.symbol: d.value for d in result.derived}["N"]
    assert n == pytest.approx(12 * 40 * 4096**2 + 50000 * 4096)


def test_extrapolation_is_flagged_not_hidden(kb):
    inside = one(resolve(kb, {"N": 1e9}), "eta", "test-n-law")
    outside = one(resolve(kb, {"N": 1e11}), "eta", "test-n-law")
    assert inside.in_range and not outside.in_range
    assert any("extrapolation: N = 100B is above" in w for w in outside.warnings)
    assert outside.value == pytest.approx(0.5 * 1e11**-0.5)


def test_unchecked_ranges_are_said(kb):
    result = resolve(kb, {"N": 1e9})
    assert all(r.entry != "test-c-law" for r in result.results)
    assert [s.entry for s in result.skipped] == ["test-c-law"]
    assert result.skipped[0].missing == ["C"]


def test_spread_over_in_range_results(kb):
    result = resolve(kb, {"N": 1e8}, include_drafts=True)
    spread = result.spread["eta"]
    assert spread.n == 2 and spread.n_out_of_range == 0
    assert spread.min == pytest.approx(0.25e-4) and spread.max == pytest.approx(0.5e-4)
    assert spread.max_min_ratio == pytest.approx(2.0)
    assert spread.median == pytest.approx(0.375e-4)


def test_drafts_only_when_asked(kb):
    assert "test-draft-law" not in {r.entry for r in resolve(kb, {"N": 1e8}).results}
    assert "test-draft-law" in {r.entry for r in resolve(kb, {"N": 1e8}, include_drafts=True).results}


def test_conflicting_inputs_are_reported(kb):
    result = resolve(kb, {"N": 7e9, "d_model": 128.0, "n_layers": 2.0, "vocab_size": 32000.0})
    (conflict,) = result.conflicts
    assert conflict.symbol == "N" and conflict.entry == "transformer-params-from-shape"
    assert "the given value is used" in conflict.message
    assert one(result, "eta", "test-n-law").inputs == {"N": 7e9}


def test_filters(kb):
    only_topic = resolve(kb, {"N": 1e8, "C": 1e21}, topics=["compute-optimal"])
    assert {r.entry for r in only_topic.results} == {"test-c-law"}
    only_entry = resolve(kb, {"N": 1e8, "C": 1e21}, entries=["test-n-law"])
    assert {r.entry for r in only_entry.results} == {"test-n-law"}


def test_nearest_configs(kb):
    result = resolve(kb, {"N": 6.8e9})
    assert [c.model for c in result.nearest_configs][:1] == ["Wide-A"]
    assert result.nearest_configs[0].values["eta"] == 3.0e-4


@pytest.mark.parametrize(
    "inputs, message",
    [
        ({}, "give at least one of"),
        ({"nonsense": 1.0}, "unknown symbol"),
        ({"seq_len": 4096.0}, "nothing follows from seq_len alone"),
    ],
)
def test_errors(kb, inputs, message):
    with pytest.raises(UsageError, match=message):
        resolve(kb, inputs)


def test_unknown_entry_id(kb):
    with pytest.raises(UsageError, match="no entry with id"):
        resolve(kb, {"N": 1e9}, entries=["nope"])


def test_a_rule_with_defaults_for_fills_before_the_configs(make_kb):
    rule = (CORPUS / "resolver" / "test-n-law.yaml").read_text()
    rule = (rule.replace("id: test-n-law", "id: test-aspect")
            .replace("kind: law", "kind: rule")
            .replace("title: Test law of N", "title: Test aspect ratio")
            .replace("c: {value: 0.5, where: \"Eq. 1\"}", "ratio: {value: 128.0, where: \"Eq. 1\"}")
            .replace("eta: c * N**(-0.5)", "n_layers: d_model / ratio")
            .replace("N: [1.0e6, 1.0e10]", "d_model: [256, 16384]")
            .replace("given: {N: 1.0e6}, expect: {eta: 5.0e-4}", "given: {d_model: 4096}, expect: {n_layers: 32}")
            .replace('warnings: ["N counts embeddings."]', "defaults_for: [n_layers]"))
    root = make_kb({"test-aspect.yaml": rule}, copy=FILES)
    from hpguide.kb.validate import validate_kb

    assert validate_kb(root)[1] == []
    result = resolve(compile_kb(root), {"d_model": 5120.0, "D": 1e12})
    (assumed,) = [a for a in result.assumptions if a.symbol == "n_layers"]
    assert assumed.entry == "test-aspect" and assumed.value == pytest.approx(40.0)
    assert "n_layers = d_model / ratio with d_model = 5120" in assumed.why
