"""A fit as a ready-to-contribute KB entry (``hpguide fit --emit-entry``).

The text is a complete ``kind: law`` entry with ``status: draft``: the fitted
constants (each ``where: "hpguide fit of data: (N points) ..."``, with its
bootstrap interval in the note), the equation, the compute-optimal
allocation where the form gives one, ``validity`` = the range of the data, a
``data:`` table holding every fitted point (so anyone can redo the fit), and
examples that are the fit's own data points with a tolerance derived from the
fit's residual at each point. Title, summary and warnings state what the fit
knows (file, mapping, filters, method, residuals); comments at the top say
what the contributor should add.

The one thing a fit cannot know is the source citation. Given ``source``
(arxiv/url/doi, title, authors, year, where) it is written as is and the
text passes ``hpguide validate`` unchanged; without it the citation fields
are ``TODO`` placeholders, which ``hpguide validate`` reports (HPG007, one
line per field) until they are filled in, exactly as for ``hpguide new``.
Either way the variables must be registered symbols (``N``, ``D``, ``L``,
``eta`` ...) for the entry to validate; :func:`emit_entry` checks that when
given the registry.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.errors import UsageError
from ..core.quantities import format_number
from ..core.schema import ID_PATTERN
from ..kb.fmt import normalise_float
from ..kb.placeholders import PLACEHOLDER, SCHEMA_COMMENT

if TYPE_CHECKING:
    from .fit import FitResult

__all__ = ["emit_entry", "example_tolerance"]

#: How many of the fitted points become examples (spread over the range of y).
EXAMPLES = 6
_MAX_EXAMPLE_ERROR = 0.8  # a point the fit misses by more is no test vector (rel_tol must be <= 1)
_ALLOCATION_SYMBOLS = ("N_opt", "D_opt", "tokens_per_param", "C")
_CHINCHILLA_ALLOCATION = {
    "N_opt": "((alpha*A)/(beta*B))**(1/(alpha+beta)) * (C/6)**(beta/(alpha+beta))",
    "D_opt": "((beta*B)/(alpha*A))**(1/(alpha+beta)) * (C/6)**(alpha/(alpha+beta))",
    "tokens_per_param": "D_opt/N_opt",
}


def _yaml_float(value: float) -> str:
    """A float as YAML reads it back exactly, spelled as ``hpguide fmt`` writes it (so that the
    emitted entry passes ``hpguide fmt --check``), with the digits of its shortest repr:
    ``1.25e8``, not the ``1.250000000e8`` that repr's ``125000000.0`` would give."""
    value = float(value)
    if not math.isfinite(value):
        raise UsageError(f"cannot write the non-finite number {value} into an entry")
    text = repr(value)
    if text.endswith(".0") and abs(value) >= 1000:  # repr's zeros, not digits of the number
        text = str(Decimal(text).normalize())
    return normalise_float(text)


def _str(text: str) -> str:
    return json.dumps(" ".join(str(text).split()))  # a JSON string is a valid YAML double-quoted scalar


