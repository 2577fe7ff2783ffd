"""The `hpguide query --json` contract, held to golden files: keys AND values.

tests/golden/<name>.json is the full stdout of `hpguide query <args> --json` for a few README queries. The
live output must have the same keys, the same strings and the same numbers (floats to rel 1e-9). The one
exception is the content-hash half of ``kb_version`` (``<release>+<12 hex digits>``): it changes with every
edit anywhere in the KB, so only its form is compared.

When a change of output is intended (an entry added or corrected), rewrite the files with

    HPGUIDE_UPDATE_GOLDEN=1 python -m pytest tests/cli/test_golden.py

which writes the new output and still FAILS, listing every value that changed, so that nothing is overwritten
silently: review the list and the git diff, then run the tests again. The golden files themselves are held
to the sources by ``SOURCE_CHECKS`` below (numbers printed in the papers, or the published formula worked
by hand), so a wrong value cannot be blessed by an update.

tests/corpus/queries/ (shared with the browser calculator) covers the resolver's many cases; these few
files pin the README's --json contract.
"""

from __future__ import annotations

import json
import math
import os
import re
from typing import Any

import pytest

from ..conftest import ROOT
from ..helpers import run

GOLDEN_DIR = ROOT / "tests" / "golden"
UPDATE_ENV = "HPGUIDE_UPDATE_GOLDEN"
REL_TOL = 1e-9
KB_VERSION = re.compile(r"(?P<release>[^+]+)\+[0-9a-f]{12}")

QUERIES = {
    "d-model-4096-tokens-1T": ("--d-model", "4096", "--tokens", "1T"),  # README step 1, the main job
    "params-7B-tokens-1T": ("--params", "7B", "--tokens", "1T"),
    "params-70B-tokens-15T": ("--params", "70B", "--tokens", "15T"),
}
#: The keys DESIGN.md and README promise in every `--json` object, and in every result row.
CONTRACT_KEYS = {"kb_version", "inputs", "assumptions", "results", "spread"}
RESULT_KEYS = {"symbol", "value", "entry", "entry_version", "title", "citation", "formula", "in_range", "warnings"}


def differences(want: Any, got: Any, where: str = "") -> list[str]:
    """Every place where ``got`` differs from ``want`` (keys, lengths, types, strings, numbers to REL_TOL)."""
    if where == "kb_version" and isinstance(want, str) and isinstance(got, str):
        w, g = KB_VERSION.fullmatch(want), KB_VERSION.fullmatch(got)
        if g is None or w is None or w["release"] != g["release"]:
            return [f"kb_version: {got!r}, want {want!r} (release, then + and 12 hex digits)"]
        return []
    if isinstance(want, dict) and isinstance(got, dict):
        out = [f"{where}.{k}: missing" for k in sorted(set(want) - set(got))]
        out += [f"{where}.{k}: not in the golden file" for k in sorted(set(got) - set(want))]
        for key in sorted(set(want) & set(got)):
            out += differences(want[key], got[key], f"{where}.{key}" if where else key)
        return out
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return [f"{where}: {len(got)} items, want {len(want)}"]
        return [d for i, (w, g) in enumerate(zip(want, got)) for d in differences(w, g, f"{where}[{i}]")]
    numbers = (int, float)
    if isinstance(want, numbers) and isinstance(got, numbers) and not isinstance(want, bool) \
            and not isinstance(got, bool):
        return [] if math.isclose(got, want, rel_tol=REL_TOL, abs_tol=0.0) else [f"{where}: {got!r}, want {want!r}"]
    return [] if type(want) is type(got) and want == got else [f"{where}: {got!r}, want {want!r}"]


def live(name: str) -> str:
    proc = run("query", *QUERIES[name], "--json")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def golden(name: str) -> dict:
    return json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))


