"""The inverse questions (issue 11, item 2): with N fixed, each compute-optimal law gives the budget for which
N is compute-optimal (its N_opt solved for C) and the tokens that go with it. Held to Chinchilla's Table 3,
whose rows the Approach 1 entry records as examples with their locators (the paper's numbers, not hpguide's)."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

import hpguide

from ..conftest import KB

APPROACH1 = KB / "compute-optimal" / "chinchilla-2022-approach1.yaml"


def _table3_rows():
    examples = YAML(typ="safe").load(APPROACH1.read_text(encoding="utf-8"))["examples"]
    return [ex for ex in examples if str(ex["where"]).startswith("Table 3, row") and "N_opt" in ex["expect"]]


def _row(result, symbol, entry):
    (row,) = [r for r in result.results if r.symbol == symbol and r.entry == entry]
    return row


@pytest.mark.parametrize("example", _table3_rows(), ids=lambda ex: ex["where"].split(" (")[0])
def test_approach1_answers_table3_backwards(example):
    n, c = example["expect"]["N_opt"], example["given"]["C"]
    result = hpguide.query(kb=KB, params=n)
    c_row = _row(result, "C_at_N", "chinchilla-2022-approach1")
    # the example's tolerance bounds the law's error in N_opt (and D_opt) at the table's C; asked backwards,
    # C grows as N_opt**2 (a = 0.50) and D_opt carries its own error minus N_opt's: each up to twice the
    # tolerance (10T: D 201.7T for the printed 216.2T, 6.7 %, the compounding the example's note describes)
    assert c_row.value == pytest.approx(c, rel=2 * example["rel_tol"])
    assert c_row.usable and c_row.formula.startswith("if N = ")
    if "D_opt" in example["expect"]:
        d_row = _row(result, "D_at_N", "chinchilla-2022-approach1")
        assert d_row.value == pytest.approx(example["expect"]["D_opt"], rel=2 * example["rel_tol"])


def test_table3_rows_are_there():
    assert len(_table3_rows()) >= 8  # 400M ... 10T


def test_no_inverse_question_when_n_is_only_assumed():
    # --compute alone fixes no N: nothing is asked backwards
    result = hpguide.query(kb=KB, compute=1e23)
    assert not [r for r in result.results if r.symbol in ("C_at_N", "D_at_N")]


def test_inverse_rows_are_range_checked_on_the_n_they_assume_optimal():
    result = hpguide.query(kb=KB, params=1e13)  # Table 3's 10T row: beyond the fitted 70M..10B
    row = _row(result, "C_at_N", "chinchilla-2022-approach1")
    assert not row.in_range and any(n.startswith("extrapolation: N_opt = ") for n in row.notes)
