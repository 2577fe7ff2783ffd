"""Scaffolding a new entry (``hpguide new``) and recognising what is left unfilled.

:func:`scaffold_text` writes the YAML of a new entry from a few facts (id,
kind, topic, title, arXiv id, equations). Everything it cannot know (the
summary, the source's title and authors, every number) is written as a
placeholder: a string starting with ``TODO``. :func:`find_placeholders` finds
them again, and the KB loader reports each one as HPG007, so a scaffolded file
is rejected by ``hpguide validate`` with one clear line per gap until the
contributor has filled it in.
"""

from __future__ import annotations

import ast
import datetime as _dt
import difflib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from ..core.errors import FormulaError, HpguideError, UsageError
from ..core.formula import FUNCTIONS, parse
from ..core.schema import ARXIV_PATTERN, ID_PATTERN, Kind
from .placeholders import PLACEHOLDER, SCHEMA_COMMENT, find_placeholders

__all__ = [
    "PLACEHOLDER",
    "SCHEMA_COMMENT",
    "KINDS",
    "NewEntry",
    "find_placeholders",
    "check_field",
    "collect_fields",
    "scaffold_text",
    "write_new_entry",
]

KINDS: tuple[str, ...] = get_args(Kind)

#: The facts ``hpguide new`` needs, in the order it asks for them, with the question.
FIELDS: dict[str, str] = {
    "id": "id (kebab-case, author-year-topic, e.g. deepseek-2024-lr-batch)",
    "kind": f"kind ({', '.join(KINDS)})",
    "topic": "topic (the folder under heuristics/, e.g. learning-rate)",
    "title": "title (one line)",
    "arxiv": "arXiv id of the source (e.g. 2401.02954)",
    "equation": "equation OUTPUT=EXPRESSION (e.g. eta=c*N**(-a)); empty when done",
}


@dataclass(frozen=True)
class NewEntry:
    """The facts a scaffold is written from (already checked)."""

    id: str
    kind: str
    topic: str
    title: str
    arxiv: str
    equations: tuple[tuple[str, str], ...] = ()


