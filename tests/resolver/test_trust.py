"""What a query may show as an answer: usable or not with the reason, range checks over every input an
answer reads, and contradictions between inputs (issue 10). A small fixed KB; expectations by hand."""

from __future__ import annotations

import math

import pytest

from hpguide.kb.compiled import compile_kb
from hpguide.resolver.resolve import resolve

from ..conftest import CORPUS, KB

FILES = [KB / "accounting" / "compute-6nd.yaml", KB / "accounting" / "transformer-params-from-shape.yaml",
         *sorted((CORPUS / "trust").glob("*.yaml"))]


@pytest.fixture
def kb(make_kb):
    # the shipped registry's rules are the ones under test: N_ne at most N, losses compared by data and tokenizer
    return compile_kb(make_kb(copy=FILES))


def test_the_registry_states_the_rules_these_tests_rely_on():
    registry = (KB / "symbols.yaml").read_text()
    assert "physical: {above: 0, at_most: N}" in registry
    assert "comparable_by: [data, tokenizer]" in registry


def rows(result, symbol, entry):
    return [r for r in result.results if r.symbol == symbol and r.entry == entry]


def test_a_negative_learning_rate_is_no_answer(kb):
    # a - b ln N_ne at N_ne = 6.44e10: 0.003239 - 0.0001395 * ln(6.44e10) = -2.33e-4
    expected = 0.003239 - 0.0001395 * math.log(6.44e10)
    assert expected == pytest.approx(-2.33e-4, rel=0.01)
    (row,) = rows(resolve(kb, {"N_ne": 6.44e10}), "eta", "trust-lr-rule")
    assert row.value == pytest.approx(expected)
    assert row.usable is False and row.why.startswith("negative: the formula gives eta = ")
    assert row.warnings[0] == f"no usable value: {row.why}"


def test_where_the_source_says_a_law_breaks_down_it_is_no_answer(kb):
    # N_ne = 1.1e10: eta is still positive (zero at 1.21e10) but past the stated breakdown at 1e10
    (row,) = rows(resolve(kb, {"N_ne": 1.1e10}), "eta", "trust-lr-rule")
    assert row.value > 0 and not row.usable
    assert row.why == "N_ne = 11B: the source says the law breaks down above 10B (App. D.6 (test))"
    (inside,) = rows(resolve(kb, {"N_ne": 1e9}), "eta", "trust-lr-rule")
    assert inside.usable and inside.why is None and inside.in_range


def test_a_loss_below_the_irreducible_term_is_no_answer(kb):
    # L = 1.7 - 400 / sqrt(1e8) = 1.66 < E = 1.7
    (row,) = rows(resolve(kb, {"N": 1e8}), "L", "trust-loss-law")
    assert row.value == pytest.approx(1.66) and not row.usable
    assert row.why == "L = 1.66 is not at least 1.7: below the irreducible loss E of this fit"


def test_unusable_rows_leave_the_spread_and_are_counted(kb):
    result = resolve(kb, {"N_ne": 6.44e10})
    assert "eta" not in result.spread  # the only eta row is unusable
    result = resolve(kb, {"N": 1e8, "C": 1.2e21})
    # trust-loss-law's L (1.66, below E) is counted as unusable in its group, not pooled
    (group,) = [g for g in result.spread_groups["L"] if "trust-loss-law" in g.entries]
    assert group.n == 1 and group.n_unusable == 1 and group.min == pytest.approx(25 / 1e8**0.1)
    assert result.spread["N_opt"].n == 1 and result.spread["N_opt"].n_unusable == 0


def test_an_intermediate_value_is_range_checked(kb):
    # C = 6.3e24 is outside C's range, and N_opt = sqrt(6.3e24 / 120) = 2.29e11 outside N_opt's range:
    # D_opt reads both (through N_opt), and each is named
    (d_opt,) = rows(resolve(kb, {"C": 6.3e24}), "D_opt", "trust-loss-law")
    assert not d_opt.in_range
    assert "extrapolation: N_opt = 229B is above the source's range 10M..10B" in d_opt.warnings
    assert "extrapolation: C = 6.3e24 is above the source's range 1e18..1e24" in d_opt.warnings
    # inside C's range but N_opt outside: still out of range
    (d_opt,) = rows(resolve(kb, {"C": 1e23}), "D_opt", "trust-loss-law")
    assert not d_opt.in_range and any(w.startswith("extrapolation: N_opt = ") for w in d_opt.warnings)
    (d_opt,) = rows(resolve(kb, {"C": 1.2e21}), "D_opt", "trust-loss-law")
    assert d_opt.in_range