def test_the_comparison_sees_values_not_only_keys():
    want = {"kb_version": "0.1.0+0123456789ab", "results": [{"value": 1.0, "in_range": True, "warnings": ["x"]}]}
    same = {"kb_version": "0.1.0+ba9876543210", "results": [{"value": 1.0 + 1e-12, "in_range": True,
                                                               "warnings": ["x"]}]}
    assert differences(want, same) == []
    assert differences(want, {**same, "kb_version": "0.2.0+ba9876543210"}) != []
    for row in ({"value": 1.0 + 1e-8, "in_range": True, "warnings": ["x"]},
                {"value": 1.0, "in_range": False, "warnings": ["x"]},
                {"value": 1.0, "in_range": 1, "warnings": ["x"]},
                {"value": 1.0, "in_range": True, "warnings": []},
                {"value": 1.0, "in_range": True, "warnings": ["y"]},
                {"value": 1.0, "in_range": True}):
        assert len(differences(want, {**same, "results": [row]})) == 1, row


@pytest.mark.parametrize("name", QUERIES)
def test_query_json_matches_its_golden_file(name):
    path = GOLDEN_DIR / f"{name}.json"
    text = live(name)
    got = json.loads(text)
    assert got["kb_problems"] == 0, "the KB has invalid entries: fix them before comparing with the golden files"
    if not path.exists():
        if os.environ.get(UPDATE_ENV) == "1":
            path.write_text(text, encoding="utf-8")
            pytest.fail(f"wrote the new golden file {path.relative_to(ROOT)}: review it, then run the tests again")
        pytest.fail(f"{path.relative_to(ROOT)} is missing: {UPDATE_ENV}=1 python -m pytest {__file__} writes it")
    found = differences(golden(name), got)
    if found and os.environ.get(UPDATE_ENV) == "1":
        path.write_text(text, encoding="utf-8")
        pytest.fail(f"rewrote {path.relative_to(ROOT)}; {len(found)} value(s) changed (review them and the "
                    "git diff, then run the tests again):\n" + "\n".join(found[:50]))
    assert not found, (f"`hpguide query {' '.join(QUERIES[name])} --json` differs from {path.relative_to(ROOT)} "
                       f"(if intended: {UPDATE_ENV}=1, see this module's docstring):\n" + "\n".join(found[:50]))


@pytest.mark.parametrize("name", QUERIES)
def test_golden_files_carry_the_contract_keys(name):
    data = golden(name)
    assert set(data) >= CONTRACT_KEYS
    assert all(set(row) >= RESULT_KEYS for row in data["results"]) and data["results"]
    assert all({"symbol", "value", "entry", "why"} <= set(a) for a in data["assumptions"])
    assert all(set(s) >= {"n", "min", "median", "max"} for s in data["spread"].values())


# --------------------------------------------------------------------------- the golden values, from the sources

