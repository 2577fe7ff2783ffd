"""`hpguide new`: the scaffold is rejected until filled, and is a valid entry once it is."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from hpguide.core.errors import FormulaError, UsageError
from hpguide.core.yamlio import load_yaml_text
from hpguide.kb.scaffold import (
    PLACEHOLDER,
    SCHEMA_COMMENT,
    collect_fields,
    find_placeholders,
    scaffold_text,
    write_new_entry,
)
from hpguide.kb.validate import validate_kb

from ..conftest import CORPUS, KB
from ..helpers import assert_clean_error, run

SYMBOLS = frozenset(load_yaml_text((KB / "symbols.yaml").read_text())[0].data["symbols"])
FLAGS = {"id": "test-2025-lr", "kind": "law", "topic": "learning-rate", "title": "A test LR law",
         "arxiv": "2001.08361", "equation": ["eta = c * N**(-0.5)"]}
TODAY = dt.date(2026, 11, 23)

#: What a contributor writes in place of each TODO (in the order they appear), giving good-law.yaml's entry.
FILLED = {
    "summary": "A small law used by the test corpus; the variants below break it.",
    "title": '"A source"', "First Author": '"Some Author"', "year": "2020", "locator of the numbers": '"Eq. 1"',
    "the number": "0.5", "locator of this number": '"Eq. 1"', "low": "1.0e6", "high": "1.0e12",
    "value": ["1.0e6", "5.0e-4"], "the table or figure": '"Table 1"',
}


def fill(text: str) -> str:
    """Replace every TODO of a scaffold of FLAGS with real values."""
    text = re.sub(r"  TODO: what it says.*?\n(  \S.*\n)*", f"  {FILLED['summary']}\n", text)
    text = text.replace('"TODO: the title as published"', FILLED["title"])
    values = iter(FILLED["value"])
    text = re.sub(r'"TODO: value"', lambda _: next(values), text)
    for key, value in FILLED.items():
        if isinstance(value, str) and key not in ("summary", "title"):
            text = re.sub(rf'"TODO: {re.escape(key)}[^"]*"', value, text)
    return text


def test_flags_give_the_facts():
    new = collect_fields(FLAGS, SYMBOLS)
    assert (new.id, new.kind, new.topic, new.arxiv) == ("test-2025-lr", "law", "learning-rate", "2001.08361")
    assert new.equations == (("eta", "c * N**(-0.5)"),)


def test_missing_flags_without_a_terminal_name_every_missing_flag():
    with pytest.raises(UsageError, match=r"missing --kind, --arxiv, --equation \(stdin is not a terminal"):
        collect_fields({"id": "x", "topic": "t", "title": "A title"}, SYMBOLS)


def test_recipe_needs_no_equation():
    new = collect_fields({**FLAGS, "kind": "recipe", "equation": []}, SYMBOLS)
    text = scaffold_text(new, SYMBOLS, TODAY)
    assert "table:" in text and "equations:" not in text


@pytest.mark.parametrize("flag, value, message", [
    ("id", "Bad_Id", "lowercase words joined by '-'"),
    ("kind", "lawful", "choose one of definition, law"),
    ("topic", "learning rate", "lowercase words"),
    ("title", "ab", "3 to 120 characters"),
    ("arxiv", "24010.2954", "give the arXiv id"),
    ("equation", ["eta c*N"], "write OUTPUT=EXPRESSION"),
    ("equation", ["etaa = c*N"], "not a registered symbol (did you mean 'eta'?)"),
    ("equation", ["eta = c*N", "eta = 2*c*N"], "one equation per output"),
])
def test_bad_flags_are_usage_errors(flag, value, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        collect_fields({**FLAGS, flag: value}, SYMBOLS)


def test_unsafe_equation_is_refused_by_the_formula_engine():
    with pytest.raises(FormulaError, match="only calls of plain function names are allowed"):
        collect_fields({**FLAGS, "equation": ["eta = __import__('os').system('true')"]}, SYMBOLS)
    with pytest.raises(FormulaError, match="name '__import__' is not allowed"):
        collect_fields({**FLAGS, "equation": ["eta = __import__"]}, SYMBOLS)


def test_interactive_answers_are_checked_and_asked_again(capsys):
    answers = iter(["test-2025-lr", "lawful", "law", "learning-rate", "A test LR law", "arXiv:2001.08361",
                    "eta = c * N**(-0.5) +", "eta = c * N**(-0.5)", ""])
    prompts = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    new = collect_fields({}, SYMBOLS, ask=ask)
    assert new == collect_fields(FLAGS, SYMBOLS)
    assert len(prompts) == 9 and prompts[1] == prompts[2] and prompts[1].startswith("kind (")
    said = capsys.readouterr().out
    assert "choose one of" in said and "invalid syntax" in said


def test_end_of_input_while_asking_is_a_usage_error():
    def ask(prompt: str) -> str:
        raise EOFError

    with pytest.raises(UsageError, match="no answer for --id"):
        collect_fields({}, SYMBOLS, ask=ask)


def test_scaffold_has_the_schema_line_and_reads_safely():
    text = scaffold_text(collect_fields(FLAGS, SYMBOLS), SYMBOLS, TODAY)
    assert text.splitlines()[0] == SCHEMA_COMMENT
    loaded, problems = load_yaml_text(text)
    assert problems == []
    assert loaded.data["constants"]["c"]["value"].startswith(PLACEHOLDER)
    assert loaded.data["validity"] == {"N": ["TODO: low", "TODO: high"]}
    assert loaded.data["changelog"] == [{"version": 1, "date": TODAY, "change": "first version"}]


def test_validate_rejects_every_placeholder_and_only_that(make_kb):
    root = make_kb()
    path = write_new_entry(root, collect_fields(FLAGS, SYMBOLS), SYMBOLS, TODAY)
    assert path == root / "learning-rate" / "test-2025-lr.yaml"
    _, problems = validate_kb(root)
    text = path.read_text()
    assert {p.code for p in problems} == {"HPG007"}
    assert len(problems) == text.count(PLACEHOLDER) - 2  # the header comments mention TODO twice
    lines = text.splitlines()
    for problem in problems:  # the line of the value (or of its key, for a folded block)
        assert PLACEHOLDER in lines[problem.line - 1] + lines[problem.line]
        assert "fill it in from the source" in problem.message


def test_a_filled_in_scaffold_is_a_valid_entry(make_kb):
    root = make_kb()
    path = write_new_entry(root, collect_fields(FLAGS, SYMBOLS), SYMBOLS, TODAY)
    path.write_text(fill(path.read_text()))
    kb, problems = validate_kb(root)
    assert problems == [], [str(p) for p in problems]
    good = load_yaml_text((CORPUS / "good" / "good-law.yaml").read_text())[0].data
    mine = kb.entries["test-2025-lr"].yaml.data
    assert mine["constants"] == good["constants"] and mine["validity"] == good["validity"]
    def pairs(entry):
        return [(e["given"], e["expect"]) for e in entry["examples"]]

    assert pairs(mine) == pairs(good)


def test_find_placeholders_walks_everything():
    data = {"a": ["x", {"b": "  TODO: b"}], "c": 1, "d": "not TODO"}
    assert find_placeholders(data) == [(("a", 1, "b"), "  TODO: b")]


def test_never_overwrites_and_never_reuses_an_id(make_kb):
    root = make_kb(copy=[CORPUS / "good" / "good-law.yaml"])
    new = collect_fields(FLAGS, SYMBOLS)
    write_new_entry(root, new, SYMBOLS)
    with pytest.raises(UsageError, match="already used by"):
        write_new_entry(root, new, SYMBOLS)
    with pytest.raises(UsageError, match="ids are never reused"):
        write_new_entry(root, collect_fields({**FLAGS, "id": "good-law", "topic": "other"}, SYMBOLS), SYMBOLS)


def test_cli_new_writes_the_file_and_refuses_to_overwrite(make_kb):
    root = make_kb()
    args = ["new", "--kb", str(root), "--id", "test-2025-lr", "--kind", "law", "--topic", "learning-rate",
            "--title", "A test LR law", "--arxiv", "2001.08361", "--equation", "eta=c*N**(-0.5)"]
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    assert (root / "learning-rate" / "test-2025-lr.yaml").is_file() and "wrote " in proc.stdout
    again = run(*args)
    assert_clean_error(again, 2)
    assert "already used by" in again.stderr


def test_cli_new_without_a_terminal_and_flags_exits_2(make_kb):
    proc = run("new", "--kb", str(make_kb()), "--id", "test-2025-lr")
    assert_clean_error(proc, 2)
    assert "missing --kind" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_cli_new_never_writes_over_what_is_at_the_path(make_kb):
    root = make_kb()
    (root / "learning-rate" / "test-2025-lr.yaml").mkdir(parents=True)  # not an entry file, but in the way
    proc = run("new", "--kb", str(root), "--id", "test-2025-lr", "--kind", "law", "--topic", "learning-rate",
               "--title", "A test LR law", "--arxiv", "2001.08361", "--equation", "eta=c*N**(-0.5)")
    assert_clean_error(proc, 2)
    assert "is a directory" in proc.stderr and (root / "learning-rate" / "test-2025-lr.yaml").is_dir()
