"""hpguide.resolver.compare: every law against what a published model used (``hpguide compare``)."""

from __future__ import annotations

import json
import math

import pytest

from hpguide.core.errors import UsageError
from hpguide.kb.compiled import CompiledEntry, CompiledKB, load_compiled
from hpguide.resolver.compare import compare_all, compare_model, find_model

from ..conftest import KB
from ..helpers import assert_clean_error, run

ROW_KEYS = {"symbol", "output", "entry", "suggested", "published", "ratio", "in_range", "usable", "why"}


@pytest.fixture(scope="module")
def kb():
    return load_compiled(KB)


def _row(comparison, symbol, entry, output=None):
    found = [r for r in comparison.rows if r.symbol == symbol and r.entry == entry and r.output == (output or symbol)]
    assert len(found) == 1, comparison.rows
    return found[0]


def test_chinchilla_70b_against_the_20_tokens_rule_by_hand(kb):
    # Chinchilla 70B: N = 70e9 and D = 1.4e12 as published (Hoffmann et al. 2022, Table 4).
    # chinchilla-2022-tokens-per-param: D = 20 N = 1.4e12; N_opt = sqrt(C / 120) with C = 6 N D = 5.88e23,
    # i.e. 7e10; D_opt = 20 N_opt = 1.4e12. Every ratio is 1, and N = 70B is the top of its range (7e7..7e10).
    m = compare_model(kb, "chinchilla 70b")
    assert (m.model, m.entry) == ("Chinchilla 70B", "recipe-chinchilla-2022")
    assert m.inputs["N"] == 70e9 and m.inputs["D"] == 1.4e12 and m.inputs["d_model"] == 8192
    d = _row(m, "D", "chinchilla-2022-tokens-per-param")
    assert d.published == 1.4e12
    assert d.suggested == pytest.approx(20 * 70e9, rel=1e-12)
    assert d.ratio == pytest.approx(1.0, rel=1e-12)
    assert d.usable and d.in_range and d.why is None
    n_opt = _row(m, "N", "chinchilla-2022-tokens-per-param", "N_opt")
    assert n_opt.suggested == pytest.approx(math.sqrt(6 * 70e9 * 1.4e12 / 120), rel=1e-9)
    assert n_opt.ratio == pytest.approx(1.0, rel=1e-9)
    assert _row(m, "D", "chinchilla-2022-tokens-per-param", "D_opt").ratio == pytest.approx(1.0, rel=1e-9)
    # quantities no law gives are listed, never compared
    assert "seq_len" in m.unmatched and all(r.symbol != "seq_len" for r in m.rows)


def test_llama_2_7b_tokens_rule_by_hand(kb):
    m = compare_model(kb, "Llama-2-7b")  # '-' counts as a space, case does not matter
    d = _row(m, "D", "chinchilla-2022-tokens-per-param")
    assert d.suggested == pytest.approx(20 * 7e9) and d.published == 2e12
    assert d.ratio == pytest.approx(20 * 7e9 / 2e12)  # 0.07: Llama 2 7B saw 14x the rule's tokens


def test_a_row_with_no_usable_value_carries_no_number(kb):
    # kaplan-2020-lr-rule (a draft) gives a negative eta at 70B: no usable value, so no suggestion and no ratio
    m = compare_model(kb, "Llama 2 70B", include_drafts=True)
    row = _row(m, "eta", "kaplan-2020-lr-rule")
    assert not row.usable and row.suggested is None and row.ratio is None
    assert row.why.startswith("negative")
    assert row.published == 1.5e-4
    everything = compare_all(kb, entry="recipe-llama2-2023", include_drafts=True)
    kaplan = next(s for s in everything.summary["eta"] if s.entry == "kaplan-2020-lr-rule")
    assert kaplan.n_unusable >= 1 and "Llama 2 70B" not in kaplan.models


def test_the_text_says_no_usable_value_instead_of_a_number():
    proc = run("compare", "Llama 2 70B", "--include-drafts")
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if "kaplan-2020-lr-rule" in x)
    assert line.strip().startswith("kaplan-2020-lr-rule: no usable value: negative")


