"""Laws against published models: what every law would have suggested for a model people actually trained.

:func:`compare_model` runs the resolver at what a published model was (a row of
a ``recipe`` entry's table: its published N and D, and its d_model, n_layers,
vocab_size and seq_len where the row has them) and sets every law's answer for
each quantity the row publishes (eta, B, D, N, ...) beside the published value,
with the ratio suggested / published. A law's N_opt and D_opt (compute-optimal
for the model's compute C = 6 N D) are compared with the published N and D.

:func:`compare_all` does the same for every published model and summarises it
per quantity and law: how many models were compared, the median ratio, the
median |log10 ratio| and the share of models within a factor of 2.

The rules of a query hold: a row with no usable value carries no number
(``suggested`` and ``ratio`` are None, ``why`` says why); ``in_range`` is the
resolver's (False: the law extrapolates beyond what its source fitted).
"""

from __future__ import annotations

import math

from ..core.errors import UsageError
from ..core.quantities import format_computed
from ..core.records import Record
from ..core.stats import median
from .resolve import QueryResult, _group_rank, resolve

TYPE_CHECKING = False  # no run-time typing import (start-up time)
if TYPE_CHECKING:
    from typing import Any

    from ..kb.compiled import CompiledEntry, CompiledKB

__all__ = ["RUN_AT", "COMPARED_AS", "Row", "ModelComparison", "LawSummary", "AllComparison", "published_models",
           "find_model", "compare_model", "compare_all", "law_name", "SUMMARY_HEADER", "summary_rows"]

#: What the resolver is run at, when the row publishes it: the model's size, its data and its shape.
RUN_AT = ("N", "D", "d_model", "n_layers", "vocab_size", "seq_len")
#: A law's output compared with another published quantity: the compute-optimal size and tokens for the
#: model's compute C = 6 N D, against the size and tokens it was trained with.
COMPARED_AS = {"N_opt": "N", "D_opt": "D"}
#: A suggestion within this factor of the published value (either side) counts as a hit in the summary.
HIT_FACTOR = 2.0


class Row(Record):
    """One law's answer for one published quantity of one model.

    ``symbol`` is the published quantity, ``output`` the law's own symbol (the same, or N_opt / D_opt for
    N / D). ``suggested`` and ``ratio`` (suggested / published) are None where the law gives no usable value
    (``why`` says why); ``ratio`` is also None where the published value is 0.
    """

    __slots__ = ("symbol", "output", "entry", "suggested", "published", "ratio", "in_range", "usable", "why")
    symbol: str
    output: str
    entry: str
    suggested: float | None
    published: float
    ratio: float | None
    in_range: bool
    usable: bool
    why: str | None


class ModelComparison:
    """Every law against one published model; :meth:`to_dict` is what ``hpguide compare MODEL --json`` prints."""

    def __init__(self, model: str, entry: str, where: str, published: dict[str, float], texts: dict[str, str],
                 inputs: dict[str, float], rows: list[Row], unmatched: list[str], query: QueryResult) -> None:
        self.model = model
        self.entry = entry  # the recipe entry whose table row this is
        self.where = where  # the row's locator in its source
        self.published = published  # every number of the row, as published
        self.texts = texts  # the row's text cells (a value that changed during training, a D written as a sum)
        self.inputs = inputs  # what the resolver was run at
        self.rows = rows
        self.unmatched = unmatched  # published quantities no law gives
        self.query = query  # the resolver's full result at the model

    def quantities(self) -> list[str]:
        """The published quantities some law gives, in the order the rows are."""
        seen: list[str] = []
        for row in self.rows:
            if row.symbol not in seen:
                seen.append(row.symbol)
        return seen

    def to_dict(self) -> dict[str, Any]:
        return {
            "kb_version": self.query.kb_version,
            "model": self.model,
            "entry": self.entry,
            "where": self.where,
            "published": dict(self.published),
            "texts": dict(self.texts),
            "inputs": dict(self.inputs),
            "assumptions": [a._asdict() for a in self.query.assumptions],
            "conflicts": [c._asdict() for c in self.query.conflicts],
            "rows": [r._asdict() for r in self.rows],
            "unmatched": list(self.unmatched),
        }


