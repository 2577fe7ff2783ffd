"""hpguide's own synthesis per quantity: where the laws put it, what published models of comparable scale
used, and a suggested starting point with a sweep range, each made by a rule written out in the result.

The rule (docs/what-hpguide-shows.md, "Summary and suggested range"):

* **Basis.** The usable, in-range answers of the largest comparable group (the query's ``spread``: same
  conventions, as the registry's ``comparable_by`` says). If no answer is in range, every usable answer
  (extrapolations), and the summary is flagged. Rows with no usable value are never used.
* **Published configs of comparable scale.** Recipe rows that publish the quantity, with N within 2x of the
  query's N and, when D is known, D within 2x of it. They bracket the range; they are not laws, and are
  never in the median.
* **Start.** The log-space median of the basis (the middle value, or the geometric mean of the two middle
  values); with no usable answer at all, the configs' log-space median, flagged.
* **Range.** [min, max] over every usable in-range answer (whatever its conventions: a sweep is there to
  tell the laws apart; every usable answer when none is in range) and the configs, widened by ``WIDEN``
  (1.5x) on each side;
  ``POINTS`` (5) log-spaced points over it. ``hpguide sweep`` draws its grid from the same function.
* **Physical bounds.** Widening stops at the registry's physical bounds of the quantity (a beta below 1):
  a side that would cross one is not widened.
* **Zero and below.** A quantity whose values include 0 or less (a final LR of 0) is summarised in linear
  space: the plain median, [min, max] unwidened, ``POINTS`` evenly spaced points (one if min = max).

The same rule is in the calculator's JavaScript (site/docs/assets/js/calculator.js), held equal by the
shared query corpus.
"""

from __future__ import annotations

import math

from ..core.quantities import format_computed
from ..core.records import Record
from ..core.stats import median

TYPE_CHECKING = False  # no run-time typing import (start-up time)
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

__all__ = ["WIDEN", "POINTS", "CONFIG_SCALE", "SYNTHESIS", "Summary", "summarize", "quantity_summary",
           "log_points", "log_median", "comparable_configs", "summary_line"]

WIDEN = 1.5
POINTS = 5
CONFIG_SCALE = 2.0  # published configs count as comparable within this factor of N (and of D when known)
SYNTHESIS = "hpguide's synthesis, not a published value"


class Summary(Record):
    """One quantity's synthesis (see the module docstring). ``laws`` and ``configs`` are
    ``{n, min, median, max}`` (configs also ``models``) or None; ``start``, ``range`` and ``points`` are None
    when nothing gives the quantity a usable value."""

    __slots__ = ("symbol", "synthesis", "n_usable", "n_in_range", "n_unusable", "basis", "conventions",
                 "entries", "laws", "configs", "start", "range", "points", "rule", "flags")
    symbol: str
    synthesis: str
    n_usable: int
    n_in_range: int
    n_unusable: int
    basis: str  # "in-range", "extrapolated", "configs" or "none"
    conventions: dict[str, str]
    entries: list[str]
    laws: dict[str, float] | None
    configs: dict[str, Any] | None
    start: float | None
    range: list[float] | None
    points: list[float] | None
    rule: str
    flags: list[str]