def test_all_summarises_per_law_by_hand(kb):
    # the four Llama 2 rows, D = 20 N against D = 2T for each: ratios 0.07, 0.13, 0.34, 0.7
    everything = compare_all(kb, entry="recipe-llama2-2023")
    assert [m.model for m in everything.models] == ["Llama 2 7B", "Llama 2 13B", "Llama 2 34B", "Llama 2 70B"]
    law = next(s for s in everything.summary["D"] if s.entry == "chinchilla-2022-tokens-per-param" and s.output == "D")
    ratios = [20 * n / 2e12 for n in (7e9, 13e9, 34e9, 70e9)]
    assert law.n == law.n_ratio == 4 and law.n_unusable == 0
    assert law.median_ratio == pytest.approx((ratios[1] + ratios[2]) / 2)
    logs = sorted(abs(math.log10(r)) for r in ratios)
    assert law.median_abs_log10_ratio == pytest.approx((logs[1] + logs[2]) / 2)
    assert law.within_2x == pytest.approx(1 / 4)  # only 70B (0.7) is within a factor of 2
    assert everything.published_by["D"] == 4


def test_names_are_matched_exactly_and_ambiguity_is_refused(kb):
    with pytest.raises(UsageError, match="close matches: 'Llama 3 8B', 'Llama 2 7B'"):
        find_model(kb, "Llama 2 8B")
    with pytest.raises(UsageError, match="draft entry: add --include-drafts"):
        find_model(kb, "PaLM 540B")
    llama2 = kb.entry("recipe-llama2-2023")
    twin = CompiledEntry(**{name: getattr(llama2, name) for name in CompiledEntry.__slots__})
    twin.id = "recipe-llama2-twin"
    doubled = CompiledKB(kb.root, kb.kb_version, kb.content_hash, kb.symbols, [*kb.entries, twin])
    with pytest.raises(UsageError, match=r"ambiguous: 2 published models .* add --entry ID"):
        find_model(doubled, "Llama 2 7B")
    assert find_model(doubled, "Llama 2 7B", entry="recipe-llama2-twin")[0].id == "recipe-llama2-twin"


def test_unknown_model_is_a_one_line_error_through_the_cli():
    proc = run("compare", "Llama 2 8B")
    assert_clean_error(proc)
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hpguide: error: no published model 'Llama 2 8B'")
    assert "'Llama 2 7B'" in lines[0]


@pytest.mark.parametrize("args, says", [
    (("compare",), "give the name of a published model"),
    (("compare", "Llama 2 7B", "--all"), "not both"),
    (("compare", "Llama 2 7B", "--entry", "gpt3-2020-lr-trend"), "is not a recipe entry"),
])
def test_bad_command_lines(args, says):
    proc = run(*args)
    assert_clean_error(proc)
    assert says in proc.stderr and len(proc.stderr.splitlines()) == 1


def test_json_keys():
    proc = run("compare", "Chinchilla 70B", "--json")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert {"model", "entry", "where", "published", "inputs", "assumptions", "conflicts", "rows",
            "unmatched", "kb_version"} <= set(payload)
    assert payload["model"] == "Chinchilla 70B" and payload["published"]["D"] == 1.4e12
    assert payload["where"]
    assert payload["rows"] and all(set(row) == ROW_KEYS for row in payload["rows"])
    proc = run("compare", "--all", "--entry", "recipe-chinchilla-2022", "--json")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert {"models", "skipped", "summary", "published_by", "comparisons"} <= set(payload)
    law = payload["summary"]["D"][0]
    assert {"symbol", "entry", "output", "n", "n_in_range", "n_unusable", "n_ratio", "median_ratio",
            "median_abs_log10_ratio", "within_2x", "models"} <= set(law)


def test_text_prints_published_values_exactly():
    proc = run("compare", "Llama 2 7B")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("Llama 2 7B  (recipe-llama2-2023: arXiv 2307.09288")
    assert "eta: peak learning rate; published 3e-4" in out
    assert "d_ff: hidden width of the feed-forward block; published 11008" in out
    assert "chinchilla-2022-tokens-per-param (D_opt)" in out
    assert "Traceback" not in proc.stderr
