"""The resolver: every applicable heuristic for a model and data budget, side by side.

1. **Definitions** (entries of kind ``definition``) are exact identities
   between registry symbols (C = 6ND, N from the shape, M and C_M ...). They
   are chained forwards and solved backwards from the user's inputs.
2. **Assumptions**: a missing shape value that other quantities need
   (n_layers, d_model, vocab_size, seq_len) may be filled in, from an entry
   that declares ``defaults_for`` or else from the nearest published config.
   Every fill is listed with its source; user input always wins.
3. **Alternatives**: every other applicable entry (laws, rules, schedules,
   parameterisations) is evaluated forwards on the resolved values. Each
   (entry, output) pair is one result, never merged with the others; each
   result says whether its inputs lie in the range its source fitted.
4. **Spread** per output symbol over the in-range results, and the
   **nearest published configs** from the recipe tables.

Everything here works on the compiled KB (:mod:`hpguide.kb.compiled`): no
sympy, pydantic or YAML on this path.
"""

from __future__ import annotations

import math

from ..core.derive import Derivation, Relation, derive
from ..core.errors import UsageError
from ..core.records import Record
from ..core.stats import median
from ..kb.compiled import CompiledKB

TYPE_CHECKING = False  # no run-time typing import (start-up time)
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any, Protocol

    class HasValidity(Protocol):
        """What :func:`range_check` reads of an entry: a compiled one, or a loaded (pydantic) one in transfer."""

        @property
        def validity(self) -> Mapping[str, Sequence[float]]: ...

__all__ = [
    "FILLABLE",
    "GROUP_ORDER",
    "Assumption",
    "Result",
    "Spread",
    "Config",
    "Conflict",
    "Skipped",
    "QueryResult",
    "resolve",
]

#: Conventions the shape equations cannot tell: assumed first, before anything is solved backwards
#: (otherwise C = ... or N = ... would be solved for the vocabulary size).
FILL_FIRST = ("vocab_size", "seq_len")
#: Shape values assumed only if they still do not follow from the inputs.
FILL_LATER = ("n_layers", "d_model")
FILLABLE = FILL_FIRST + FILL_LATER
#: Published configs within this factor of the closest one count as equally near.
NEAR_FACTOR = 1.05
#: The order in which reports show groups of quantities.
GROUP_ORDER = (
    "learning-rate", "batch-size", "allocation", "loss", "schedule", "optimizer", "parameterization", "shape",
    "size", "compute",
)
_HEURISTIC_KINDS = ("law", "rule", "schedule", "parameterization")
#: User inputs disagreeing with what definitions imply by more than this are reported.
CONFLICT_TOLERANCE = 0.25


class Assumption(Record):
    """An input the resolver filled in, and from where."""

    __slots__ = ("symbol", "value", "entry", "why")
    symbol: str
    value: float
    entry: str
    why: str


class Derived(Record):
    """A value that follows exactly from definitions."""

    __slots__ = ("symbol", "value", "entry", "formula", "inputs")
    symbol: str
    value: float
    entry: str
    formula: str
    inputs: list[str]


class Result(Record):
    """One entry's answer for one symbol."""

    __slots__ = ("symbol", "value", "entry", "entry_version", "title", "citation", "reference", "formula",
                 "in_range", "warnings", "status", "kind", "group", "unit", "inputs")
    symbol: str
    value: float
    entry: str
    entry_version: int
    title: str
    citation: str
    reference: str
    formula: str
    in_range: bool
    warnings: list[str]
    status: str
    kind: str
    group: str
    unit: str
    inputs: dict[str, float]


class Spread(Record):
    """How far the in-range answers for one symbol lie apart (max_min_ratio is None when min is 0)."""

    __slots__ = ("n", "min", "median", "max", "max_min_ratio", "n_out_of_range")
    n: int
    min: float
    median: float
    max: float
    max_min_ratio: float | None
    n_out_of_range: int


class Config(Record):
    """A published config near the query."""

    __slots__ = ("model", "entry", "where", "distance", "values", "texts")
    model: str
    entry: str
    where: str
    distance: float
    values: dict[str, float]
    texts: dict[str, str]


