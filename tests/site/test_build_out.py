"""`hpguide site build --out DIR` replaces DIR: only a new, empty or earlier-build directory, never the checkout."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from hpguide.core.errors import UsageError
from hpguide.site import generate
from hpguide.site.generate import SITE_MARKER, SiteBuildError, SiteSources

from ..conftest import CORPUS, KB, ROOT
from ..helpers import assert_clean_error, run


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and directory below ``folder`` (and the digest of each file)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A copy of the parts of a checkout that make it one: pyproject.toml, heuristics/, site/."""
    root = tmp_path_factory.mktemp("checkout")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copy(ROOT / "README.md", root / "README.md")
    shutil.copytree(KB, root / "heuristics")
    shutil.copytree(ROOT / "site", root / "site", ignore=shutil.ignore_patterns("build"))
    return root


@pytest.fixture
def small_kb(tmp_path) -> Path:
    """A KB of a few entries, so that a real build takes seconds."""
    root = tmp_path / "kb"
    root.mkdir()
    shutil.copy(KB / "symbols.yaml", root / "symbols.yaml")
    shutil.copytree(KB / "accounting", root / "accounting")
    (root / "testing").mkdir()
    shutil.copy(CORPUS / "good" / "good-law.yaml", root / "testing" / "good-law.yaml")
    return root


@pytest.mark.parametrize("out, what", [
    (".", "contains the knowledge base"),
    ("..", "contains the knowledge base"),
    ("heuristics", "is the knowledge base"),
    ("heuristics/new-dir", "is inside the knowledge base"),
    ("site", "is the site sources"),
    ("site/docs", "is inside the site's pages"),
    ("site/docs/new-dir", "is inside the site's pages"),
    ("README.md", "is a file"),
    ("link-to-checkout", "(-> "),
])
def test_out_in_a_checkout_is_refused_and_every_file_stays(checkout, out, what):
    link = checkout / "link-to-checkout"
    if not link.is_symlink():
        link.symlink_to(checkout, target_is_directory=True)
    before = snapshot(checkout)
    proc = run("site", "build", "--out", out, cwd=checkout)
    assert_clean_error(proc, 2)
    assert what in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "choose a new or empty directory" in proc.stderr
    assert snapshot(checkout) == before


def test_out_that_contains_the_current_directory_is_refused(checkout, tmp_path):
    work = tmp_path / "work" / "here"
    work.mkdir(parents=True)
    proc = run("site", "build", "--kb", str(checkout / "heuristics"), "--out", str(tmp_path / "work"), cwd=work)
    assert_clean_error(proc, 2)
    assert "contains the current directory" in proc.stderr and work.is_dir()


def test_a_non_empty_directory_that_is_not_a_build_is_refused(small_kb, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work\n")
    (out / ".git").mkdir()
    before = snapshot(out)
    proc = run("site", "build", "--kb", str(small_kb), "--site", str(ROOT / "site"), "--out", str(out), "--no-strict")
    assert_clean_error(proc, 2)
    assert f"not an earlier site build (no {SITE_MARKER} in it)" in proc.stderr
    assert snapshot(out) == before
    (out / SITE_MARKER).mkdir()  # a marker must be a file: a directory of that name proves nothing
    assert_clean_error(run("site", "build", "--kb", str(small_kb), "--site", str(ROOT / "site"), "--out", str(out),
                           "--no-strict"), 2)
    assert (out / "thesis.tex").read_text() == "years of work\n"


def test_a_build_replaces_an_earlier_build_and_marks_itself(small_kb, tmp_path):
    out = tmp_path / "public"
    out.mkdir()
    (out / SITE_MARKER).write_text("{}\n")
    (out / "stale.html").write_text("from an old build\n")
    proc = run("site", "build", "--kb", str(small_kb), "--site", str(ROOT / "site"), "--out", str(out), "--no-strict")
    assert proc.returncode == 0, proc.stderr
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()
    assert (out / "entries" / "good-law" / "index.html").is_file()
    assert '"generator": "hpguide site build"' in (out / SITE_MARKER).read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb", "public"]  # no staging directory left behind
    site = SiteSources(ROOT / "site")
    assert generate.check_out_dir(out, small_kb, site) == out.resolve()  # so the next build may replace it
    (tmp_path / "empty").mkdir()
    assert generate.check_out_dir(tmp_path / "empty", small_kb, site) == (tmp_path / "empty").resolve()


def test_a_failed_build_leaves_the_earlier_one(small_kb, tmp_path, monkeypatch):
    out = tmp_path / "public"
    out.mkdir()
    (out / SITE_MARKER).write_text("{}\n")
    (out / "index.html").write_text("the earlier build\n")
    before = snapshot(out)

    def broken(config):
        Path(config["site_dir"], "index.html").write_text("half a build\n")
        raise RuntimeError("MkDocs fell over")

    monkeypatch.setattr("mkdocs.commands.build.build", broken)
    with pytest.raises(SiteBuildError, match="fell over"):
        generate.build(out, kb_root=small_kb, site=SiteSources(ROOT / "site"), strict=False)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb", "public"]


def test_check_out_dir_allows_the_default_inside_the_site_sources(checkout):
    site = SiteSources(checkout / "site")
    kb = checkout / "heuristics"
    assert generate.check_out_dir(checkout / "site" / "build", kb, site) == (checkout / "site" / "build").resolve()
    with pytest.raises(UsageError, match="is the knowledge base"):
        generate.check_out_dir(kb, kb, site)
