"""Safe YAML reading: no tags, no aliases, no duplicate keys, line numbers kept."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from hpguide.core.yamlio import MAX_FILE_BYTES, load_yaml_file, load_yaml_text


def codes(text: str) -> list[str]:
    return [p.code for p in load_yaml_text(text)[1]]


def test_plain_values_and_lines():
    loaded, problems = load_yaml_text("a: 1\nb:\n  - 1e12\n  - 2026-11-23\n  - yes\n  - null\n  - 0.5\n")
    assert problems == []
    assert loaded.data == {"a": 1, "b": [1e12, datetime.date(2026, 11, 23), "yes", None, 0.5]}
    assert loaded.line_of(("b", 1)) == 4
    assert loaded.line_of(("b", 99)) == 2  # falls back to the nearest parent


def test_python_tags_are_rejected_and_never_constructed(tmp_path):
    sentinel = tmp_path / "pwned"
    text = f'a: !!python/object/apply:os.system ["touch {sentinel}"]\n'
    assert codes(text) == ["HPG003"]
    assert not sentinel.exists()
    assert codes("a: !custom 1\n") == ["HPG003"]


def test_anchors_and_aliases_are_rejected():
    assert codes("a: &x [1]\nb: *x\n") == ["HPG003"]
    bomb = "a: &a [x, x]\n" + "".join(f"l{i}: &l{i} [*{'a' if i == 0 else f'l{i-1}'}]\n" for i in range(20))
    assert codes(bomb) == ["HPG003"]


def test_merge_keys_are_rejected():
    assert "HPG003" in codes("base: &b {x: 1}\nother:\n  <<: *b\n")


def test_duplicate_keys_name_both_lines():
    loaded, problems = load_yaml_text("a: 1\nb: 2\na: 3\n")
    assert loaded is None
    assert problems[0].code == "HPG002" and problems[0].line == 3 and "line 1" in problems[0].message


def test_non_finite_numbers_and_syntax_errors():
    assert codes("a: .inf\n") == ["HPG001"]
    assert codes("a: .nan\n") == ["HPG001"]
    assert codes("a: [\n") == ["HPG001"]
    assert codes("") == ["HPG001"]
    assert codes("a: 1\n---\nb: 2\n") == ["HPG001"]


def test_deep_nesting_is_rejected():
    assert codes("a: " + "[" * 100 + "]" * 100 + "\n") == ["HPG001"]


def test_non_utf8_and_oversized_files(tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("title: caf\xe9\n".encode("latin-1"))
    loaded, problems = load_yaml_file(bad)
    assert loaded is None and problems[0].code == "HPG001" and "UTF-8" in problems[0].message
    big = tmp_path / "big.yaml"
    big.write_text("a: '" + "x" * (MAX_FILE_BYTES + 10) + "'\n")
    assert load_yaml_file(big)[1][0].code == "HPG001"
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    assert load_yaml_file(folder)[1][0].code == "HPG001"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text_never_raises(text):
    loaded, problems = load_yaml_text(text)
    assert (loaded is None) == bool(problems)