# (query, symbol, entry, expected, where the number comes from). "entry" is None for `inputs`, a derived
# value is looked up in `derived`, an assumption in `assumptions`. Expected values are printed by the source or
# worked by hand from the source's formula and constants, never computed by hpguide.
N_NE_4096 = 12 * 32 * 4096**2  # = 6_442_450_944; 32 layers assumed from the nearest published configs
SOURCE_CHECKS = [
    # --params 7B --tokens 1T
    ("params-7B-tokens-1T", "N", None, 7e9, "the input 7B"),
    ("params-7B-tokens-1T", "D", None, 1e12, "the input 1T"),
    ("params-7B-tokens-1T", "C", "compute-6nd", 4.2e22, "C = 6 N D (Kaplan Eq. 2.2): 6 x 7e9 x 1e12"),
    ("params-7B-tokens-1T", "tokens_per_param", "chinchilla-2022-tokens-per-param", 20.0,
     "Chinchilla Table 1: 70B parameters on 1.4T tokens, 1.4e12 / 70e9 = 20"),
    ("params-7B-tokens-1T", "N_opt", "chinchilla-2022-tokens-per-param", math.sqrt(4.2e22 / (6 * 20)),
     "C = 6 N D with D = 20 N: N_opt = sqrt(C / 120) = sqrt(3.5e20) = 1.8708e10"),
    ("params-7B-tokens-1T", "D_opt", "chinchilla-2022-tokens-per-param", 20 * math.sqrt(4.2e22 / 120),
     "D_opt = 20 N_opt = 3.7417e11"),
    ("params-7B-tokens-1T", "warmup_tokens", "gpt3-2020-warmup-375m-tokens", 3.75e8,
     "GPT-3 App. B: 'linear LR warmup over the first 375 million tokens'"),
    ("params-7B-tokens-1T", "L", "chinchilla-2022-approach3",
     1.6933736809989528 + 406.4010175194737 / 7e9**0.33917084 + 410.7228269450398 / 1e12**0.2849083,
     "Chinchilla Eq. 10, L = E + A/N^alpha + B/D^beta, with the entry's unrounded E, A, B, alpha, beta"),
    ("params-7B-tokens-1T", "eta", "gpt3-2020-lr-trend", 0.13246370727459456 * 7e9**-0.30513000624211284,
     "the entry's power law through GPT-3 Table 2.1 (c_eta N^-b_eta) at N = 7e9"),
    # --d-model 4096 --tokens 1T
    ("d-model-4096-tokens-1T", "N_ne", "transformer-params-from-shape", N_NE_4096,
     "Kaplan Eq. 2.1, 12 n_layers d_model^2; DeepSeek Table 3 prints N1 = 6.44B for 32 x 4096"),
    ("d-model-4096-tokens-1T", "N", "transformer-params-from-shape", N_NE_4096 + 32000 * 4096,
     "N_ne plus the embedding, vocab 32000 x d_model 4096 (DeepSeek Sec. 3.1's 6 n_vocab d_model term / 6)"),
    ("d-model-4096-tokens-1T", "C", "compute-6nd", 6 * (N_NE_4096 + 32000 * 4096) * 1e12, "6 N D"),
    ("d-model-4096-tokens-1T", "M", "deepseek-2024-flops-per-token", 72 * 32 * 4096**2 + 12 * 32 * 4096 * 2048,
     "DeepSeek Sec. 3.1, M = 72 n_layer d_model^2 + 12 n_layer d_model l_seq, l_seq = 2048 assumed"),
    ("d-model-4096-tokens-1T", "d_ff", "ffn-width-swiglu-llama", 11008.0,
     "LLaMA 7B (d_model 4096): FFN hidden size 11008 (256 x ceil(int(2/3 x 4 x 4096) / 256))"),
    ("d-model-4096-tokens-1T", "d_ff", "ffn-width-4x", 16384.0, "GPT-3 Sec. 2.1: d_ff = 4 d_model"),
    ("d-model-4096-tokens-1T", "tokens_per_param", "chinchilla-2022-tokens-per-param", 20.0, "Chinchilla Table 1"),
    # --params 70B --tokens 15T
    ("params-70B-tokens-15T", "C", "compute-6nd", 6.3e24, "6 x 70e9 x 15e12"),
    ("params-70B-tokens-15T", "N_opt", "chinchilla-2022-tokens-per-param", math.sqrt(6.3e24 / 120), "sqrt(C/120)"),
    ("params-70B-tokens-15T", "n_layers", "recipe-chinchilla-2022", 80.0, "Chinchilla Table 4: 70B, 80 layers"),
    ("params-70B-tokens-15T", "d_model", "recipe-chinchilla-2022", 8192.0, "Chinchilla Table 4: 70B, d_model 8192"),
    ("params-70B-tokens-15T", "N_ne", "transformer-params-from-shape", 12 * 80 * 8192**2,
     "12 x 80 x 8192^2 = 6.44e10; DeepSeek Table 3 prints N1 = 64.4B for 80 x 8192"),
    ("params-70B-tokens-15T", "M", "deepseek-2024-flops-per-token", 72 * 80 * 8192**2 + 12 * 80 * 8192 * 4096,
     "DeepSeek Table 3 prints M = 419B for 80 x 8192 at l_seq 4096: 4.1876e11"),
    ("params-70B-tokens-15T", "n_heads", "head-dim-published-median", 64.0, "8192 / 128; Chinchilla Table 4: 64 heads"),
]