class Conflict(Record):
    """A user input that disagrees with what the definitions imply."""

    __slots__ = ("symbol", "given", "implied", "entry", "message")
    symbol: str
    given: float
    implied: float
    entry: str
    message: str


class Skipped(Record):
    """An entry that did not apply, and the inputs it lacked."""

    __slots__ = ("entry", "missing")
    entry: str
    missing: list[str]


class QueryResult:
    """Everything a query found; :meth:`to_dict` is the ``--json`` contract."""

    def __init__(self, kb_version: str, inputs: dict[str, float], assumptions: list[Assumption],
                 derived: list[Derived], results: list[Result], spread: dict[str, Spread],
                 nearest_configs: list[Config], conflicts: list[Conflict], skipped: list[Skipped],
                 kb_problems: int = 0, notes: list[str] | None = None) -> None:
        self.kb_version = kb_version
        self.inputs = inputs
        self.assumptions = assumptions
        self.derived = derived
        self.results = results
        self.spread = spread
        self.nearest_configs = nearest_configs
        self.conflicts = conflicts
        self.skipped = skipped
        self.kb_problems = kb_problems
        self.notes = notes or []

    def to_dict(self) -> dict[str, Any]:
        return {
            "kb_version": self.kb_version,
            "inputs": dict(self.inputs),
            "assumptions": [a._asdict() for a in self.assumptions],
            "derived": [d._asdict() for d in self.derived],
            "results": [r._asdict() for r in self.results],
            "spread": {k: v._asdict() for k, v in self.spread.items()},
            "nearest_configs": [c._asdict() for c in self.nearest_configs],
            "conflicts": [c._asdict() for c in self.conflicts],
            "skipped": [s._asdict() for s in self.skipped],
            "kb_problems": self.kb_problems,
            "notes": list(self.notes),
        }

    def results_for(self, symbol: str) -> list[Result]:
        return [r for r in self.results if r.symbol == symbol]


# ---------------------------------------------------------------------------- helpers


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def _nearest_rows(kb: CompiledKB, values: Mapping[str, float], need: str | None = None) -> list[tuple]:
    """Recipe rows sorted by distance to the query, |log N| if N is known, else |log d_model|:
    (distance, entry id, model, row) tuples (Config records are built only for the ones shown)."""
    key = next((k for k in ("N", "d_model") if k in values and values[k] > 0), None)
    if key is None:
        return []
    target = math.log(values[key])
    rows = []
    for entry in kb.entries:
        if entry.kind != "recipe":
            continue
        for row in entry.table:
            numbers = row.get("numbers", {})
            if key not in numbers or numbers[key] <= 0 or (need is not None and need not in numbers):
                continue
            rows.append((round(abs(math.log(numbers[key]) - target), 12), entry.id, str(row["model"]), row))
    rows.sort(key=lambda item: item[:3])
    return rows


def _config(item: tuple) -> Config:
    distance, entry_id, model, row = item
    return Config(model, entry_id, str(row["where"]), distance, dict(row["numbers"]), dict(row.get("texts", {})))


def _definitions(kb: CompiledKB, include_drafts: bool) -> list[Relation]:
    return [rel for e in kb.entries if e.kind == "definition" and e.active(include_drafts) for rel in e.relations]


def _derived_list(derivation: Derivation, inputs: Mapping[str, float]) -> list[Derived]:
    out = []
    for symbol, step in sorted(derivation.steps.items()):
        if symbol in inputs:
            continue
        formula = step.relation.source if step.direction == "forward" else (
            f"{step.relation.output} = {step.relation.source}, solved for {symbol}")
        out.append(Derived(symbol, float(derivation.values[symbol]), step.relation.entry_id, formula,
                           list(step.inputs)))
    return out


