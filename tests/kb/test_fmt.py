"""`hpguide fmt`: key order and number formatting, comments kept, values never changed, idempotent."""

from __future__ import annotations

import math
import os
import re
import stat
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hpguide.core.yamlio import load_yaml_text
from hpguide.kb.fmt import FormatError, entry_problem, files_to_format, format_file, format_text, normalise_float
from hpguide.kb.load import entry_files

from ..conftest import CORPUS, KB
from ..helpers import assert_clean_error, run

KB_FILES = entry_files(KB)

MESSY = """\
# yaml-language-server: $schema=../../schema/entry.schema.json
# a comment on top
changelog:
  - {date: 2026-11-23, change: first version, version: 1}   # eol on changelog
title: A test law
id: good-law
kind: law
status: stable
version: 1
topics: [testing]
summary: A small law used by the test corpus; the variants below break it.
equations:
  eta: c * N**(-0.5)  # the law
constants:
  # a comment inside constants
  c: {where: "Eq. 1", value: 5.0E-1}
sources:
  - where: "Eq. 1"
    title: A source
    arxiv: "2001.08361"
    year: 2020
    authors: [Some Author]
validity:
  N: [1000000.0, 1e12]
examples:
  - rel_tol: .001
    where: "Table 1"
    given: {N: 1.0e+6}
    expect: {eta: 0.0005000}
"""


def comments(text: str) -> list[str]:
    return sorted(part.split("#", 1)[1].strip() for part in text.splitlines() if "#" in part)


@pytest.mark.parametrize("text, expected", [
    ("1e6", "1e6"), ("1.0e+6", "1.0e6"), ("1E6", "1e6"), ("1e006", "1e6"), ("1.40e18", "1.40e18"),
    ("-3.0e-4", "-3.0e-4"), ("2e12", "2e12"), ("0.6e-4", "6e-5"), ("1.26e25", "1.26e25"), ("300e9", "3.00e11"),
    (".5", "0.5"), ("0.1250", "0.1250"), ("0.33917", "0.33917"), ("0.0001395", "1.395e-4"), ("0.001", "0.001"),
    ("999.5", "999.5"), ("2085.43420", "2.08543420e3"), ("1_000.5", "1.0005e3"),
    # zeros written after the point are significant: nothing is dropped, nothing added
    ("1000.0", "1.0000e3"), ("1000000.0", "1.0000000e6"), ("100.", "1.00e2"), ("5.", "5e0"), ("2.5e1", "2.5e1"),
    ("1e-2", "0.01"), ("1.0e-2", "0.010"),
    ("0.0", "0.0"), ("-0.0", "-0.0"), ("0e5", "0.0"), ("0.000", "0.000"),
])
def test_normalise_float(text, expected):
    assert normalise_float(text) == expected


@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["repr", "e", "E+", "f"]))
def test_normalise_float_never_changes_the_value(value, style):
    text = {"repr": repr(value), "e": f"{value:e}", "E+": f"{value:E}", "f": f"{value:.20f}"}[style]
    out = normalise_float(text)
    assert Decimal(out) == Decimal(text) and float(out) == float(text)
    assert normalise_float(out) == out
    loaded, problems = load_yaml_text(f"x: {out}\n")
    assert problems == [] and isinstance(loaded.data["x"], float) and math.isclose(loaded.data["x"], float(text))


def significant_digits(text: str) -> int:
    """The significant digits of a written decimal number, counted by hand (the oracle; no Decimal)."""
    match = re.fullmatch(r"[+-]?([0-9_]*)(?:\.([0-9_]*))?(?:[eE][+-]?[0-9]+)?", text)
    assert match, text
    return len((match.group(1) + (match.group(2) or "")).replace("_", "").lstrip("0"))


def test_significant_digits_oracle():
    assert [significant_digits(t) for t in ("2e12", "0.6e-4", "1.26e25", "0.33917", "0.1250", "1000000.0", "0.0",
                                            "300e9", "100.", "1_0.0_1")] == [1, 1, 3, 5, 4, 8, 0, 3, 3, 4]


_digits = st.text("0123456789", min_size=1, max_size=6)
_grouped = st.lists(_digits, min_size=1, max_size=3).map("_".join)  # YAML 1.1-style 1_000 grouping
_written_number = st.builds(
    lambda sign, whole, point, frac, exp: f"{sign}{whole}{point}{frac}{exp}",
    st.sampled_from(["", "-", "+"]), st.one_of(_digits, _grouped, st.just("")),
    st.sampled_from([".", ""]), st.one_of(st.just(""), _digits),
    st.one_of(st.just(""), st.builds(lambda e, s, d: f"{e}{s}{d}", st.sampled_from("eE"),
                                     st.sampled_from(["", "+", "-"]), st.text("0123456789", min_size=1, max_size=3))),
)


