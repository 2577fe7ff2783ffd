"""The one way hpguide writes a file a user named: no overwrite unasked, no write through a link, atomic."""

from __future__ import annotations

import ast
import os
import stat

import pytest

from hpguide.core import safewrite
from hpguide.core.errors import UsageError
from hpguide.core.safewrite import check_target, single_line, write_file


def leftovers(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def test_a_new_file_gets_the_data_and_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_file(tmp_path / "a.txt", "line\n")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").read_bytes() == b"line\n"
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_an_existing_file_is_kept_without_force(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("mine\n")
    with pytest.raises(UsageError, match="already exists: pass --plot-force to replace it"):
        write_file(path, "new\n", flag="--plot-force")
    with pytest.raises(UsageError, match="already exists and is never overwritten"):
        write_file(path, "new\n", flag=None)
    assert path.read_text() == "mine\n" and leftovers(tmp_path) == []


def test_force_replaces_atomically_keeps_the_mode_and_leaves_hard_links_alone(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("old\n")
    path.chmod(0o600)
    other = tmp_path / "hard-link"
    os.link(path, other)  # e.g. a file someone else linked into a shared directory
    inode = path.stat().st_ino
    write_file(path, b"new\n", force=True)
    assert path.read_text() == "new\n" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.stat().st_ino != inode  # a new file moved into place, not the old one rewritten
    assert other.read_text() == "old\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("force", [False, True])
def test_symlinks_are_refused_even_with_force(tmp_path, force):
    target = tmp_path / "victim.txt"
    target.write_text("precious\n")
    link = tmp_path / "plot.png"
    link.symlink_to(target)
    with pytest.raises(UsageError, match="is a symlink"):
        write_file(link, "x", force=force)
    dangling = tmp_path / "dangling.png"
    dangling.symlink_to(tmp_path / "does-not-exist")
    with pytest.raises(UsageError, match="is a symlink"):
        write_file(dangling, "x", force=force)
    assert target.read_text() == "precious\n" and not (tmp_path / "does-not-exist").exists()
    assert link.is_symlink()


@pytest.mark.parametrize("force", [False, True])
def test_directories_fifos_and_missing_folders_are_refused(tmp_path, force):
    with pytest.raises(UsageError, match="is a directory"):
        write_file(tmp_path, "x", force=force)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        write_file(fifo, "x", force=force)  # would block forever if it were opened
    with pytest.raises(UsageError, match="does not exist"):
        write_file(tmp_path / "no" / "such" / "dir.png", "x", force=force)
    with pytest.raises(UsageError, match="not a file name"):
        check_target("", force)
    assert leftovers(tmp_path) == []


def test_a_file_that_appears_after_the_check_is_not_clobbered(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_text("appeared meanwhile\n")
    monkeypatch.setattr(safewrite, "check_target", lambda *args, **kwargs: None)  # the check ran before it appeared
    with pytest.raises(UsageError, match="already exists"):
        write_file(path, "new\n")
    assert path.read_text() == "appeared meanwhile\n" and leftovers(tmp_path) == []


HOSTILE = ["0.1.0\nimport os; os.system('id')", "a\rimport os", "a\x85b", "a\u2028import os", "a\u2029b",
           "x\x0bimport os", "x\x0cy", "nul\x00", "rtl \u202e gnp.exe", "tab\there", '"""\nos.system("id")\n"""']


@pytest.mark.parametrize("text", HOSTILE)
def test_single_line_cannot_leave_a_comment(text):
    line = single_line(text)
    assert line.isprintable() and "\n" not in line and "\r" not in line
    module = ast.parse(f"# {line}\nx = 1\n")
    assert [type(node) for node in module.body] == [ast.Assign]  # the comment stayed a comment


def test_single_line_keeps_plain_text_and_caps_the_length():
    assert single_line("init_std = init_std_base/sqrt(m_N)") == "init_std = init_std_base/sqrt(m_N)"
    assert single_line("a" * 50, limit=10) == "aaaaaaa..."