def test_an_input_without_a_source_range_says_why(kb):
    (row,) = rows(resolve(kb, {"eta": 3e-4, "N": 1e9}), "eta_min", "trust-unranged-rule")
    assert row.in_range  # N (a condition of the entry) is inside; eta has no range, with the reason
    assert ("no source range for eta: the peak learning rate is the user's choice; the source states the "
            "ratio only") in row.warnings
    (row,) = rows(resolve(kb, {"eta": 3e-4, "N": 1e11}), "eta_min", "trust-unranged-rule")
    assert not row.in_range  # the entry's condition N is checked though eta_min does not read it


def test_non_embedding_count_above_the_total_is_a_conflict(kb):
    # DeepSeek 67B's shape (d_model 8192, 95 layers) gives 12 * 95 * 8192^2 = 76.5B non-embedding parameters
    result = resolve(kb, {"N": 67e9, "d_model": 8192.0, "n_layers": 95.0, "vocab_size": 102400.0})
    (conflict,) = [c for c in result.conflicts if c.symbol == "N_ne"]
    assert conflict.given == pytest.approx(12 * 95 * 8192**2) and conflict.implied == 67e9
    assert "N_ne must be above 0 and at most N = 67B" in conflict.message
    assert "N_ne: derived by transformer-params-from-shape" in conflict.message and "N: given" in conflict.message


def test_heads_that_do_not_divide_the_width_are_a_conflict(kb):
    result = resolve(kb, {"N": 7e9, "d_model": 4096.0, "n_heads": 30.0})
    (conflict,) = [c for c in result.conflicts if c.symbol == "n_heads"]
    assert conflict.message == "n_heads = 30 does not divide d_model = 4096 (n_heads: given; d_model: given)"
    assert not [c for c in resolve(kb, {"N": 7e9, "d_model": 4096.0, "n_heads": 32.0}).conflicts
                if c.symbol == "n_heads"]


def test_json_carries_usable_and_why(kb):
    data = resolve(kb, {"N_ne": 6.44e10}).to_dict()
    (row,) = [r for r in data["results"] if r["entry"] == "trust-lr-rule"]
    assert row["usable"] is False and row["why"].startswith("negative")
    assert set(row) >= {"value", "in_range", "warnings", "usable", "why"}


def test_only_comparable_losses_are_pooled(kb):
    # N = 1e9: trust-loss-law 1.7 - 400/sqrt(1e9) = 1.687 (below E: unusable); massive 25/1e9**0.1 = 3.1473;
    # webtext 30/1e9**0.1 = 3.7768; unstated (no tokenizer) 24/1e9**0.1 = 3.0214
    result = resolve(kb, {"N": 1e9})
    groups = result.spread_groups["L"]
    by_entries = {tuple(g.entries): g for g in groups}
    massive = by_entries[("trust-loss-law", "trust-loss-massive")]
    assert massive.n == 1 and massive.n_unusable == 1 and massive.median == pytest.approx(25 / 1e9**0.1)
    assert massive.conventions == {"data": "MassiveText", "tokenizer": "SentencePiece 32k"}
    assert by_entries[("trust-loss-webtext",)].conventions == {"data": "WebText2", "tokenizer": "GPT-2 BPE"}
    unstated = by_entries[("trust-loss-unstated",)]
    assert unstated.conventions == {"data": "MassiveText", "tokenizer": "unstated by trust-loss-unstated"}
    assert len(groups) == 3 and all(g.n == 1 for g in groups)  # nothing pooled across data or tokenizers
    assert result.spread["L"] is groups[0]


def test_rows_carry_their_context(kb):
    (row,) = [r for r in resolve(kb, {"N": 1e9}).results if r.entry == "trust-loss-webtext"]
    assert row.context == {"data": "WebText2", "tokenizer": "GPT-2 BPE"}


