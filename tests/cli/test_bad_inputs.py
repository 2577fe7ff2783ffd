"""Every bad command line of tools/bad_inputs.py, through the real CLI: the right exit code, never a traceback."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from ..conftest import ROOT

_SPEC = importlib.util.spec_from_file_location("bad_inputs", ROOT / "tools" / "bad_inputs.py")
bad_inputs = importlib.util.module_from_spec(_SPEC)
sys.modules["bad_inputs"] = bad_inputs  # dataclasses look their module up
_SPEC.loader.exec_module(bad_inputs)

CASES = bad_inputs.CASES


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """{case: outcome} of every case, run through the real CLI (in parallel: they are independent)."""
    fields = bad_inputs.make_fixtures(tmp_path_factory.mktemp("bad-inputs"))
    return dict(zip(CASES, bad_inputs.run_all(fields)))


def test_there_are_at_least_30_cases():
    assert len(CASES) >= 30
    assert len({c.what for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.what for c in CASES])
def test_bad_input_gets_its_exit_code_and_no_traceback(case, outcomes):
    outcome = outcomes[case]
    assert not outcome.traceback, outcome.stderr
    assert outcome.code == case.code, (outcome.stdout[-500:], outcome.stderr)
    if case.code == 2:
        errors = [line for line in outcome.stderr.splitlines() if "error:" in line]
        assert len(errors) == 1, outcome.stderr  # one error line (argparse adds a usage line before it)
        assert errors[0].startswith(("hpguide: error: ", "hpguide ", "usage: ")), errors[0]
    if case.code == 1:
        assert ": HPG" in outcome.stdout


def test_the_docs_table_lists_every_case():
    table = (ROOT / "docs" / "bad-inputs.md").read_text(encoding="utf-8")
    rows = [line for line in table.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == len(CASES)
    for row, case in zip(rows, CASES):
        assert f" {case.what} " in row.replace("\\|", "|") and f"| {case.code} |" in row