def _fill_assumptions(
    kb: CompiledKB, definitions: list[Relation], inputs: dict[str, float], include_drafts: bool
) -> tuple[Derivation, list[Assumption]]:
    """Fill missing shape values one at a time, re-deriving after each."""
    known = dict(inputs)
    assumptions: list[Assumption] = []
    derivation = derive(definitions, known, allow_backward=False, conflict_tol=CONFLICT_TOLERANCE)
    for phase in (FILL_FIRST, FILL_LATER):
        for symbol in phase:
            values = derivation.values
            if symbol in values:
                continue
            anchors = ("N", "N_ne") if symbol == "d_model" else ("d_model", "N")
            if not any(a in values for a in anchors):
                continue  # nothing to anchor an assumption on
            filled = _fill_from_rules(kb, symbol, values, include_drafts) or _fill_from_configs(kb, symbol, values)
            if filled is None:
                continue
            assumptions.append(filled)
            known[symbol] = filled.value
            derivation = derive(definitions, known, allow_backward=False, conflict_tol=CONFLICT_TOLERANCE)
        derivation = derive(definitions, known, conflict_tol=CONFLICT_TOLERANCE)
    return derivation, assumptions


def _fill_from_rules(
    kb: CompiledKB, symbol: str, values: Mapping[str, float], include_drafts: bool
) -> Assumption | None:
    for entry in kb.entries:
        if symbol not in entry.defaults_for or not entry.active(include_drafts):
            continue
        result = derive(entry.relations, values, allow_backward=False)
        if symbol in result.values:
            value = float(result.values[symbol])
            formula = entry.equations.get(symbol, "")
            inputs = ", ".join(f"{k} = {_fmt(values[k])}" for k in sorted(result.steps[symbol].inputs) if k in values)
            return Assumption(symbol, value, entry.id, f"not given; {entry.title}: {symbol} = {formula} with {inputs}")
    return None


def _fill_from_configs(kb: CompiledKB, symbol: str, values: Mapping[str, float]) -> Assumption | None:
    """The most common value among the published configs nearest to the query."""
    rows = _nearest_rows(kb, values, need=symbol)
    if not rows:
        return None
    limit = rows[0][0] + math.log(NEAR_FACTOR)
    near = [_config(item) for item in rows if item[0] <= limit]
    counts: dict[float, int] = {}
    for row in near:
        counts[row.values[symbol]] = counts.get(row.values[symbol], 0) + 1
    best = max(counts.values())
    value = next(row.values[symbol] for row in near if counts[row.values[symbol]] == best)
    first = next(row for row in near if row.values[symbol] == value)
    anchor = "N" if "N" in values else "d_model"
    models = ", ".join(row.model for row in near[:6]) + (", ..." if len(near) > 6 else "")
    return Assumption(
        symbol, float(value), first.entry,
        f"not given; the most common value ({best} of {len(near)}) among the published configs nearest by "
        f"{anchor}: {models}",
    )


def range_check(entry: HasValidity, env: Mapping[str, float]) -> tuple[bool, list[str]]:
    """Whether every known input lies in the entry's validity range, and notes on each that does not
    (or that could not be checked)."""
    ok = True
    notes = []
    for symbol, (lo, hi) in sorted(entry.validity.items()):
        if symbol not in env:
            notes.append(f"range of {symbol} not checked ({symbol} unknown; source range {_fmt(lo)}..{_fmt(hi)})")
            continue
        value = float(env[symbol])
        if not lo <= value <= hi:
            ok = False
            side = "above" if value > hi else "below"
            notes.append(f"extrapolation: {symbol} = {_fmt(value)} is {side} the source's range "
                         f"{_fmt(lo)}..{_fmt(hi)}")
    return ok, notes


def _spread(results: Iterable[Result]) -> dict[str, Spread]:
    by_symbol: dict[str, list[Result]] = {}
    for r in results:
        by_symbol.setdefault(r.symbol, []).append(r)
    out = {}
    for symbol, rows in sorted(by_symbol.items()):
        inside = sorted(r.value for r in rows if r.in_range)
        outside = sum(1 for r in rows if not r.in_range)
        if not inside:
            continue
        lo, hi = inside[0], inside[-1]
        ratio = hi / lo if lo > 0 else None  # undefined when an answer is 0 (JSON has no infinity)
        out[symbol] = Spread(len(inside), lo, median(inside), hi, ratio, outside)
    return out


def _group_rank(group: str) -> int:
    return GROUP_ORDER.index(group) if group in GROUP_ORDER else len(GROUP_ORDER)