def test_an_input_nothing_reads_is_refused(kb):
    from hpguide.core.errors import UsageError

    with pytest.raises(UsageError) as raised:
        resolve(kb, {"N": 7e9, "d_ff": 11008.0})
    assert str(raised.value) == ("given but used by nothing that applies: d_ff = 11008; no entry of the KB reads "
                                 "it yet. Remove it, or add what the entries need")


def test_a_published_bootstrap_gives_a_band(kb):
    import numpy as np
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load((CORPUS / "trust" / "trust-banded-law.yaml").read_text())
    draws = np.array(data["uncertainty"]["draws"])
    n = 1e9
    etas = draws[:, 0] * n ** (-draws[:, 1])  # the oracle: numpy over the file's own draws
    (row,) = rows(resolve(kb, {"N": n}), "eta", "trust-banded-law")
    assert row.band["lo"] == pytest.approx(np.quantile(etas, 0.05), rel=1e-12)
    assert row.band["hi"] == pytest.approx(np.quantile(etas, 0.95), rel=1e-12)
    assert row.band["level"] == 0.9 and row.band["method"] == "bootstrap" and row.band["draws"] == 40
    assert row.band["lo"] < row.value < row.band["hi"]


def test_unbanded_rows_have_none(kb):
    (row,) = rows(resolve(kb, {"N_ne": 1e9}), "eta", "trust-lr-rule")
    assert row.band is None


def test_a_published_covariance_gives_a_seeded_band(kb):
    import numpy as np

    draws = np.random.default_rng(0).multivariate_normal([0.5, 0.5], [[0.0025, 0.0001], [0.0001, 0.0004]], size=400)
    etas = draws[:, 0] * 1e9 ** (-draws[:, 1])
    (row,) = rows(resolve(kb, {"N": 1e9}), "eta", "trust-covariance-law")
    assert row.band["method"] == "covariance" and row.band["draws"] == 400
    assert row.band["lo"] == pytest.approx(np.quantile(etas, 0.05), rel=1e-9)
    assert row.band["hi"] == pytest.approx(np.quantile(etas, 0.95), rel=1e-9)


def test_an_entry_answers_from_its_own_equations(make_kb):
    # a rule n_layers = d_model / 128 and aspect_ratio = d_model / n_layers: with n_layers given, the rule still
    # gives its own n_layers (4096 / 128 = 32) and aspect ratio (128), and says what was given
    root = make_kb(copy=FILES)
    text = """id: trust-aspect
version: 1
status: stable
kind: rule
title: Test aspect rule
topics: [testing]
summary: n_layers = d_model / 128, and the aspect ratio it implies (a test rule, not a published one).
sources:
  - {arxiv: "2001.08361", title: Test, authors: [Test Author], year: 2020, where: "Table 1"}
constants:
  r: {value: 128.0, where: "Table 1"}
equations:
  n_layers: d_model / r
  aspect_ratio: d_model / n_layers
validity:
  d_model: [512, 16384]
examples:
  - {given: {d_model: 4096}, expect: {n_layers: 32, aspect_ratio: 128}, rel_tol: 0.001, where: "Table 1"}
changelog:
  - {version: 1, date: 2026-12-02, change: first version}
"""
    (root / "trust-aspect.yaml").write_text(text)
    result = resolve(compile_kb(root), {"d_model": 4096.0, "n_layers": 40.0, "N": 7e9})
    got = {r.symbol: r for r in result.results if r.entry == "trust-aspect"}
    assert got["n_layers"].value == pytest.approx(32.0) and got["aspect_ratio"].value == pytest.approx(128.0)
    assert "n_layers = 40 is given; this entry gives 32" in got["n_layers"].warnings


def test_a_band_says_whether_the_source_published_its_draws(kb):
    (row,) = rows(resolve(kb, {"N": 1e9}), "eta", "trust-banded-law")
    assert row.band["origin"] == "published"


def test_recomputed_uncertainty_must_say_how():
    from pydantic import ValidationError

    from hpguide.core.schema import Uncertainty

    fields = {"method": "covariance", "constants": ["c"], "mean": [1.0], "covariance": [[0.1]], "where": "Table 1"}
    assert Uncertainty(**fields).origin == "published"
    with pytest.raises(ValidationError, match="recomputed uncertainty needs a note"):
        Uncertainty(**fields, origin="recomputed")
    assert Uncertainty(**fields, origin="recomputed", note="refitted by the source's method").origin == "recomputed"


