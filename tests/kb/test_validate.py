"""The validator over the bad-entry corpus: each file is rejected with its code, nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from hpguide.core.codes import CODES
from hpguide.kb.validate import validate_kb

from ..conftest import CORPUS

BAD = sorted((CORPUS / "bad").glob("*.yaml"))
SENTINEL = Path("/tmp/hpguide-pwned")


def expected_code(path: Path) -> str:
    first = path.read_bytes().splitlines()[0].decode("utf-8")  # the rest may be hostile bytes (Latin-1, NUL)
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: HPGxxx'"
    return first.removeprefix("# expect: ").strip()


GOOD = sorted((CORPUS / "good").glob("*.yaml"))


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_good_corpus_entry_is_clean(make_kb, path):
    _, problems = validate_kb(make_kb(copy=[path]))
    assert problems == []


@pytest.mark.parametrize("side, expected, error, ok", [
    # the law gives eta = 0.5 * (1e6)**-0.5 = 5e-4; rel_tol is 0.1 %; the error is |got - want| / max(got, want)
    ("above", "5.0045e-4", "0.09%", True),   # 0.045e-4 / 5.0045e-4 = 0.0899 %
    ("above", "5.0055e-4", "0.11%", False),  # 0.055e-4 / 5.0055e-4 = 0.1099 %
    ("below", "4.9955e-4", "0.09%", True),   # 0.045e-4 / 5e-4      = 0.0900 %
    ("below", "4.9945e-4", "0.11%", False),  # 0.055e-4 / 5e-4      = 0.1100 %
])
def test_example_tolerance_boundary_on_both_sides(make_kb, side, expected, error, ok):
    name = f"example-{'inside' if ok else 'outside'}-tolerance-{side}"
    path = CORPUS / ("good" if ok else "bad") / f"{name}.yaml"
    assert f"expect: {{eta: {expected}}}" in path.read_text()  # the table above describes the fixture
    _, problems = validate_kb(make_kb(copy=[path]))
    if ok:
        assert problems == []
    else:
        message = (f"example 1 (Table 1): eta = 0.0005, expected {float(expected):.4g} "
                   f"(relative error {error} > rel_tol 0.10%)")
        assert [(p.code, p.message) for p in problems] == [("HPG030", message)]


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_entry_is_rejected_with_its_code(path, make_kb):
    SENTINEL.unlink(missing_ok=True)
    code = expected_code(path)
    assert code in CODES
    _, problems = validate_kb(make_kb(copy=[path]))
    assert code in {p.code for p in problems}, [str(p) for p in problems]
    assert all(p.path.endswith(path.name) for p in problems)
    assert not SENTINEL.exists(), "a hostile entry ran code"


def test_every_code_has_a_corpus_file_or_a_dedicated_test():
    dedicated = {"HPG011", "HPG013", "HPG040"} | {"HPG050", "HPG051", "HPG052"}  # the last: test_versioning.py
    dedicated |= {"HPG014"}  # kb.yaml, not an entry: tests/kb/test_load.py
    covered = {expected_code(p) for p in BAD} | dedicated
    assert covered == set(CODES)


@pytest.mark.parametrize("encode", [
    pytest.param(lambda text: text.replace("\n", "\r\n").encode(), id="crlf"),
    pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode(), id="bom"),
    pytest.param(lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(), id="bom-crlf"),
])
def test_windows_line_endings_and_bom_are_fine(make_kb, encode):
    root = make_kb()
    (root / "good-law.yaml").write_bytes(encode((CORPUS / "good" / "good-law.yaml").read_text()))
    kb, problems = validate_kb(root)
    assert problems == [] and list(kb.entries) == ["good-law"]
    assert kb.entries["good-law"].line("equations", "eta") == 17


def test_all_errors_are_collected_not_just_the_first(make_kb):
    root = make_kb(copy=BAD[:5] + [CORPUS / "good" / "good-law.yaml"])
    kb, problems = validate_kb(root)
    assert len({p.path for p in problems}) >= 5
    assert "good-law" in kb.entries


def test_duplicate_ids_across_files(make_kb):
    text = (CORPUS / "good" / "good-law.yaml").read_text()
    root = make_kb({"a/good-law.yaml": text, "b/good-law.yaml": text})
    _, problems = validate_kb(root)
    assert [p.code for p in problems] == ["HPG011"]


def test_superseded_by_must_exist(make_kb):
    text = (CORPUS / "good" / "good-law.yaml").read_text().replace(
        "status: stable", "status: superseded\nsuperseded_by: nowhere")
    _, problems = validate_kb(make_kb({"good-law.yaml": text}))
    assert [p.code for p in problems] == ["HPG012"]


def test_broken_registry_is_a_kb_error(make_kb):
    root = make_kb()
    (root / "symbols.yaml").write_text("version: 1\nsymbols:\n  N: {meaning: x}\n")
    from hpguide.core.errors import KBError

    with pytest.raises(KBError, match="registry"):
        validate_kb(root)


def test_stale_committed_schema_is_reported(tmp_path):
    import shutil

    from ..conftest import KB

    shutil.copytree(KB, tmp_path / "heuristics")
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "entry.schema.json").write_text("{}\n")
    _, problems = validate_kb(tmp_path / "heuristics")
    assert [p.code for p in problems] == ["HPG040"]


def test_diagnostics_carry_file_and_line(make_kb):
    path = CORPUS / "bad" / "example-mismatch.yaml"
    _, problems = validate_kb(make_kb(copy=[path]))
    (problem,) = problems
    line = path.read_text().splitlines()[problem.line - 1]
    assert "eta" in line  # the line of the expected value
    assert str(problem).startswith(f"{problem.path}:{problem.line}: HPG030 ")


def test_huge_formulas_are_rejected(make_kb):
    text = (CORPUS / "good" / "good-law.yaml").read_text()
    ten_mb = text.replace("eta: c * N**(-0.5)", "eta: " + "N+" * (5 * 1024 * 1024) + "N")
    long_formula = text.replace("eta: c * N**(-0.5)", "eta: " + "N+" * 2500 + "N")
    many_nodes = text.replace("eta: c * N**(-0.5)", "eta: " + "N+" * 499 + "N")
    root = make_kb({"good-law.yaml": ten_mb})
    _, problems = validate_kb(root)
    assert [p.code for p in problems] == ["HPG001"] and "bytes" in problems[0].message
    _, problems = validate_kb(make_kb({"good-law.yaml": long_formula}))
    assert [p.code for p in problems] == ["HPG006"] and "at most 1000 characters" in problems[0].message
    _, problems = validate_kb(make_kb({"good-law.yaml": many_nodes}))
    assert "HPG020" in {p.code for p in problems} and any("syntax nodes" in p.message for p in problems)
