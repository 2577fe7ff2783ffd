"""Every bad command line of tools/bad_inputs.py, through the real CLI: its exit code and message, no traceback."""

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
def run_cases(tmp_path_factory):
    """(fields, {case: outcome}) of every case, run through the real CLI (in parallel: they are independent)."""
    fields = bad_inputs.make_fixtures(tmp_path_factory.mktemp("bad-inputs"))
    return fields, dict(zip(CASES, bad_inputs.run_all(fields)))


@pytest.fixture(scope="module")
def good_cache_output(tmp_path_factory):
    """stdout of the query the cache cases run, with a sound cache (compiled by the first run, read by the second)."""
    env = {"HPGUIDE_CACHE_DIR": str(tmp_path_factory.mktemp("good-cache"))}
    outputs = [bad_inputs._run(["query", "--params", "7B", "--tokens", "1T"], env) for _ in range(2)]
    assert all(p.returncode == 0 for p in outputs) and outputs[0].stdout == outputs[1].stdout
    return outputs[1].stdout.decode()


def test_there_are_at_least_30_cases():
    assert len(CASES) >= 30
    assert len({c.what for c in CASES}) == len(CASES)


def test_expected_pattern_is_literal_but_for_the_wildcard():
    pattern = bad_inputs.expected_pattern("a (b) [...] c.*")
    assert pattern.fullmatch("a (b) anything\nat all c.*")
    assert not pattern.fullmatch("a (b) x c..") and not pattern.fullmatch("a b x c.*")


@pytest.mark.parametrize("case", CASES, ids=[c.what for c in CASES])
def test_bad_input_gets_its_exit_code_and_message_and_no_traceback(case, run_cases, good_cache_output):
    fields, outcomes = run_cases
    outcome = outcomes[case]
    assert not outcome.traceback, outcome.stderr
    assert outcome.code == case.code, (outcome.stdout[-500:], outcome.stderr)
    if case.code == 2:
        errors = [line for line in outcome.stderr.splitlines() if "error:" in line]
        assert len(errors) == 1, outcome.stderr  # one error line (argparse adds a usage line before it)
    said = outcome.said(fields)
    if "[...]" in case.says:
        assert outcome.says_what_it_should(fields), f"says {said!r}, want {case.says!r}"
    else:
        assert said == case.says  # the exact message: what was wrong, and what to do
    if dict(case.env).get("HPGUIDE_CACHE_DIR"):  # a broken cache changes nothing but the time
        assert outcome.stdout == good_cache_output


def test_the_docs_table_is_what_the_tool_prints(run_cases):
    fields, outcomes = run_cases
    page = bad_inputs.markdown([outcomes[c] for c in CASES], fields)
    assert "(unexpected)" not in page
    table = (ROOT / "docs" / "bad-inputs.md").read_text(encoding="utf-8")
    stale = "docs/bad-inputs.md is stale: run python tools/bad_inputs.py > docs/bad-inputs.md"
    want_lines, have_lines = page.splitlines(), table.splitlines()
    assert len(want_lines) == len(have_lines), stale
    for want, have in zip(want_lines, have_lines):
        case = next((c for i, c in enumerate(CASES, 1) if want.startswith(f"| {i} | ")), None)
        if case is not None and case.code != 0 and "[...]" in case.says:  # exit 0 rows show the note
            # the part [...] stands for may differ between machines (Python's argparse, git): not a stale page
            head, _, message = have.removesuffix(" |").rpartition(" | ")
            assert head == want.removesuffix(" |").rpartition(" | ")[0], stale
            assert bad_inputs.expected_pattern(bad_inputs.cell(case.says)).fullmatch(message), stale
        else:
            assert have == want, stale
