"""Checks over a loaded KB: examples reproduce, formulas stay finite.

:func:`validate_kb` returns every diagnostic of a KB directory, those found
while reading it (:mod:`hpguide.kb`) and those found here, sorted by file and
line.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..core.codes import Diagnostic
from ..core.derive import derive
from ..core.schema import Entry, Example, entry_json_schema_text
from .load import KnowledgeBase, LoadedEntry, load_kb

__all__ = ["midpoint", "Reproduction", "reproduce_example", "check_examples", "probe_relations", "validate_kb",
           "ORIGINS", "example_origin", "example_counts", "check_printed_examples"]

SCHEMA_FILE = "entry.schema.json"

#: Inputs with more than this many probed points per axis would explode the grid.
_MAX_FULL_GRID_INPUTS = 6


@dataclass(frozen=True)
class Reproduction:
    """One expected value of an example next to what the entry computes."""

    symbol: str
    expected: float
    got: float | None
    rel_error: float | None
    ok: bool


def reproduce_example(item: LoadedEntry, example: Example) -> list[Reproduction]:
    """Evaluate ``example`` with the entry's own equations."""
    derivation = derive(item.relations, {k: float(v) for k, v in example.given.items()})
    out = []
    for symbol, expected in example.expect.items():
        if symbol not in derivation.values or symbol in example.given:
            out.append(Reproduction(symbol, expected, None, None, False))
            continue
        got = float(np.asarray(derivation.values[symbol], dtype=float))
        scale = max(abs(expected), abs(got))
        error = abs(got - expected) / scale if scale else 0.0
        out.append(Reproduction(symbol, expected, got, error, error <= example.rel_tol))
    return out


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def check_examples(item: LoadedEntry) -> list[Diagnostic]:
    """HPG030/HPG031 for every example of one entry."""
    problems = []
    for index, example in enumerate(item.entry.examples):
        label = f"example {index + 1} ({example.where})"
        for rep in reproduce_example(item, example):
            if rep.got is None:
                given = ", ".join(example.given) or "nothing"
                problems.append(item.diagnostic(
                    "HPG031", f"{label}: cannot compute {rep.symbol} from {given} with this entry's equations",
                    "examples", index, "expect", rep.symbol))
            elif not rep.ok:
                problems.append(item.diagnostic(
                    "HPG030",
                    f"{label}: {rep.symbol} = {_fmt(rep.got)}, expected {_fmt(rep.expected)} "
                    f"(relative error {rep.rel_error:.2%} > rel_tol {example.rel_tol:.2%})",
                    "examples", index, "expect", rep.symbol))
    return problems


def midpoint(lo: float, hi: float) -> float:
    """The middle of a range: geometric for positive ranges (quantities span decades), else arithmetic."""
    return math.sqrt(lo * hi) if lo > 0 else (lo + hi) / 2


def _axis(lo: float, hi: float) -> list[float]:
    if lo == hi:
        return [lo]
    return [lo, midpoint(lo, hi), hi]


def probe_relations(item: LoadedEntry, kb: KnowledgeBase) -> list[Diagnostic]:
    """HPG024: every equation is finite and non-negative over its validity box.

    Inputs without a validity range are probed over the registry's typical range.
    """
    problems = []
    validity = item.entry.validity
    for rel in item.relations:
        names = sorted(rel.inputs)
        axes = []
        for name in names:
            lo, hi = validity.get(name) or kb.registry.symbols[name].typical
            axis = _axis(lo, hi)
            axes.append(axis if len(names) <= _MAX_FULL_GRID_INPUTS else [axis[0], axis[-1]])
        points = list(itertools.product(*axes)) if names else [()]
        env = {name: np.array([p[i] for p in points], dtype=float) for i, name in enumerate(names)}
        values = np.broadcast_to(np.asarray(rel.forward(env), dtype=float), (len(points),))
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            i = int(np.argmax(bad))
            at = ", ".join(f"{n}={_fmt(points[i][k])}" for k, n in enumerate(names))
            problems.append(item.diagnostic(
                "HPG024", f"equation {rel.output} gives {values[i]} at {at or 'any input'}",
                "equations", rel.output))
    return problems


#: Where an example's expected value comes from, in the words every front end uses.
ORIGINS = {
    "source": "printed by the source",
    "computed": "computed by hpguide",
    "tautology": "echoing the entry's own constant",
}
#: Kinds whose every entry needs an example the source prints (or says why none exists and stays draft).
NEEDS_PRINTED_EXAMPLE = ("law", "rule")


def example_origin(entry: Entry, example: Example) -> str:
    """``source``, ``computed`` (``derived: true``: hpguide computed the expected value) or ``tautology``
    (every expected value is an output whose equation is just one of the entry's constants, so the example
    checks only that the constant was copied): the key of :data:`ORIGINS`."""
    if all(entry.equations.get(symbol, "").strip() in entry.constants for symbol in example.expect):
        return "tautology"
    return "computed" if example.derived else "source"


def example_counts(entries: Iterable[Entry]) -> dict[str, int]:
    """How many examples of ``entries`` come from each origin (every key of :data:`ORIGINS`)."""
    counts = dict.fromkeys(ORIGINS, 0)
    for entry in entries:
        for example in entry.examples:
            counts[example_origin(entry, example)] += 1
    return counts


def check_printed_examples(item: LoadedEntry) -> list[Diagnostic]:
    """HPG033: a law or rule that is not a draft has an example whose expected value its source prints;
    a draft without one says why under ``no_printed_example``. A constant rule (every equation is one of its
    constants, e.g. Adam's beta2 = 0.95) is exempt: its printed value is the constant, with its locator."""
    entry = item.entry
    if entry.kind not in NEEDS_PRINTED_EXAMPLE or any(example_origin(entry, ex) == "source" for ex in entry.examples):
        return []
    if entry.equations and all(source.strip() in entry.constants for source in entry.equations.values()):
        return []  # a constant rule: the printed value is the constant itself, traced by its own `where`
    if entry.status == "draft" and entry.no_printed_example:
        return []
    if entry.status == "draft":
        return [item.diagnostic("HPG033", "no example is printed by the source: say why under no_printed_example",
                                "examples")]
    return [item.diagnostic(
        "HPG033", f"no example is printed by the source ({len(entry.examples)} computed by hpguide or echoing a "
        "constant): add one the source prints, with its locator, or set status: draft and say why under "
        "no_printed_example", "examples")]


def validate_kb(root: str | os.PathLike[str] | None = None) -> tuple[KnowledgeBase, list[Diagnostic]]:
    """Load the KB at ``root`` and run every check; diagnostics sorted by place."""
    kb = load_kb(root)
    problems = list(kb.diagnostics)
    broken = {d.path for d in problems}
    for item in kb.entries.values():
        if item.path in broken and len(item.relations) < len(item.entry.equations):
            continue  # its equations did not compile; examples would only repeat that
        problems.extend(probe_relations(item, kb))
        problems.extend(check_examples(item))
        problems.extend(check_printed_examples(item))
    problems.extend(check_committed_schema(kb))
    return kb, sorted(set(problems))


def check_committed_schema(kb: KnowledgeBase) -> list[Diagnostic]:
    """HPG040 when a checkout's committed ``schema/entry.schema.json`` is stale."""
    committed = kb.root.parent / "schema" / SCHEMA_FILE
    if kb.root.name != "heuristics" or not committed.is_file():
        return []
    try:
        text = committed.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    if text == entry_json_schema_text():
        return []
    return [Diagnostic(os.path.relpath(committed), 1, "HPG040",
                       "schema/entry.schema.json is stale: run 'hpguide schema > schema/entry.schema.json'")]