def _shipped_draws(path):
    import numpy as np
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))["uncertainty"]
    return data, {name: np.array(data["draws"])[:, i] for i, name in enumerate(data["constants"])}


def test_step_law_band_is_its_released_refits():
    import numpy as np

    data, d = _shipped_draws(KB / "learning-rate" / "steplaw-2025-lr-batch.yaml")
    assert data["origin"] == "published" and len(data["draws"]) == 200
    shipped = compile_kb(KB)
    n_ne, tokens = 6.44e9, 1e12
    result = resolve(shipped, {"N_ne": n_ne, "D": tokens}, include_drafts=True)
    (row,) = rows(result, "eta", "steplaw-2025-lr-batch")
    etas = d["c_eta"] * n_ne ** (-d["a_N"]) * tokens ** d["a_D"]  # the oracle: numpy over the entry's draws
    assert row.band["lo"] == pytest.approx(np.quantile(etas, 0.05), rel=1e-9)
    assert row.band["hi"] == pytest.approx(np.quantile(etas, 0.95), rel=1e-9)
    # the note's claim: a band x1.1 to x1.8 wide; the repository's bootstrap mean (1.8 % above the rounded law)
    assert 1.1 < row.band["hi"] / row.band["lo"] < 1.8
    assert row.band["lo"] < row.value * 1.018 < row.band["hi"]


def test_epoch_band_covers_the_intermediates_and_says_it_was_recomputed():
    import numpy as np

    data, d = _shipped_draws(KB / "compute-optimal" / "epoch-2024-chinchilla-refit.yaml")
    assert data["origin"] == "recomputed" and data["level"] == 0.8
    shipped = compile_kb(KB)
    c = 5.88e23
    (row,) = rows(resolve(shipped, {"C": c}), "tokens_per_param", "epoch-2024-chinchilla-refit")
    a, b, alpha, beta = d["A"], d["B"], d["alpha"], d["beta"]
    g = ((alpha * a) / (beta * b)) ** (1 / (alpha + beta))
    ratio = ((c / 6) ** (alpha / (alpha + beta)) / g) / (g * (c / 6) ** (beta / (alpha + beta)))
    assert row.band["lo"] == pytest.approx(np.quantile(ratio, 0.1), rel=1e-9)
    assert row.band["hi"] == pytest.approx(np.quantile(ratio, 0.9), rel=1e-9)
    assert row.band["origin"] == "recomputed"
    # the note's figures for the 200 kept refits at Chinchilla's budget: 10.4 .. 29.1
    assert row.band["lo"] == pytest.approx(10.4, abs=0.05) and row.band["hi"] == pytest.approx(29.1, abs=0.05)


def test_a_rows_own_notes_lead_its_warnings_and_are_marked(kb):
    (row,) = rows(resolve(kb, {"N_ne": 6.44e10}), "eta", "trust-lr-rule")
    entry = kb.entry("trust-lr-rule")
    assert row.notes and row.notes[0].startswith("no usable value: ")
    assert row.warnings == [*row.notes, *entry.warnings]
    assert not set(row.notes) & set(entry.warnings)


def test_an_assumption_from_a_tie_says_so_and_lists_the_alternatives():
    # at 70B the four nearest configs that publish a vocabulary all differ (Llama 2 70B 32000, Llama 3 70B
    # 128000, Qwen2-72B 151646, DeepSeek LLM 67B 102400: the recipe tables): a tie, not a mode
    shipped = compile_kb(KB)
    (vocab,) = [a for a in resolve(shipped, {"N": 70e9, "D": 15e12}).assumptions if a.symbol == "vocab_size"]
    assert vocab.value == 32000
    assert "no majority: 4 different values among 4 configs" in vocab.why
    assert "took 32000, the value of the nearest of the tied configs (Llama 2 70B)" in vocab.why
    assert sorted(a["value"] for a in vocab.alternatives) == [102400, 128000, 151646]
    assert all(a["count"] == 1 for a in vocab.alternatives)
    (layers,) = [a for a in resolve(shipped, {"N": 70e9, "D": 15e12}).assumptions if a.symbol == "n_layers"]
    assert "the majority value (5 of 6)" in layers.why
