"""Rendering of ``hpguide compare``: laws against published models (the work is :mod:`hpguide.resolver.compare`).

Published values are printed exactly (:func:`~hpguide.core.quantities.format_exact`), computed ones
(suggestions, ratios, medians) with :func:`~hpguide.core.quantities.format_computed`.
"""

from __future__ import annotations

from ..core.quantities import format_computed, format_exact
from ..resolver.compare import RUN_AT, law_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..resolver.compare import AllComparison, ModelComparison, Row

__all__ = ["to_json", "to_text", "all_to_json", "all_to_text"]

_LEGEND = ("ratio = suggested / published; '!' = the law extrapolates beyond the range its source fitted;\n"
           "N_opt and D_opt: the compute-optimal size and tokens for the model's compute C = 6 N D")


def to_json(comparison: ModelComparison) -> str:
    from ..core.jsontext import dumps

    return dumps(comparison.to_dict()) + "\n"


def all_to_json(comparison: AllComparison) -> str:
    from ..core.jsontext import dumps

    return dumps(comparison.to_dict()) + "\n"


def _table(rows: list[list[str]], right: set[int], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                               for i, (cell, w) in enumerate(zip(row, widths))).rstrip() for row in rows]


def _ratio(row: Row) -> str:
    if row.ratio is not None:
        return format_computed(row.ratio)
    return "equal (both 0)" if row.suggested == 0 else "none (published 0)"


def _header(comparison: ModelComparison) -> list[str]:
    lines = [f"{comparison.model}  ({comparison.entry}: {comparison.where})"]
    run_at = "   ".join(f"{k} = {format_exact(v)}" for k, v in comparison.inputs.items())
    lines.append(f"Run at      {run_at}   (as published)")
    for symbol in RUN_AT:
        if symbol in comparison.inputs:
            continue
        if symbol in comparison.texts:
            lines.append(f"Not given   {symbol}: the row writes it as text ({comparison.texts[symbol]!r}), "
                         "not as one number")
        elif symbol == "D":
            lines.append("Not given   D: the row does not publish the training tokens (laws that need them are "
                         "not run)")
    for a in comparison.query.assumptions:
        lines.append(f"ASSUMED     {a.symbol} = {format_exact(a.value)} from {a.entry}: {a.why}")
    for c in comparison.query.conflicts:
        lines.append(f"CONFLICT    {c.message}")
    return lines


def to_text(comparison: ModelComparison, meanings: Mapping[str, str]) -> str:
    lines = _header(comparison)
    lines += ["", _LEGEND + "."]
    if not comparison.rows:
        lines += ["", "No law of the KB gives any quantity this model publishes."]
    for symbol in comparison.quantities():
        rows = [r for r in comparison.rows if r.symbol == symbol]
        meaning = meanings.get(symbol, "")
        lines.append("")
        lines.append(f"{symbol}{': ' + meaning if meaning else ''}; published {format_exact(rows[0].published)}")
        table = [["", "suggested", "ratio", "law"]]
        notes = []
        for r in rows:
            law = law_name(r.entry, r.output, r.symbol)
            if r.usable and r.suggested is not None:
                table.append([" " if r.in_range else "!", format_computed(r.suggested), _ratio(r), law])
            else:
                notes.append(f"    {law}: no usable value: {r.why}")
        if len(table) > 1:
            lines += _table(table, right={1, 2})
        lines += notes
    if comparison.unmatched:
        lines += ["", "Published, but no law gives it: " + ", ".join(
            f"{s} = {format_exact(comparison.published[s])}" for s in comparison.unmatched)]
    return "\n".join(lines) + "\n"


def all_to_text(comparison: AllComparison, meanings: Mapping[str, str]) -> str:
    from ..resolver.compare import SUMMARY_HEADER, summary_rows

    entries = {m.entry for m in comparison.models}
    n = len(comparison.models)
    lines = [f"Laws against published models: {n} model{'' if n == 1 else 's'} of {len(entries)} recipe "
             f"entr{'y' if len(entries) == 1 else 'ies'}, each run through the resolver at its published N, D and "
             "shape"]
    reasons: dict[str, list[str]] = {}
    for s in comparison.skipped:
        entries_left = reasons.setdefault(s["why"], [])
        if s["entry"] not in entries_left:
            entries_left.append(s["entry"])
    for why, left in reasons.items():
        count = sum(1 for s in comparison.skipped if s["why"] == why)
        hint = "; add --include-drafts to compare them" if why == "draft entry" else ""
        lines.append(f"Left out: {count} row(s): {why} ({', '.join(left)}){hint}")
    lines += [_LEGEND + ";", "models = models where the law gives a usable value (in range: inside its source's "
              "range); within 2x = share of them with 1/2 <= ratio <= 2.", ""]
    if not comparison.models:
        lines.append("No published model to compare.")
    elif not comparison.summary:
        lines.append("No law of the KB gives any quantity these models publish.")
    for symbol in comparison.summary:
        meaning = meanings.get(symbol, "")
        lines.append(f"{symbol}{': ' + meaning if meaning else ''} (published by {comparison.published_by[symbol]} "
                     "of the models compared)")
        lines += _table([list(SUMMARY_HEADER), *summary_rows(comparison, symbol)], right={1, 2, 3, 4, 5, 6})
        lines.append("")
    lines.append("'hpguide compare MODEL' shows one model law by law.")
    return "\n".join(lines) + "\n"