def log_median(values: Sequence[float]) -> float:
    """The median in log space of positive values: the middle one, or the geometric mean of the two."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else math.sqrt(ordered[mid - 1] * ordered[mid])


def log_points(lo: float, hi: float, points: int) -> list[float]:
    """``points`` log-spaced values from ``lo`` to ``hi`` (both included; one point is ``lo``... ``hi``'s
    geometric mean)."""
    if points == 1:
        return [math.sqrt(lo * hi)]
    return [lo * (hi / lo) ** (i / (points - 1)) for i in range(points)]


def _stats(values: list[float], logs: bool) -> dict[str, float]:
    middle = log_median(values) if logs else median(values)
    return {"n": len(values), "min": min(values), "median": middle, "max": max(values)}


def _near_rows(kb: Any, n: float, d: float | None) -> list[tuple[float, str, dict[str, float]]]:
    """(|log N/n|, model, numbers) of the active published configs with N within ``CONFIG_SCALE`` of ``n`` (and
    D within it of ``d`` when given), nearest first; kept on the KB for the last (n, d) asked (a query
    summarises some 20 quantities at the same n and d)."""
    cached = getattr(kb, "_summary_near", None)
    if cached is not None and cached[0] == (n, d):
        return cached[1]
    rows = []
    for entry in kb.entries:
        if entry.kind != "recipe" or not entry.active(False):
            continue
        for row in entry.table:
            numbers = row.get("numbers", {})
            size = numbers.get("N")
            if size is None or not size > 0 or not 1 / CONFIG_SCALE <= size / n <= CONFIG_SCALE:
                continue
            if d is not None and d > 0:
                tokens = numbers.get("D")
                if tokens is None or not 1 / CONFIG_SCALE <= tokens / d <= CONFIG_SCALE:
                    continue
            rows.append((abs(math.log(size / n)), str(row["model"]), numbers))
    rows.sort(key=lambda item: (item[0], item[1]))
    kb._summary_near = ((n, d), rows)
    return rows


def comparable_configs(kb: Any, symbol: str, context: Mapping[str, float]) -> list[tuple[float, str, float]]:
    """(|log N/N_query|, model, value) of the published configs that give ``symbol`` at comparable scale:
    N within ``CONFIG_SCALE`` of the query's N and, when D is known, D within it too; nearest first."""
    n = context.get("N")
    if n is None or not n > 0:
        return []
    return [(distance, model, float(numbers[symbol])) for distance, model, numbers in
            _near_rows(kb, n, context.get("D")) if numbers.get(symbol, 0) > 0]


def _crosses(value: float, bounds: Mapping[str, Any] | None, upper: bool) -> bool:
    """Whether ``value`` lies beyond one side of the compiled physical bounds ``{lo, lo_open, hi, hi_open}``
    (a bound that names another quantity never counts here)."""
    if not bounds:
        return False
    limit, open_side = (bounds.get("hi"), bounds.get("hi_open")) if upper else (bounds.get("lo"), bounds.get("lo_open"))
    if type(limit) is not float and type(limit) is not int:
        return False
    if upper:
        return value >= limit if open_side else value > limit
    return value <= limit if open_side else value < limit


