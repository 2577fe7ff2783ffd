"""Locating and loading the KB."""

from __future__ import annotations

import pytest

from hpguide.core.errors import KBError
from hpguide.kb.load import content_hash, entry_files, load_kb, locate_kb

from ..conftest import KB, ROOT


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