def _equation(text: str, symbols: Iterable[str]) -> tuple[str, str]:
    output, sep, expression = text.partition("=")
    output, expression = output.strip(), expression.strip()
    if not sep or not output or not expression:
        raise UsageError(f"--equation {text!r}: write OUTPUT=EXPRESSION, e.g. --equation 'eta=c*N**(-a)'")
    known = sorted(symbols)
    if output not in known:
        close = difflib.get_close_matches(output, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else " (add it to heuristics/symbols.yaml first)"
        raise UsageError(f"--equation {text!r}: the output {output!r} is not a registered symbol{hint}")
    try:
        parse(expression)
    except FormulaError as exc:  # keep the caret display, say which flag it was
        raise FormulaError(f"--equation {text!r}: {exc.reason}", exc.source, exc.span) from None
    return output, expression


def _names(expression: str) -> list[str]:
    """Names an (already parsed, so safe) expression uses, in order of first use, functions excluded."""
    found = sorted((node.col_offset, node.id) for node in ast.walk(ast.parse(expression, mode="eval"))
                   if isinstance(node, ast.Name) and node.id not in FUNCTIONS)
    return list(dict.fromkeys(name for _, name in found))


def check_field(name: str, value: str, symbols: Iterable[str] = ()) -> Any:
    """Check one answer or flag value; returns it cleaned, raises UsageError saying what to write."""
    value = value.strip()
    if name in ("id", "topic"):
        if not re.match(ID_PATTERN, value) or len(value) > 80:
            raise UsageError(f"--{name} {value!r}: use lowercase words joined by '-' (e.g. deepseek-2024-lr-batch)")
    elif name == "kind":
        if value not in KINDS:
            raise UsageError(f"--kind {value!r}: choose one of {', '.join(KINDS)}")
    elif name == "title":
        if not 3 <= len(value) <= 120:
            raise UsageError(f"--title: give 3 to 120 characters, got {len(value)}")
    elif name == "arxiv":
        value = value.removeprefix("arXiv:").removeprefix("arxiv:")
        if re.match(r"^\d{4}\.\d{4,5}v\d+$", value):
            raise UsageError(f"--arxiv {value!r}: drop the version suffix ({value[value.index('v'):]}): "
                             "entries cite the arXiv id")
        if not re.match(ARXIV_PATTERN, value):
            raise UsageError(f"--arxiv {value!r}: give the arXiv id, e.g. 2401.02954")
    elif name == "equation":
        return _equation(value, symbols)
    return value


def collect_fields(given: Mapping[str, Any], symbols: Iterable[str],
                   ask: Callable[[str], str] | None = None) -> NewEntry:
    """The facts of a new entry from flags (``given``), asking ``ask`` for what is missing.

    ``given["equation"]`` is a list of OUTPUT=EXPRESSION strings. With
    ``ask=None`` (stdin is not a terminal) a missing fact is a UsageError that
    names every missing flag; with ``ask`` a bad answer is explained and asked again.
    """
    symbols = frozenset(symbols)
    values: dict[str, Any] = {}
    missing = []
    for name in ("id", "kind", "topic", "title", "arxiv"):
        if given.get(name):
            values[name] = check_field(name, given[name])
        elif ask is None:
            missing.append(f"--{name}")
        else:
            values[name] = _ask(ask, name, symbols)
    equations = [check_field("equation", text, symbols) for text in given.get("equation") or []]
    needs_equation = values.get("kind", given.get("kind")) != "recipe"
    if needs_equation and not equations:
        if ask is None:
            missing.append("--equation")
        else:
            while True:
                answer = _ask(ask, "equation", symbols, optional=bool(equations))
                if answer is None:
                    break
                equations.append(answer)
    if missing:
        raise UsageError(f"missing {', '.join(missing)} (stdin is not a terminal, so hpguide new cannot ask); "
                         "e.g. hpguide new --id x-2025-lr --kind law --topic learning-rate --title 'X LR law' "
                         "--arxiv 2401.02954 --equation 'eta=c*N**(-a)'")
    outputs = [out for out, _ in equations]
    if len(set(outputs)) != len(outputs):
        raise UsageError("two equations give the same output; an entry has one equation per output")
    return NewEntry(equations=tuple(equations), **values)


def _ask(ask: Callable[[str], str], name: str, symbols: frozenset[str], optional: bool = False) -> Any:
    while True:
        try:
            answer = ask(f"{FIELDS[name]}: ")
        except EOFError:
            raise UsageError(f"no answer for --{name} (end of input)") from None
        if optional and not answer.strip():
            return None
        try:
            return check_field(name, answer, symbols)
        except HpguideError as exc:  # a bad id, kind, formula ...: explain and ask again
            print(f"  {exc}")


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _todo(what: str) -> str:
    return _q(f"{PLACEHOLDER}: {what}")


def scaffold_text(new: NewEntry, symbols: Iterable[str], today: _dt.date | None = None) -> str:
    """The YAML text of a new entry: the given facts, and a TODO wherever the source must be read."""
    symbols = frozenset(symbols)
    date = (today or _dt.date.today()).isoformat()
    constants: list[str] = []
    inputs: list[str] = []
    for _, expression in new.equations:
        for name in _names(expression):
            bucket = inputs if name in symbols else constants
            if name not in bucket and name not in dict(new.equations):
                bucket.append(name)
    lines = [
        SCHEMA_COMMENT,
        "# Written by `hpguide new`. Replace every TODO with the source's own words and numbers;",
        "# `hpguide validate` rejects this file (HPG007, one line per TODO) until none is left.",
        "# The format and the review checklist: CONTRIBUTING.md; every key: `hpguide schema`.",
        f"id: {new.id}",
        "version: 1",
        "status: draft  # stable once a reviewer has checked the numbers against the source",
        f"kind: {new.kind}",
        f"title: {_q(new.title)}",
        f"topics: [{new.topic}]",
        "summary: >-",
        f"  {PLACEHOLDER}: what it says, when it applies and what it assumes (batch in tokens or",
        "  sequences? N with or without embeddings? peak LR? which schedule?).",
        "sources:",
        f"  - arxiv: {_q(new.arxiv)}",
        f"    title: {_todo('the title as published')}",
        f"    authors: [{_todo('First Author')}, \"et al.\"]",
        f"    year: {_todo('year of publication')}",
        f"    where: {_todo('locator of the numbers: table, equation, section')}",
    ]
    if constants:
        lines.append("constants:  # fitted or published numbers, each with its locator")
        for name in constants:
            lines.append(f"  {name}: {{value: {_todo('the number')}, where: {_todo('locator of this number')}}}")
    if new.equations:
        lines.append("equations:")
        lines += [f"  {output}: {expression}" for output, expression in new.equations]
    if inputs and new.kind != "definition":
        lines.append("validity:  # the range of each input the source fitted or tested")
        lines += [f"  {name}: [{_todo('low')}, {_todo('high')}]" for name in inputs]
    if new.equations:
        given = ", ".join(f"{name}: {_todo('value')}" for name in inputs)
        expect = ", ".join(f"{output}: {_todo('value')}" for output, _ in new.equations)
        lines += [
            "examples:  # the source's own numbers; CI fails unless the equations reproduce them",
            f"  - given: {{{given}}}",
            f"    expect: {{{expect}}}",
            "    rel_tol: 0.01",
            f"    where: {_todo('the table or figure these numbers come from')}",
        ]
    if new.kind == "recipe":
        lines += [
            "table:  # one row per published model; numeric columns are registered symbols",
            f"  - model: {_todo('model name as published')}",
            f"    where: {_todo('table of the source')}",
            f"    N: {_todo('parameters')}",
        ]
    lines += ["changelog:", f"  - {{version: 1, date: {date}, change: first version}}"]
    return "\n".join(lines) + "\n"


def write_new_entry(kb_root: str | os.PathLike[str], new: NewEntry, symbols: Iterable[str],
                    today: _dt.date | None = None) -> Path:
    """Write ``<kb_root>/<topic>/<id>.yaml``; refuses an id the KB already has and never overwrites."""
    from ..core.safewrite import write_file
    from .load import entry_files

    root = Path(kb_root)
    for path in entry_files(root):
        if path.stem == new.id:
            raise UsageError(f"id {new.id!r} is already used by {path} (ids are never reused: pick another)")
    target = root / new.topic / f"{new.id}.yaml"
    text = scaffold_text(new, symbols, today)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    write_file(target, text, force=False, flag=None)  # no --force: the name is the id, and ids are never reused
    return target