@settings(max_examples=500, deadline=None)
@given(_written_number)
def test_fmt_keeps_every_written_number_and_its_significant_digits(text):
    """For any float as an entry file writes it, fmt's spelling parses to the same float and shows
    exactly as many significant digits (nothing added, nothing dropped), in a mapping and in a list."""
    loaded, problems = load_yaml_text(f"x: {text}\n")
    assume(problems == [] and isinstance(loaded.data["x"], float))  # an int or a string is not a float
    out = format_text(f"a: {text}\nb: [{text}, {text}]\n")
    assert load_yaml_text(out)[0].data == {"a": loaded.data["x"], "b": [loaded.data["x"]] * 2}
    written = re.fullmatch(r"a: (\S+)\nb: \[(\S+), (\S+)\]\n", out)
    assert written, out
    for spelling in written.groups():
        assert float(spelling) == float(text.replace("_", ""))
        assert significant_digits(spelling) == significant_digits(text), (text, spelling)
    assert format_text(out) == out


def test_underscored_floats_keep_their_digits():
    # ruamel.yaml rebuilds 1_0.0_1 as 010.010 (one digit more); fmt takes the digits from the text
    assert format_text("x: 1_0.0_1\n") == "x: 10.01\n"


def test_only_numbers_out_of_form_make_check_fail_and_the_file_is_left_alone(make_kb):
    text = format_text(MESSY).replace("{N: 1.0e6}", "{N: 0.10e7}")
    root = make_kb({"t/good-law.yaml": text})
    path = root / "t" / "good-law.yaml"
    check = run("fmt", "--check", str(path))
    assert check.returncode == 1 and "would reformat" in check.stdout and path.read_text() == text
    assert run("fmt", str(path)).returncode == 0 and "{N: 1.0e6}" in path.read_text()
    assert run("fmt", "--check", str(path)).returncode == 0


def test_messy_entry_is_ordered_normalised_and_keeps_its_comments(make_kb):
    out = format_text(MESSY)
    assert comments(out) == comments(MESSY)
    assert out.startswith("# yaml-language-server: $schema=../../schema/entry.schema.json\n# a comment on top\nid:")
    keys = [line.split(":")[0] for line in out.splitlines() if line and line[0].isalpha()]
    assert keys == ["id", "version", "status", "kind", "title", "topics", "summary", "sources", "constants",
                    "equations", "validity", "examples", "changelog"]
    assert "c: {value: 0.50, where: \"Eq. 1\"}" in out  # 5.0E-1 has two significant digits
    assert "N: [1.0000000e6, 1e12]" in out and "given: {N: 1.0e6}" in out and "expect: {eta: 5.000e-4}" in out
    assert "{version: 1, date: 2026-11-23, change: first version}" in out
    assert "  - arxiv: \"2001.08361\"\n    title: A source\n    authors: [Some Author]\n    year: 2020\n" in out
    assert load_yaml_text(out)[0].data == load_yaml_text(MESSY)[0].data
    assert format_text(out) == out


@pytest.mark.parametrize("path", KB_FILES, ids=[p.stem for p in KB_FILES])
def test_every_kb_entry_formats_idempotently_without_changing_data_or_comments(path):
    text = path.read_text(encoding="utf-8")
    once = format_text(text, str(path))
    assert format_text(once) == once
    assert load_yaml_text(once)[0].data == load_yaml_text(text)[0].data
    assert comments(once) == comments(text)


def test_the_shipped_kb_is_formatted():
    """What .ci/run runs: an entry committed without `hpguide fmt` fails here, with its name."""
    proc = run("fmt", "--check", "--kb", str(KB))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(KB_FILES)} file(s) checked, 0 would be reformatted" in proc.stdout


def test_crlf_and_bom_are_normalised():
    text = (CORPUS / "good" / "good-law.yaml").read_text()
    assert format_text("\ufeff" + text.replace("\n", "\r\n")) == format_text(text)


@pytest.mark.parametrize("name", ["python-tag", "billion-laughs", "duplicate-key", "yaml-syntax"])
def test_files_the_safe_loader_refuses_are_not_formatted(name):
    path = CORPUS / "bad" / f"{name}.yaml"
    with pytest.raises(FormatError, match="fmt only formats files hpguide can read"):
        format_text(path.read_text(), str(path))


def test_format_file_check_and_write(tmp_path):
    path = tmp_path / "good-law.yaml"  # the id of MESSY: fmt formats entry files only
    path.write_text(MESSY)
    assert format_file(path, check=True) is True and path.read_text() == MESSY
    assert format_file(path) is True and path.read_text() == format_text(MESSY)
    assert format_file(path, check=True) is False


def test_bad_paths(tmp_path):
    (tmp_path / "latin1.yaml").write_bytes("title: l\xe4w\n".encode("latin-1"))
    with pytest.raises(FormatError, match="not UTF-8"):
        format_file(tmp_path / "latin1.yaml")
    with pytest.raises(FormatError, match="is a directory"):
        format_file(tmp_path)
    with pytest.raises(FormatError, match="no such file"):
        files_to_format([str(tmp_path / "missing.yaml")])
    assert files_to_format([str(tmp_path)]) == [tmp_path / "latin1.yaml"]