class LawSummary(Record):
    """One law against every published model that publishes ``symbol``.

    ``n``: models where the law gave a usable value to compare (``n_in_range`` of them inside the range its
    source fitted); ``n_unusable``: models where it gave no usable value. The statistics are over the
    ``n_ratio`` of the ``n`` models with a ratio (a published 0 has none), and None when there are none:
    ``median_ratio``; ``median_abs_log10_ratio`` (also None when it is infinite: more than half of the
    suggestions are 0 where the published value is not); ``within_2x``, the share of them whose suggestion
    lies within a factor of 2 of the published value. ``models``: the ``n`` models compared.
    """

    __slots__ = ("symbol", "entry", "output", "n", "n_in_range", "n_unusable", "n_ratio", "median_ratio",
                 "median_abs_log10_ratio", "within_2x", "models")
    symbol: str
    entry: str
    output: str
    n: int
    n_in_range: int
    n_unusable: int
    n_ratio: int
    median_ratio: float | None
    median_abs_log10_ratio: float | None
    within_2x: float | None
    models: list[str]


class AllComparison:
    """Every law against every published model; :meth:`to_dict` is ``hpguide compare --all --json``."""

    def __init__(self, kb_version: str, models: list[ModelComparison], skipped: list[dict[str, str]],
                 summary: dict[str, list[LawSummary]], published_by: dict[str, int]) -> None:
        self.kb_version = kb_version
        self.models = models
        self.skipped = skipped  # rows left out (of a draft entry, or with no N): {model, entry, why}
        self.summary = summary  # per published quantity, one LawSummary per law, best first
        self.published_by = published_by  # per quantity, how many compared models publish it

    def to_dict(self) -> dict[str, Any]:
        return {
            "kb_version": self.kb_version,
            "models": [{"model": m.model, "entry": m.entry, "where": m.where} for m in self.models],
            "skipped": [dict(s) for s in self.skipped],
            "published_by": dict(self.published_by),
            "summary": {symbol: [s._asdict() for s in laws] for symbol, laws in self.summary.items()},
            "comparisons": [m.to_dict() for m in self.models],
        }


# ---------------------------------------------------------------------------- finding a model


def _key(name: str) -> str:
    """A model name for matching: case-insensitive, '-', '_' and runs of spaces alike (Llama-2-7b = Llama 2 7B)."""
    return " ".join(name.casefold().replace("-", " ").replace("_", " ").split())


