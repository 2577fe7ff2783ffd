"""The shared query corpus (tests/corpus/queries/): the Python CLI still prints what each case expects.

Each case file holds the argv after ``hpguide query`` and the ``--json``
object (or the error line) that tools/gen_query_corpus.py recorded. Every case
is re-run through the CLI's ``--json`` path and compared on every field
(tools/gen_query_corpus.py:compare). The browser test
(tests/site/test_calculator_corpus.py) holds the JavaScript calculator to the
same files. A failure here means the resolver or the KB changed: if on
purpose, run ``python tools/gen_query_corpus.py --update`` and review the diff.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from ..conftest import KB, ROOT

_SPEC = importlib.util.spec_from_file_location("gen_query_corpus", ROOT / "tools" / "gen_query_corpus.py")
corpus = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(corpus)

CASES = corpus.load_cases()
STALE_HINT = "the corpus is stale: if the change is intended, run python tools/gen_query_corpus.py --update"


def check(case: dict, got: dict) -> None:
    if "error" in case:
        assert got == {"error": case["error"]}, STALE_HINT
        return
    assert "expected" in got, f"expected a result, got the error {got.get('error')!r}"
    problems = corpus.compare(got["expected"], case["expected"])
    assert not problems, STALE_HINT + "\n" + "\n".join(problems[:40])


def test_corpus_size_and_composition():
    assert len(CASES) >= 60
    names = [case["name"] for case in CASES]
    assert [case["name"] for case in sorted(corpus.CASES, key=lambda c: c["name"])] == names, \
        "tools/gen_query_corpus.py CASES and the files differ: run the generator"
    for case in CASES:
        assert set(case) in ({"name", "about", "argv", "expected"}, {"name", "about", "argv", "error"}), case["name"]
        definition = next(c for c in corpus.CASES if c["name"] == case["name"])
        assert case["argv"] == definition["argv"] and case["about"] == definition["about"], case["name"]
    flags = {word.split("=")[0] for case in CASES for word in case["argv"] if word.startswith("-")}
    from hpguide.cli.main import QUERY_FLAGS

    every = {f for flag, short, _, _ in QUERY_FLAGS for f in (flag, short) if f}
    every |= {"--set", "--topic", "--entry", "--include-drafts"}
    assert every <= flags, f"flags without a corpus case: {sorted(every - flags)}"
    set_symbols = {case["argv"][i + 1].split("=")[0] for case in CASES for i, word in enumerate(case["argv"])
                   if word == "--set"}
    assert len(set_symbols) >= 15
    assert sum("error" in case for case in CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_cli_json_matches_corpus(case):
    check(case, corpus.run_case(case["argv"], KB))


def test_one_case_through_a_subprocess():
    """The installed command path (python -m hpguide), not only the in-process call."""
    case = next(c for c in CASES if c["name"] == "contradict-compute")
    proc = subprocess.run([sys.executable, "-m", "hpguide", "query", *case["argv"], "--json", "--kb", str(KB)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    check(case, corpus.outcome(proc.returncode, proc.stdout, proc.stderr))
    error = next(c for c in CASES if c["name"] == "error-set-unknown-symbol")
    proc = subprocess.run([sys.executable, "-m", "hpguide", "query", *error["argv"], "--json", "--kb", str(KB)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    check(error, corpus.outcome(proc.returncode, proc.stdout, proc.stderr))


# --------------------------------------------------------------------------- the comparison itself


def test_compare_finds_every_kind_of_difference():
    base = {"a": 1.0, "n": 3, "s": "x", "b": True, "z": None, "l": [1.0, 2.0], "d": {"k": 0.5}}
    assert corpus.compare(json.loads(json.dumps(base)), base) == []
    assert corpus.compare({**base, "a": 1.0 + 1e-12}, base) == []  # within 1e-9
    assert corpus.compare({**base, "a": 1.0 + 1e-8}, base)
    assert corpus.compare({**base, "n": 3.5}, base)
    assert corpus.compare({**base, "n": 3.0}, base) == []  # JavaScript has no integer type
    assert corpus.compare({**base, "b": 1}, base)  # true is not 1
    assert corpus.compare({**base, "z": 0}, base)
    assert corpus.compare({**base, "s": "y"}, base)
    assert corpus.compare({**base, "l": [1.0]}, base)
    assert corpus.compare({**base, "d": {"k": 0.5, "extra": 1}}, base)  # a field expected lacks
    missing = dict(base)
    del missing["d"]
    assert corpus.compare(missing, base) == ["d: missing (expected {\"k\": 0.5})"]
    assert corpus.compare({**base, "a": -1.0}, base)
    assert corpus.compare({**base, "a": 0.0}, {**base, "a": 1e-300})  # no absolute tolerance


def test_a_stale_expected_value_fails(tmp_path):
    case = next(c for c in CASES if c["name"] == "kaplan-lr-negative")
    stale = json.loads(json.dumps(case))
    row = next(r for r in stale["expected"]["results"] if r["entry"] == "kaplan-2020-lr-rule")
    row["value"] *= 1 + 1e-6
    with pytest.raises(AssertionError, match="results"):
        check(stale, corpus.run_case(case["argv"], KB))
    stale = json.loads(json.dumps(case))
    stale["expected"]["results"][0]["warnings"].append("a warning the resolver does not give")
    with pytest.raises(AssertionError, match="warnings"):
        check(stale, corpus.run_case(case["argv"], KB))


def test_generator_refuses_to_overwrite_without_update(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(corpus, "CORPUS", tmp_path)
    monkeypatch.setattr(corpus, "ROOT", tmp_path)
    monkeypatch.setattr(corpus, "CASES", [c for c in corpus.CASES if c["name"] in ("flag-params-only", "error-zero")])
    assert corpus.main([]) == 0
    path = tmp_path / "flag-params-only.json"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace('"entry_version": 1', '"entry_version": 99', 1), encoding="utf-8")
    (tmp_path / "old-case.json").write_text("{}", encoding="utf-8")
    assert corpus.main(["--check"]) == 1
    assert corpus.main([]) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") != good
    assert corpus.main(["--update"]) == 0
    assert path.read_text(encoding="utf-8") == good
    assert not (tmp_path / "old-case.json").exists()
    assert corpus.main(["--check"]) == 0