def _lookup(data: dict, symbol: str, entry: str | None) -> list[float]:
    if entry is None:
        return [data["inputs"][symbol]]
    rows = [r for r in data["results"] + data["derived"] + data["assumptions"]
            if r["symbol"] == symbol and r["entry"] == entry]
    return [r["value"] for r in rows]


@pytest.mark.parametrize("name, symbol, entry, expected, where", SOURCE_CHECKS,
                         ids=[f"{c[0]}:{c[1]}:{c[2]}" for c in SOURCE_CHECKS])
def test_golden_value_agrees_with_the_source(name, symbol, entry, expected, where):
    assert _lookup(golden(name), symbol, entry) == pytest.approx([expected], rel=1e-9), where


def test_golden_in_range_flags_and_spread():
    seven, seventy = golden("params-7B-tokens-1T"), golden("params-70B-tokens-15T")
    flags = {(r["symbol"], r["entry"]): r["in_range"] for r in seventy["results"]}
    # chinchilla-2022-tokens-per-param is valid for N in [7e7, 7e10]: 70B sits on the (inclusive) upper end
    assert flags[("tokens_per_param", "chinchilla-2022-tokens-per-param")] is True
    # gpt3-2020-lr-trend fitted N in [1.25e8, 1.75e11]; DeepSeek's C_M and Porian's N lie outside their fits
    assert flags[("eta", "gpt3-2020-lr-trend")] is True
    assert flags[("eta", "deepseek-2024-lr-batch")] is False and flags[("eta", "porian-2024-lr-batch")] is False
    # the spread pools only comparable in-range answers: for eta at 70B, the GPT-3 trend alone (Adam, cosine to
    # 10%); DeepSeek (AdamW, multi-step) and Porian (AdamW) are other conventions, in groups of their own
    gpt3 = 0.13246370727459456 * 7e10**-0.30513000624211284
    spread = seventy["spread"]["eta"]
    assert spread["entries"] == ["gpt3-2020-lr-trend"] and spread["conventions"]["optimizer"] == "Adam"
    assert (spread["n"], spread["n_out_of_range"], spread["n_unusable"]) == (1, 0, 0)
    assert spread["median"] == pytest.approx(gpt3, rel=1e-9)
    assert len(seventy["spread_groups"]["eta"]) == 1  # the other groups have no in-range row
    # d_ff at d_model 4096: 11008 (SwiGLU) and 16384 (4x), both in range: the median of two is their mean
    d_ff = golden("d-model-4096-tokens-1T")["spread"]["d_ff"]
    assert (d_ff["n"], d_ff["min"], d_ff["median"], d_ff["max"]) == (2, 11008.0, (11008 + 16384) / 2, 16384.0)
    # tokens per parameter pools the Chinchilla rule and Epoch's refit (MassiveText, total N): at 7B/1T only
    # the rule is in range (the refit's D range ends at 318B)
    tpp = seven["spread"]["tokens_per_param"]
    assert tpp["median"] == 20.0 and tpp["entries"] == ["chinchilla-2022-tokens-per-param",
                                                         "epoch-2024-chinchilla-refit"]
    assert tpp["conventions"] == {"data": "MassiveText", "n_convention": "total"}


def test_no_negative_learning_rate_is_shown_as_a_value():
    # kaplan-2020-lr-rule is a draft (the paper prints no evaluated LR), so it answers with --include-drafts:
    # at 70B (N_ne = 64.4B from the assumed 8192 x 80 shape) 0.003239 - 0.0001395 ln(6.44e10) < 0
    proc = run("query", "--params", "70B", "--tokens", "15T", "--include-drafts", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = [r for r in json.loads(proc.stdout)["results"] if r["symbol"] == "eta"]
    (kaplan,) = [r for r in rows if r["entry"] == "kaplan-2020-lr-rule"]
    assert kaplan["value"] == pytest.approx(0.003239 - 0.0001395 * math.log(12 * 80 * 8192**2), rel=1e-9)
    assert kaplan["usable"] is False and kaplan["why"].startswith("negative: the formula gives eta = ")
    for row in rows:
        assert row["value"] > 0 or row["usable"] is False, row["entry"]