def published_models(kb: CompiledKB, entry: str | None = None, include_drafts: bool = False,
                     active: bool = True) -> list[tuple[CompiledEntry, dict[str, Any]]]:
    """(recipe entry, table row) of every published config of the recipe entries a query uses (drafts on
    request; ``active=False``: of those it does not use), of ``entry`` only when given, in KB order."""
    if entry is not None:
        found = kb.entry(entry)
        if found is None or found.kind != "recipe":
            import difflib

            recipes = [e.id for e in kb.entries if e.kind == "recipe"]
            close = difflib.get_close_matches(entry, recipes, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (see 'hpguide list --kind recipe')"
            what = "is not a recipe entry" if found is not None else "is no entry of the KB"
            raise UsageError(f"--entry {entry!r} {what}: published models are the table rows of recipe entries{hint}")
    return [(e, row) for e in kb.entries if e.kind == "recipe" and e.active(include_drafts) == active
            and (entry is None or e.id == entry) for row in e.table]


def find_model(kb: CompiledKB, name: str, entry: str | None = None,
               include_drafts: bool = False) -> tuple[CompiledEntry, dict[str, Any]]:
    """The one published config named ``name`` (case-insensitive), or a UsageError listing close matches."""
    wanted = _key(name)
    if not wanted:
        raise UsageError("give the name of a published model, e.g. 'Llama 2 7B' (or --all for every model)")
    rows = published_models(kb, entry, include_drafts)
    found = [(e, row) for e, row in rows if _key(str(row["model"])) == wanted]
    if len(found) == 1:
        return found[0]
    unused = [e for e, row in published_models(kb, entry, include_drafts, active=False)
              if _key(str(row["model"])) == wanted]
    if not found and unused:
        e = unused[0]
        hint = ": add --include-drafts to compare it" if e.status == "draft" else ", which queries do not use"
        raise UsageError(f"{name!r} is a row of {e.id}, a {e.status} entry{hint}")
    if found:
        which = "; ".join(f"{row['model']!r} of {e.id}" for e, row in found)
        raise UsageError(f"{name!r} is ambiguous: {len(found)} published models have that name ({which}); "
                         "add --entry ID to pick one")
    import difflib

    names = {_key(str(row["model"])): str(row["model"]) for _, row in rows}
    compact = "".join(ch for ch in wanted if ch.isalnum())
    # names that contain what was typed first (gpt3 -> GPT-3 Small ...), then the most similar ones
    close = [model for k, model in names.items() if compact and compact in "".join(ch for ch in k if ch.isalnum())]
    close += [names[k] for k in difflib.get_close_matches(wanted, list(names), n=6, cutoff=0.6)
              if names[k] not in close]
    scope = f" of {entry}" if entry else " in the KB"
    more = f" and {len(close) - 6} more" if len(close) > 6 else ""
    hint = (f"; close matches: {', '.join(repr(c) for c in close[:6])}{more}" if close else
            "; the published models are the rows of the recipe entries ('hpguide list --kind recipe')")
    raise UsageError(f"no published model {name!r}{scope}{hint}")


# ---------------------------------------------------------------------------- comparing


def _inputs(row: dict[str, Any]) -> dict[str, float]:
    numbers = row.get("numbers", {})
    return {symbol: float(numbers[symbol]) for symbol in RUN_AT if symbol in numbers and numbers[symbol] > 0}


def _compare_row(kb: CompiledKB, entry: CompiledEntry, row: dict[str, Any], include_drafts: bool) -> ModelComparison:
    model = str(row["model"])
    inputs = _inputs(row)
    if "N" not in inputs:
        raise UsageError(f"{model!r} ({entry.id}) publishes no parameter count N: there is nothing to run the "
                         "resolver at")
    # the model's own numbers are no user input: one the KB's entries do not read is not refused
    query = resolve(kb, inputs, include_drafts=include_drafts, refuse_unused=False)
    published = {k: float(v) for k, v in row.get("numbers", {}).items()}
    rows: list[Row] = []
    for result in query.results:
        symbol = COMPARED_AS.get(result.symbol, result.symbol)
        if symbol not in published:
            continue
        value = published[symbol]
        if result.usable:
            suggested: float | None = result.value
            ratio = result.value / value if value != 0 else None
        else:
            suggested = ratio = None
        rows.append(Row(symbol, result.symbol, result.entry, suggested, value, ratio, result.in_range,
                        result.usable, result.why))
    # the published quantities in the order of a query's report (eta, B, ..., D, N), then the law's own
    # symbol (D before D_opt) and its id
    rows.sort(key=lambda r: (_rank(kb, r.symbol), r.output != r.symbol, r.output, r.entry))
    compared = {r.symbol for r in rows}
    unmatched = [symbol for symbol in published if symbol not in compared]
    return ModelComparison(model, entry.id, str(row.get("where", "")), published, dict(row.get("texts", {})),
                           inputs, rows, unmatched, query)


def _rank(kb: CompiledKB, symbol: str) -> tuple[int, str]:
    group = str(kb.symbols.get(symbol, {}).get("group", ""))
    return _group_rank(group), symbol


def compare_model(kb: CompiledKB, name: str, entry: str | None = None,
                  include_drafts: bool = False) -> ModelComparison:
    """Every law against the published model ``name`` (matched case-insensitively; ``entry``: only the rows of
    that recipe entry; ``include_drafts``: also draft recipes and laws, as a query). UsageError for an unknown
    or ambiguous name, or a row that publishes no N."""
    found_entry, row = find_model(kb, name, entry, include_drafts)
    return _compare_row(kb, found_entry, row, include_drafts)


def _summary(symbol: str, entry: str, output: str, rows: list[tuple[str, Row]]) -> LawSummary:
    usable = [(model, r) for model, r in rows if r.usable]
    ratios = [r.ratio for _, r in usable if r.ratio is not None]
    logs = [abs(math.log10(x)) if x > 0 else math.inf for x in ratios]  # a suggested 0 misses by any factor
    typical = median(logs) if logs else None
    hits = sum(1 for x in ratios if 1 / HIT_FACTOR <= x <= HIT_FACTOR)
    return LawSummary(
        symbol, entry, output, len(usable), sum(1 for _, r in usable if r.in_range), len(rows) - len(usable),
        len(ratios), median(ratios) if ratios else None,
        typical if typical is not None and math.isfinite(typical) else None,
        hits / len(ratios) if ratios else None, [model for model, _ in usable])


def compare_all(kb: CompiledKB, entry: str | None = None, include_drafts: bool = False) -> AllComparison:
    """Every law against every published model that publishes N (of recipe ``entry`` only, when given; the
    rows of draft recipes, and draft laws, with ``include_drafts``). ``skipped`` lists the rows left out."""
    models: list[ModelComparison] = []
    skipped: list[dict[str, str]] = [
        {"model": str(row["model"]), "entry": recipe.id, "why": f"{recipe.status} entry"}
        for recipe, row in published_models(kb, entry, include_drafts, active=False)]
    for recipe, row in published_models(kb, entry, include_drafts):
        if not _inputs(row).get("N"):
            skipped.append({"model": str(row["model"]), "entry": recipe.id,
                            "why": "no published parameter count N"})
            continue
        try:
            models.append(_compare_row(kb, recipe, row, include_drafts))
        except UsageError as exc:  # the resolver refused these values: said, and the other models go on
            skipped.append({"model": str(row["model"]), "entry": recipe.id, "why": " ".join(str(exc).split())})
    by_law: dict[str, dict[tuple[str, str], list[tuple[str, Row]]]] = {}
    published_by: dict[str, int] = {}
    for m in models:
        for symbol in m.quantities():
            published_by[symbol] = published_by.get(symbol, 0) + 1
        for r in m.rows:
            by_law.setdefault(r.symbol, {}).setdefault((r.entry, r.output), []).append((m.model, r))
    summary: dict[str, list[LawSummary]] = {}
    for symbol, laws in sorted(by_law.items(), key=lambda item: _rank(kb, item[0])):
        items = [_summary(symbol, law, output, rows) for (law, output), rows in laws.items()]
        # best first: the smallest typical miss over the most models; laws with no ratio at all last
        items.sort(key=lambda s: (s.median_abs_log10_ratio is None, s.median_abs_log10_ratio or 0.0, -s.n,
                                  s.output != s.symbol, s.output, s.entry))
        summary[symbol] = items
    return AllComparison(kb.kb_version, models, skipped, summary, published_by)


# ---------------------------------------------------------------------------- one wording for terminal and site


def law_name(entry: str, output: str, symbol: str) -> str:
    """A law as the tables name it: its id, with its own symbol where that is not the published one."""
    return entry if output == symbol else f"{entry} ({output})"


#: The columns of one quantity's table of :func:`compare_all` (``hpguide compare --all`` and the site page).
SUMMARY_HEADER = ("law", "models", "in range", "no usable value", "median ratio", "median |log10 ratio|",
                  "within 2x")


def _median_text(value: float | None, law: LawSummary) -> str:
    if value is not None:
        return format_computed(value)
    return "inf" if law.n_ratio else "-"


def summary_rows(comparison: AllComparison, symbol: str) -> list[list[str]]:
    """The table of ``symbol`` as text cells under :data:`SUMMARY_HEADER` ('-' where there is no ratio)."""
    rows = []
    for law in comparison.summary[symbol]:
        rows.append([law_name(law.entry, law.output, law.symbol), str(law.n), str(law.n_in_range),
                     str(law.n_unusable), "-" if law.median_ratio is None else format_computed(law.median_ratio),
                     _median_text(law.median_abs_log10_ratio, law),
                     "-" if law.within_2x is None else f"{law.within_2x:.0%}"])
    return rows