def summarize(symbol: str, rows: Sequence[Any], largest: Any, configs: list[tuple[float, str, float]],
              by_tokens: bool, physical: Mapping[str, Any] | None = None, points: int = POINTS,
              widen: float = WIDEN) -> Summary:
    """The synthesis for ``symbol`` from its result rows, the largest comparable group's spread (or None)
    and the comparable configs (:func:`comparable_configs`; ``by_tokens``: whether D was compared too)."""
    usable = [r for r in rows if r.usable]
    in_range = [r for r in usable if r.in_range]
    flags: list[str] = []
    conventions: dict[str, str] = {}
    if largest is not None:
        basis_rows = [r for r in in_range if r.entry in largest.entries]
        conventions = dict(largest.conventions)
        basis = "in-range"
        what = (f"the {len(basis_rows)} in-range law{'s' if len(basis_rows) != 1 else ''} of the largest "
                "comparable group" + (f" ({', '.join(f'{k} {v}' for k, v in conventions.items())})"
                                      if conventions else ""))
        others = len(in_range) - len(basis_rows)
        if others:
            flags.append(f"{others} more in-range answer{'s' if others != 1 else ''} measured under other "
                         "conventions: in the range, not in the median")
    elif usable:
        basis_rows = usable
        basis = "extrapolated"
        what = f"the {len(basis_rows)} usable law{'s' if len(basis_rows) != 1 else ''}, all extrapolated"
        flags.append("nothing in range: the start and the range rest on extrapolated answers and the configs")
    else:
        basis_rows = []
        basis = "configs" if configs else "none"
        what = "no law (none gives a usable value)"
        flags.append("no usable answer from any law" + (": the start is the configs' median" if configs else ""))
    law_values = [r.value for r in basis_rows]
    config_values = [value for _, _, value in configs]
    logs = all(v > 0 for v in [r.value for r in usable] + config_values)
    laws = _stats(law_values, logs) if law_values else None
    config_stats: dict[str, Any] | None = None
    if config_values:
        config_stats = {**_stats(config_values, logs), "models": [model for _, model, _ in configs]}
    if len(law_values) == 1 and basis != "configs":
        flags.append("one law only")
    spanned = [r.value for r in (in_range if in_range else usable)]
    bracket = spanned + config_values
    if not bracket:
        return Summary(symbol, SYNTHESIS, len(usable), len(in_range), len(rows) - len(usable), basis, conventions,
                       [], None, None, None, None, None, "nothing to suggest: no usable answer and no published "
                       "config of comparable scale", flags)
    middle = log_median if logs else median
    start = middle(law_values) if law_values else middle(config_values)
    if logs:
        lo, hi = min(bracket) / widen, max(bracket) * widen
        if _crosses(lo, physical, upper=False):
            lo = min(bracket)
            flags.append(f"not widened below {format_computed(lo)}: the widening would cross {symbol}'s "
                         "physical bound")
        if _crosses(hi, physical, upper=True):
            hi = max(bracket)
            flags.append(f"not widened above {format_computed(hi)}: the widening would cross {symbol}'s "
                         "physical bound")
        grid = log_points(lo, hi, points) if lo < hi else [lo]
    else:
        lo, hi = min(bracket), max(bracket)
        grid = [lo] if lo == hi else [lo + (hi - lo) * i / (points - 1) for i in range(points)] if points > 1 \
            else [(lo + hi) / 2]
        flags.append("values include 0 or less: a linear median and range, not widened")
    laws_text = (f"the {len(spanned)} {'in-range' if in_range else 'usable'} "
                 f"answer{'s' if len(spanned) != 1 else ''}" if spanned else "no law")
    space = "log-space" if logs else "linear"
    spaced = "log-spaced" if logs else "evenly spaced"
    widened = f", widened by {widen:g}x" if logs else ""
    scale = f"N within {CONFIG_SCALE:g}x" + (f" and D within {CONFIG_SCALE:g}x" if by_tokens else "")
    rule = (f"start at the {space} median of {what}" if law_values else
            f"start at the {space} median of the published configs") + \
        f"; sweep {len(grid)} {spaced} points over [min, max] of {laws_text}" + \
        (f" and of the {len(config_values)} published config{'s' if len(config_values) != 1 else ''} of comparable "
         f"scale ({scale}){widened}" if config_values else
         f" (no published config of comparable scale gives {symbol}){widened}")
    return Summary(symbol, SYNTHESIS, len(usable), len(in_range), len(rows) - len(usable), basis, conventions,
                   sorted({r.entry for r in basis_rows}), laws, config_stats, start, [lo, hi], grid, rule, flags)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def quantity_summary(kb: Any, symbol: str, rows: Sequence[Any], groups: Sequence[Any] | None,
                     context: Mapping[str, float], points: int = POINTS, widen: float = WIDEN) -> Summary:
    """:func:`summarize` for one quantity of a query: ``rows`` its results, ``groups`` its spread groups
    (largest first, or None), ``context`` the query's known values (given, assumed, derived). The query and
    ``hpguide sweep`` both call this, so that their ranges are one rule."""
    return summarize(symbol, rows, groups[0] if groups else None, comparable_configs(kb, symbol, context),
                     "D" in context, kb.symbols.get(symbol, {}).get("physical"), points=points, widen=widen)


def summary_line(summary: Summary) -> str:
    """The summary as one line of the terminal report."""
    if summary.start is None or summary.range is None:
        return f"hpguide synthesis: {summary.rule}"
    q = format_computed
    configs = summary.configs
    return (f"hpguide synthesis: start {q(summary.start)}, sweep {q(summary.range[0])} .. {q(summary.range[1])} "
            f"({_plural(len(summary.points or []), 'point')}); {summary.n_in_range} of "
            f"{_plural(summary.n_usable, 'usable answer')} in range"
            + (f", {_plural(configs['n'], 'published config')} at this scale ({q(configs['min'])} .. "
               f"{q(configs['max'])})" if configs else ""))