# ---------------------------------------------------------------------------- the resolver


def resolve(
    kb: CompiledKB,
    inputs: Mapping[str, float],
    topics: Iterable[str] = (),
    entries: Iterable[str] = (),
    include_drafts: bool = False,
    nearest: int = 5,
) -> QueryResult:
    """Evaluate every applicable entry for ``inputs`` (registry symbol -> positive number)."""
    inputs = {k: float(v) for k, v in inputs.items()}
    unknown = sorted(set(inputs) - set(kb.symbols))
    if unknown:
        raise UsageError(f"unknown symbol(s): {', '.join(unknown)} (see heuristics/symbols.yaml)")
    wanted_entries = set(entries)
    missing_ids = sorted(wanted_entries - {e.id for e in kb.entries})
    if missing_ids:
        raise UsageError(f"no entry with id {missing_ids[0]!r} (see 'hpguide list')")
    wanted_topics = set(topics)
    if not inputs:
        raise UsageError("nothing to compute: give at least one of --params, --d-model, --compute")

    definitions = _definitions(kb, include_drafts)
    derivation, assumptions = _fill_assumptions(kb, definitions, inputs, include_drafts)
    context = derivation.values
    conflicts = [
        Conflict(symbol, float(given), float(implied), rel.entry_id,
                 f"{symbol} = {_fmt(float(given))} disagrees with {_fmt(float(implied))} implied by "
                 f"{rel.entry_id} ({symbol} = {rel.source}); the given value is used")
        for symbol, given, implied, rel in derivation.conflicts
    ]

    results: list[Result] = []
    skipped: list[Skipped] = []
    for entry in kb.entries:
        if entry.kind not in _HEURISTIC_KINDS or not entry.active(include_drafts):
            continue
        if wanted_entries and entry.id not in wanted_entries:
            continue
        if wanted_topics and not wanted_topics & set(entry.topics):
            continue
        local = derive(entry.relations, context, allow_backward=False)
        produced = [rel for rel in entry.relations if rel.output in local.steps]
        if not produced:
            needs = sorted({name for rel in entry.relations for name in rel.inputs if name not in local.values})
            if needs:
                skipped.append(Skipped(entry.id, needs))
            continue
        in_range, range_notes = range_check(entry, local.values)
        base_warnings = list(entry.warnings)
        if entry.status in ("disputed", "draft"):
            base_warnings.insert(0, f"entry status: {entry.status}")
        for rel in produced:
            value = float(local.values[rel.output])
            meta = kb.symbols.get(rel.output, {})
            used = {name: float(local.values[name]) for name in sorted(rel.inputs)}
            results.append(Result(
                symbol=rel.output, value=value, entry=entry.id, entry_version=entry.version, title=entry.title,
                citation=entry.citation, reference=entry.reference, formula=f"{rel.output} = {rel.source}",
                in_range=in_range,
                warnings=range_notes + base_warnings, status=entry.status, kind=entry.kind,
                group=str(meta.get("group", "")), unit=str(meta.get("unit", "")), inputs=used,
            ))
    if not derivation.steps and not any(r.inputs for r in results):
        # constant rules (e.g. Adam's beta2) answer any query; they do not make one meaningful
        given = ", ".join(sorted(inputs))
        raise UsageError(f"nothing follows from {given} alone: give at least one of --params, --d-model, "
                         "--compute (with --tokens for data-dependent laws)")
    results.sort(key=lambda r: (_group_rank(r.group), r.symbol, r.entry))
    notes = []
    if kb.problems:
        notes.append(f"the KB has {kb.problems} invalid entr{'y' if kb.problems == 1 else 'ies'} that were "
                     "left out: run 'hpguide validate'")
    return QueryResult(
        kb_version=kb.kb_version,
        inputs=dict(sorted(inputs.items())),
        assumptions=assumptions,
        derived=_derived_list(derivation, inputs),
        results=results,
        spread=_spread(results),
        nearest_configs=[_config(item) for item in _nearest_rows(kb, context)[:nearest]],
        conflicts=conflicts,
        skipped=sorted(skipped, key=lambda s: s.entry),
        kb_problems=kb.problems,
        notes=notes,
    )