def test_cli_fmt_check_then_fix(make_kb):
    root = make_kb({"t/good-law.yaml": MESSY})
    check = run("fmt", "--kb", str(root), "--check")
    assert check.returncode == 1 and "would reformat" in check.stdout
    fix = run("fmt", "--kb", str(root))
    assert fix.returncode == 0 and "reformatted" in fix.stdout
    assert run("fmt", "--check", str(root / "t")).returncode == 0


def test_cli_fmt_unreadable_file_exits_2(tmp_path):
    (tmp_path / "bad.yaml").write_text("a: !!python/object:os.system x\n")
    proc = run("fmt", str(tmp_path / "bad.yaml"))
    assert_clean_error(proc, 2)
    assert "HPG003" in proc.stderr


# --------------------------------------------------------------------------- which files fmt writes, and how

PASSWD = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"


def test_cli_fmt_refuses_a_file_that_is_not_an_entry(tmp_path):
    passwd = tmp_path / "passwd"
    passwd.write_text(PASSWD)  # YAML reads it (one plain scalar), which used to be enough to rewrite it
    settings_file = tmp_path / "settings.yaml"
    settings_file.write_text("b: 1\na:   2\n")
    for path in (passwd, settings_file):
        proc = run("fmt", str(path))
        assert_clean_error(proc, 2)
        assert "is not an entry file" in proc.stderr and "--force" in proc.stderr and "reformatted " not in proc.stdout
    assert passwd.read_text() == PASSWD and settings_file.read_text() == "b: 1\na:   2\n"


def test_cli_fmt_force_formats_a_named_yaml_file(tmp_path):
    path = tmp_path / "settings.yaml"
    path.write_text("b: 1.0E+6\na:   2\n")
    path.chmod(0o640)
    proc = run("fmt", "--force", str(path))
    assert proc.returncode == 0, proc.stderr
    assert path.read_text() == "b: 1.0e6\na: 2\n" and stat.S_IMODE(path.stat().st_mode) == 0o640


def test_force_does_not_extend_to_files_found_in_a_directory(tmp_path):
    (tmp_path / "settings.yaml").write_text("b: 1\na:   2\n")
    proc = run("fmt", "--force", str(tmp_path))
    assert_clean_error(proc, 2)
    assert (tmp_path / "settings.yaml").read_text() == "b: 1\na:   2\n"


def test_cli_fmt_kb_never_writes_through_a_symlink_out_of_the_kb(make_kb, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "good-law.yaml").write_text(MESSY)  # an entry-shaped file somewhere else
    root = make_kb({"t/other.yaml": MESSY.replace("id: good-law", "id: other")})
    (root / "t" / "good-law.yaml").symlink_to(outside / "good-law.yaml")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    proc = run("fmt", "--kb", str(root))
    assert_clean_error(proc, 2)
    assert "is a symlink" in proc.stderr and "reformatted " + str(root / "t" / "other.yaml") in proc.stdout
    assert (outside / "good-law.yaml").read_text() == MESSY  # neither through the file link nor the folder link
    assert (root / "t" / "good-law.yaml").is_symlink()
    for args in (("--force", str(root / "t" / "good-law.yaml")), ("--force", str(root / "linked"))):
        proc = run("fmt", *args)
        assert_clean_error(proc, 2)
        assert "is a symlink" in proc.stderr
    assert (outside / "good-law.yaml").read_text() == MESSY


def test_format_file_refuses_fifos_and_replaces_files_atomically(tmp_path):
    fifo = tmp_path / "good-law.yaml"
    os.mkfifo(fifo)
    with pytest.raises(FormatError, match="not a regular file"):
        format_file(fifo)  # reading it would block forever
    fifo.unlink()
    path = tmp_path / "good-law.yaml"
    path.write_text(MESSY)
    other = tmp_path / "hard-link.yaml"
    os.link(path, other)
    assert format_file(path) is True
    assert path.read_text() == format_text(MESSY) and other.read_text() == MESSY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good-law.yaml", "hard-link.yaml"]


@pytest.mark.parametrize("text, why", [
    (PASSWD, "not a YAML mapping"),
    ("id: other\nkind: law\n", "its id is not 'good-law'"),
    ("id: good-law\nkind: lawful\n", "its kind is not one of"),
    ("id: good-law\n", "its kind is not one of"),
])
def test_what_is_not_an_entry_file(tmp_path, text, why):
    path = tmp_path / "good-law.yaml"
    path.write_text(text)
    with pytest.raises(FormatError, match=why):
        format_file(path)
    assert path.read_text() == text
    assert entry_problem(MESSY, path) is None
