"""Versioning rules against a git revision (HPG050-052), `hpguide diff` and the changelog, in a throw-away repo."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from hpguide.core.errors import UsageError
from hpguide.kb.load import load_kb
from hpguide.kb.versioning import (
    changelog_markdown,
    check_against,
    extract_kb,
    kb_files_at,
    meaning_changes,
)
from hpguide.resolver.kbdiff import diff_revisions

from ..conftest import CORPUS, KB
from ..helpers import assert_clean_error, run

GOOD = (CORPUS / "good" / "good-law.yaml").read_text()


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    """A git repo whose heuristics/ holds the registry, kb.yaml and good-law (committed as the base)."""
    kb = tmp_path / "heuristics"
    (kb / "testing").mkdir(parents=True)
    shutil.copy(KB / "symbols.yaml", kb / "symbols.yaml")
    (kb / "kb.yaml").write_text("release: 1.0.0\n")
    (kb / "testing" / "good-law.yaml").write_text(GOOD)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    return kb


def law(kb):
    return kb / "testing" / "good-law.yaml"


def edit(kb, old, new, bump=False):
    text = law(kb).read_text().replace(old, new)
    if bump:
        text = text.replace("version: 1\n", "version: 2\n").replace(
            "change: first version}", "change: first version}\n  - {version: 2, date: 2026-12-01, change: refit}")
    law(kb).write_text(text)


def codes(kb, rev="HEAD"):
    return [d.code for d in check_against(kb, rev)]


def test_unchanged_kb_is_clean(repo):
    assert codes(repo) == []


@pytest.mark.parametrize("old, new", [
    ("value: 0.5", "value: 0.25"),
    ("eta: c * N**(-0.5)", "eta: c * N**(-0.25)"),
    ("N: [1.0e6, 1.0e12]", "N: [1.0e6, 1.0e13]"),
    ("status: stable", "status: disputed\nstatus_note: the refit disagrees"),
])
def test_a_change_of_meaning_needs_a_version_bump(repo, old, new):
    edit(repo, old, new)
    (problem,) = check_against(repo, "HEAD")
    assert problem.code == "HPG050" and "set version: 2" in problem.message
    assert problem.path.endswith("good-law.yaml") and problem.line > 1
    edit(repo, "version: 1\n", "version: 1\n", bump=True)
    assert codes(repo) == []


def test_a_new_locator_or_summary_is_not_a_change_of_meaning(repo):
    edit(repo, 'where: "Eq. 1"}', 'where: "Eq. 1, p. 3"}')
    edit(repo, "summary: A small law", "summary: A small, clearer law")
    assert codes(repo) == []


def test_meaning_changes_names_what_changed():
    old = {"constants": {"c": {"value": 0.5, "where": "x"}}, "status": "stable"}
    new = {"constants": {"c": {"value": 0.25, "where": "y"}, "d": {"value": 1.0}}, "status": "withdrawn"}
    assert meaning_changes(old, new) == ["status stable -> withdrawn", "constants.c 0.5 -> 0.25",
                                         "constants.d (none) -> 1"]


def test_removed_id(repo):
    law(repo).unlink()
    (problem,) = check_against(repo, "HEAD")
    assert problem.code == "HPG051"
    assert problem.path == "HEAD:heuristics/testing/good-law.yaml" and problem.line == 1
    assert "status: withdrawn" in problem.message


def test_moving_an_entry_to_another_topic_is_not_a_removal(repo):
    (repo / "other").mkdir()
    law(repo).rename(repo / "other" / "good-law.yaml")
    assert codes(repo) == []


def test_withdrawing_keeps_the_id(repo):
    edit(repo, "status: stable", "status: withdrawn\nstatus_note: the source retracted it", bump=True)
    assert codes(repo) == []


def test_reused_id(repo):
    # deleted and re-created as another entry under the same id: a new history
    law(repo).write_text(GOOD.replace("date: 2026-11-23", "date: 2027-01-01").replace("value: 0.5", "value: 0.7")
                         .replace("eta: 5.0e-4", "eta: 7.0e-4"))
    (problem,) = check_against(repo, "HEAD")
    assert problem.code == "HPG052" and "an id is never reused" in problem.message


def test_version_going_down_is_reuse(repo):
    edit(repo, "version: 1\n", "version: 1\n", bump=True)
    git(repo.parent, "commit", "-qam", "v2")
    law(repo).write_text(GOOD)
    assert codes(repo) == ["HPG052"]


def test_bad_revisions_and_places(repo, tmp_path_factory):
    with pytest.raises(UsageError, match="unknown git revision 'nope'"):
        check_against(repo, "nope")
    with pytest.raises(UsageError, match="is not a git revision"):
        check_against(repo, "--output=/tmp/x")
    outside = tmp_path_factory.mktemp("plain")
    shutil.copy(KB / "symbols.yaml", outside / "symbols.yaml")
    with pytest.raises(UsageError, match="not inside a git checkout"):
        check_against(outside, "HEAD")


def test_files_and_extraction(repo, tmp_path):
    files = kb_files_at(repo, "HEAD")
    assert sorted(files) == ["kb.yaml", "symbols.yaml", "testing/good-law.yaml"]
    assert files["testing/good-law.yaml"].decode() == GOOD
    out = extract_kb(repo, "HEAD", tmp_path / "x")
    assert (out / "testing" / "good-law.yaml").read_text() == GOOD


def test_diff_reports_keys_constants_and_the_effect_on_standard_queries(repo):
    edit(repo, "value: 0.5", "value: 0.25", bump=True)
    (repo / "testing" / "new-law.yaml").write_text(GOOD.replace("id: good-law", "id: new-law"))
    git(repo.parent, "add", ".")
    git(repo.parent, "commit", "-qm", "refit")
    diff = diff_revisions(repo, "HEAD~1", "HEAD")
    changes = {c.id: c for c in diff.entries}
    assert changes["new-law"].change == "added"
    refit = changes["good-law"]
    assert (refit.old_version, refit.new_version) == (1, 2)
    assert refit.constants == [("c", 0.5, 0.25)] and set(refit.keys_changed) == {"version", "constants", "changelog"}
    moved = [e for e in diff.effects if e.entry == "good-law" and e.query == "7B/1T"]
    (effect,) = moved
    assert effect.symbol == "eta" and effect.new == pytest.approx(effect.old / 2)
    assert effect.old == pytest.approx(0.5 * 7e9 ** -0.5)
    assert any(e.entry == "new-law" and e.old is None for e in diff.effects)
    assert diff.old_release == diff.new_release == "1.0.0"


def test_cli_diff_and_validate_messages(repo):
    edit(repo, "value: 0.5", "value: 0.25")
    proc = run("diff", "HEAD", "--kb", str(repo))
    assert proc.returncode == 0, proc.stderr
    assert "constant c: 0.5 -> 0.25" in proc.stdout
    assert "eta for 7B/1T moved from 5.98e-6 to 2.99e-6 (good-law)" in proc.stdout
    assert_clean_error(run("diff", "nope", "--kb", str(repo)), 2)


def test_changelog_markdown_groups_by_date_newest_first(make_kb):
    v2 = GOOD.replace("version: 1\n", "version: 2\n").replace(
        "change: first version}", "change: first version}\n  - {version: 2, date: 2027-02-01, change: refit <b>}")
    root = make_kb({"a/good-law.yaml": v2, "b/other-law.yaml": GOOD.replace("id: good-law", "id: other-law")})
    (root / "kb.yaml").write_text("release: 2.1.0\n")
    text = changelog_markdown(load_kb(root), link=lambda i: f"entries/{i}.md")
    assert "Release **2.1.0** (2 entries)" in text
    assert text.index("## 2027-02-01") < text.index("## 2026-11-23")
    assert "- [`good-law`](entries/good-law.md) v2: refit &lt;b&gt;" in text
    newest = text.split("## 2026-11-23")[1]
    assert newest.count("first version") == 2
    assert run("changelog", "--kb", str(root)).stdout == changelog_markdown(load_kb(root))


def test_an_already_loaded_kb_gives_the_same_answer(repo):
    edit(repo, "value: 0.5", "value: 0.25")
    (repo / "extra.yaml").write_text(GOOD.replace("id: good-law", "id: extra"))
    assert check_against(None, "HEAD", kb=load_kb(repo)) == check_against(repo, "HEAD")
    assert [d.code for d in check_against(repo, "HEAD")] == ["HPG050"]
