"""Locating and loading the KB."""

from __future__ import annotations

import pytest

from hpguide.core.errors import KBError
from hpguide.kb.load import content_hash, entry_files, load_kb, locate_kb

from ..conftest import CORPUS, KB, ROOT
from ..helpers import run


def test_locate_prefers_explicit_then_env(tmp_path, monkeypatch):
    monkeypatch.setenv("HPGUIDE_KB", str(KB))
    assert locate_kb() == KB
    with pytest.raises(KBError, match="--kb"):
        locate_kb(tmp_path / "nowhere")
    monkeypatch.setenv("HPGUIDE_KB", str(tmp_path))
    with pytest.raises(KBError, match="HPGUIDE_KB"):
        locate_kb()


def test_locate_finds_the_checkout_from_a_subdirectory(monkeypatch):
    monkeypatch.delenv("HPGUIDE_KB", raising=False)
    monkeypatch.chdir(ROOT / "tests")
    assert locate_kb().resolve() == KB.resolve()


def test_registry_and_release_are_not_entries():
    names = {p.name for p in entry_files(KB)}
    assert "symbols.yaml" not in names and "kb.yaml" not in names


def test_version_changes_with_content(make_kb):
    from ..conftest import CORPUS

    root = make_kb(copy=[CORPUS / "good" / "good-law.yaml"])
    before = content_hash(root)
    (root / "good-law.yaml").write_text((root / "good-law.yaml").read_text() + "\n")
    assert content_hash(root) != before
    kb = load_kb(root)
    assert kb.release == "unreleased" and kb.version.startswith("unreleased+")


def test_shipped_release():
    assert load_kb(KB).release == "0.1.0"


HOSTILE_RELEASE = 'release: "0.1.0\\nimport os; os.system(\'id\')"\n'


@pytest.mark.parametrize("text, line, code, fragment", [
    (HOSTILE_RELEASE, 1, "HPG014", "release: write a version such as 0.1.0"),
    ("release: 0.1.0\ncommand: [sh, -c, id]\n", 2, "HPG014", "unknown key 'command'"),
    ("release: 0.1\n", 1, "HPG014", "valid string"),
    ("- 0.1.0\n", 1, "HPG014", "a mapping with one key, release"),
    ("# no release\n{}\n", 2, "HPG014", "missing required key 'release'"),
    ("release: !!python/name:builtins.exec x\n", 1, "HPG003", "tag"),
    ("release: 0.1.0\nrelease: 0.2.0\n", 2, "HPG002", "release"),
])
def test_an_invalid_release_file_makes_the_kb_invalid_and_never_reaches_output(make_kb, text, line, code, fragment):
    root = make_kb({"kb.yaml": text}, copy=[CORPUS / "good" / "good-law.yaml"])
    kb = load_kb(root)
    [problem] = kb.diagnostics
    assert (problem.path.endswith("kb.yaml"), problem.line, problem.code) == (True, line, code)
    assert fragment in problem.message and "os.system" not in problem.message
    assert kb.release == "invalid" and kb.version.startswith("invalid+")


def test_validate_reports_the_release_file(make_kb):
    root = make_kb({"kb.yaml": HOSTILE_RELEASE}, copy=[CORPUS / "good" / "good-law.yaml"])
    proc = run("validate", "--kb", str(root))
    assert proc.returncode == 1, proc.stderr
    assert "kb.yaml:1: HPG014 release: write a version" in proc.stdout and "os.system" not in proc.stdout
    good = make_kb({"kb.yaml": "release: 1.2.0-rc.1\n"})
    assert load_kb(good).release == "1.2.0-rc.1" and load_kb(good).diagnostics == []