def _relative_error(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """As ``hpguide validate`` measures it: |got - expected| / max(|got|, |expected|)."""
    scale = np.maximum(np.abs(got), np.abs(expected))
    return np.where(scale > 0, np.abs(got - expected) / np.where(scale > 0, scale, 1.0), 0.0)


def example_tolerance(rel_error: float) -> float:
    """The rel_tol of an example whose fitted value is off by ``rel_error``: that error,
    widened by a quarter and 1e-4 for rounding, rounded up to two significant digits."""
    raw = rel_error * 1.25 + 1e-4
    scale = 10.0 ** (math.floor(math.log10(raw)) - 1)
    return min(1.0, math.ceil(raw / scale) * scale)


def _example_points(result: FitResult) -> list[int]:
    errors = _relative_error(result.predicted, result.data.y)
    usable = np.flatnonzero(errors < _MAX_EXAMPLE_ERROR)
    if usable.size == 0:
        raise UsageError(f"the fit misses every point by more than {_MAX_EXAMPLE_ERROR:.0%}; no entry emitted")
    order = usable[np.argsort(result.data.y[usable], kind="stable")]
    picks = np.unique(np.round(np.linspace(0, order.size - 1, min(EXAMPLES, order.size))).astype(int))
    return [int(order[i]) for i in picks]


def _check_names(result: FitResult, symbols: Mapping[str, Any] | None) -> None:
    if symbols is None:
        return
    names = [*result.data.x_names, result.data.y_name]
    missing = [n for n in names if n not in symbols]
    if missing:
        raise UsageError(
            f"an entry names its variables by registered symbols; {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not registered (e.g. --x 'N=Model Size' --y L=loss; "
            "see heuristics/symbols.yaml or 'hpguide query --help')")


def _topics(result: FitResult, symbols: Mapping[str, Any] | None) -> list[str]:
    if result.form == "chinchilla":
        return ["compute-optimal", "loss"]
    group = (symbols or {}).get(result.data.y_name, {})
    group = group.get("group") if isinstance(group, Mapping) else None
    return [group] if isinstance(group, str) and re.match(ID_PATTERN, group) else ["fits"]


def _with_allocation(result: FitResult, symbols: Mapping[str, Any] | None) -> bool:
    return (
        result.form == "chinchilla"
        and result.allocation is not None
        and tuple(result.data.x_names) == ("N", "D")
        and (symbols is None or all(s in symbols for s in _ALLOCATION_SYMBOLS))
    )


def _source_lines(source: Mapping[str, Any] | None, year: int) -> list[str]:
    """The ``sources:`` item: the given citation (checked against the entry format) or placeholders."""
    if source is None:
        return [
            f'  - url: "{PLACEHOLDER}: https:// link to the paper, report or run log (or arxiv: / doi: instead)"',
            f'    title: "{PLACEHOLDER}: title of the paper, report or experiment log the data come from"',
            f'    authors: ["{PLACEHOLDER}: authors"]',
            f"    year: {year}",
            f'    where: "{PLACEHOLDER}: the table, figure or runs the data come from"',
        ]
    from pydantic import ValidationError

    from ..core.schema import Source

    try:
        checked = Source.model_validate(dict(source))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "source"
        raise UsageError(f"--source: {where}: {first.get('msg', 'invalid')} (give arxiv= or url= or doi=, "
                         "title=, authors= (separated by ';'), year= and where=)") from None
    fields = checked.model_dump(exclude_none=True)
    out: list[str] = []
    for key in ("arxiv", "url", "doi", "title", "authors", "year", "venue", "where"):
        if key not in fields:
            continue
        value = fields[key]
        if key == "authors":
            text = "[" + ", ".join(_str(a) for a in value) + "]"
        elif key == "year":
            text = str(value)
        else:
            text = _str(value)
        out.append(f"{'  - ' if not out else '    '}{key}: {text}")
    return out


def emit_entry(
    result: FitResult,
    entry_id: str = "my-fit",
    *,
    symbols: Mapping[str, Any] | None = None,
    source: Mapping[str, Any] | None = None,
    today: _dt.date | None = None,
    command: str | None = None,
) -> str:
    """The YAML text of a draft ``law`` entry for ``result`` (see the module docstring).

    ``entry_id`` becomes the id (save the text as ``<entry_id>.yaml``).
    ``symbols`` (the registry: name -> {meaning, group, ...}) checks that the
    variables are registered symbols, which ``hpguide validate`` requires, and
    picks the topic. ``source`` is the citation (keys of an entry's source:
    arxiv, url or doi, title, authors (a list), year, where; optional venue);
    without it the citation is left as TODO placeholders. ``command`` is
    recorded as the way to redo the fit.
    """
    if not isinstance(entry_id, str) or not re.match(ID_PATTERN, entry_id) or len(entry_id) > 80:
        raise UsageError(f"entry id {entry_id!r} must be kebab-case (lowercase letters, digits and '-'), "
                         "e.g. my-lab-2025-loss-fit")
    _check_names(result, symbols)
    data = result.data
    today = today or _dt.date.today()
    n = data.n_points
    y = data.y_name
    source_file = os.path.basename(data.path) or "the data"
    mapping_text = ", ".join(f"{k} = {v!r}" for k, v in data.mappings.items())
    selection = "; ".join(data.selection) or "all rows used"
    fitted_where = f"hpguide fit of data: ({n} points) {result.method}"
    residuals = result.residuals
    r2 = "" if residuals.get("r2") is None else f", R^2 {residuals['r2']:.4f} in log space"
    residual_text = f"rms log residual {residuals['rms']:.3g}, largest {residuals['max_abs']:.3g}{r2}"
    intervals = result.intervals or {}
    form_title = "Chinchilla-form" if result.form == "chinchilla" else "Power-law"
    title = f"{form_title} fit of {y} to {source_file}"
    title = title if len(title) <= 120 else title[:117] + "..."
    summary = (
        f"{y} = {result.equation}, fitted by hpguide fit ({result.form} form) to {n} points of {source_file} "
        f"({mapping_text}; {selection}): {result.method}. {residual_text}."
    )
    lines = [
        SCHEMA_COMMENT,
        f"# Emitted by 'hpguide fit' on {today.isoformat()}. Before contributing: say in the summary what the",
        f"# runs were (model family, data, tokenizer, whether {data.x_names[0]} counts embeddings, how {y} was",
        "# measured) and add the caveats to the warnings; fill in the source (every TODO); give the file a",
        "# descriptive id (author-year-topic), save it as heuristics/<topic>/<id>.yaml, run 'hpguide validate'.",
        f"id: {entry_id}",
        "version: 1",
        "status: draft",
        "kind: law",
        f"title: {_str(title)}",
        f"topics: [{', '.join(_topics(result, symbols))}]",
        f"summary: {_str(summary)}",
        "sources:",
        *_source_lines(source, today.year),
        "constants:",
    ]
    for name, value in result.constants.items():
        lines += [f"  {name}:", f"    value: {_yaml_float(value)}", f"    where: {_str(fitted_where)}"]
        if name in intervals:
            lo, hi = intervals[name]
            interval = f"95% interval [{format_number(lo)}, {format_number(hi)}]: {result.interval_method}"
            lines.append(f"    note: {_str(interval)}")
    lines += ["equations:", f"  {y}: {result.equation}"]
    allocation = _with_allocation(result, symbols)
    if allocation:
        lines += [f"  {out}: {formula}" for out, formula in _CHINCHILLA_ALLOCATION.items()]
    lines.append("validity:")
    for i, name in enumerate(data.x_names):
        lines.append(f"  {name}: [{_yaml_float(data.x[:, i].min())}, {_yaml_float(data.x[:, i].max())}]")
    if allocation:
        compute = 6.0 * data.x[:, 0] * data.x[:, 1]
        lines.append(f"  C: [{_yaml_float(compute.min())}, {_yaml_float(compute.max())}]")
    lines += [
        "warnings:",
        "  - " + _str(f"Fitted by hpguide fit to {n} points of {source_file}: {residual_text}. The validity "
                      "ranges are the range of those points."),
    ]
    if allocation:
        lines.append("  - " + _str("N_opt, D_opt and tokens_per_param assume C = 6*N*D (Chinchilla Eq. 4)."))
    lines.append("examples:")
    errors = _relative_error(result.predicted, data.y)
    for index in _example_points(result):
        given = ", ".join(f"{name}: {_yaml_float(data.x[index, i])}" for i, name in enumerate(data.x_names))
        signed = (result.predicted[index] - data.y[index]) / data.y[index]
        note = (f"The fit gives {format_number(result.predicted[index])} ({signed:+.2%}); the tolerance is the "
                "fit's residual at this point, rounded up.")
        lines += [
            f"  - given: {{{given}}}",
            f"    expect: {{{y}: {_yaml_float(data.y[index])}}}",
            f"    rel_tol: {_yaml_float(example_tolerance(float(errors[index])))}",
            f"    where: {_str(f'{source_file}, line {data.lines[index]} (a point of the fit)')}",
            f"    note: {_str(note)}",
        ]
    lines += ["data:", f"  columns: [{', '.join([*data.x_names, y])}]", "  rows:"]
    lines += [f"    - [{', '.join(_yaml_float(v) for v in (*data.x[i], data.y[i]))}]" for i in range(n)]
    how = f"{result.method}." + (f" Command: {command}" if command else "")
    lines += [
        f"  where: {_str(f'{source_file} ({mapping_text}); {selection}')}",
        f"  fit: {_str(how)}",
        "changelog:",
        f"  - {{version: 1, date: {today.isoformat()}, change: first version (hpguide fit)}}",
    ]
    return "\n".join(lines) + "\n"
