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
from ..core.quantities import format_computed, format_exact
from ..core.records import Record
from ..core.stats import median
from ..kb.compiled import CompiledEntry, CompiledKB
from .summary import Summary, quantity_summary

TYPE_CHECKING = False  # no run-time typing import (start-up time)
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any, Protocol

    class HasValidity(Protocol):
        """What :func:`range_check` reads of an entry: a compiled one, or a loaded (pydantic) one in transfer."""

        @property
        def validity(self) -> Mapping[str, Sequence[float]]: ...

        @property
        def unranged(self) -> Mapping[str, str]: ...

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
    "range_check",
    "usability",
    "consistency_conflicts",
    "comparability_key",
    "band_draws",
    "uncertainty_band",
    "spread_groups",
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
#: A given value that an assumed shape contradicts by more than this is reported (the derived values follow
#: the shape, so the user should know they do not follow the given value).
ASSUMED_SHAPE_TOLERANCE = 0.05


class Assumption(Record):
    """An input the resolver filled in, and from where."""

    __slots__ = ("symbol", "value", "entry", "why", "alternatives")
    symbol: str
    value: float
    entry: str
    why: str
    # the other values the nearest published configs use, [{value, count}] most common first ([] for a rule)
    alternatives: list[dict[str, float]]


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
                 "in_range", "warnings", "notes", "status", "kind", "group", "unit", "inputs", "usable", "why",
                 "context", "band")
    symbol: str
    value: float
    entry: str
    entry_version: int
    title: str
    citation: str
    reference: str
    formula: str
    in_range: bool
    warnings: list[str]  # every caveat: the row's own notes first, then the entry's warnings
    notes: list[str]  # the caveats of this row alone (no usable value, ranges, status, values it borrowed)
    status: str
    kind: str
    group: str
    unit: str
    inputs: dict[str, float]
    usable: bool
    why: str | None
    context: dict[str, str]
    band: dict[str, Any] | None


class Spread(Record):
    """How far the usable in-range answers for one symbol lie apart (max_min_ratio is None when min is 0).

    ``n_out_of_range`` counts usable answers outside their source's range, ``n_unusable`` answers that are
    no value at all (non-physical, or where the source says the law breaks down); neither is in the spread.
    Only comparable answers are pooled: ``conventions`` are the context values they share (the registry's
    ``comparable_by`` keys of the symbol), ``entries`` the entries pooled. The counts are of that group.
    ``bands_overlap``: whether the published-uncertainty bands of the pooled rows share a value (None when
    fewer than two rows have one).
    """

    __slots__ = ("n", "min", "median", "max", "max_min_ratio", "n_out_of_range", "n_unusable", "conventions",
                 "entries", "bands_overlap")
    n: int
    min: float
    median: float
    max: float
    max_min_ratio: float | None
    n_out_of_range: int
    n_unusable: int
    conventions: dict[str, str]
    entries: list[str]
    bands_overlap: bool | None


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
    """Inputs that disagree with what the definitions imply or with each other (``implied`` is None when no
    single value follows, e.g. a width the number of heads does not divide)."""

    __slots__ = ("symbol", "given", "implied", "entry", "message")
    symbol: str
    given: float
    implied: float | None
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
                 kb_problems: int = 0, notes: list[str] | None = None,
                 spread_groups: dict[str, list[Spread]] | None = None,
                 summary: dict[str, Summary] | None = None) -> None:
        self.kb_version = kb_version
        self.inputs = inputs
        self.assumptions = assumptions
        self.derived = derived
        self.results = results
        self.spread = spread  # per symbol, the largest group of comparable answers (see spread_groups)
        self.spread_groups = spread_groups or {}
        self.nearest_configs = nearest_configs
        self.conflicts = conflicts
        self.skipped = skipped
        self.kb_problems = kb_problems
        self.notes = notes or []
        self.summary = summary or {}  # per symbol, hpguide's synthesis (resolver.summary), in results order

    def to_dict(self) -> dict[str, Any]:
        return {
            "kb_version": self.kb_version,
            "inputs": dict(self.inputs),
            "assumptions": [a._asdict() for a in self.assumptions],
            "derived": [d._asdict() for d in self.derived],
            "results": [r._asdict() for r in self.results],
            "spread": {k: v._asdict() for k, v in self.spread.items()},
            "spread_groups": {k: [s._asdict() for s in v] for k, v in self.spread_groups.items()},
            "nearest_configs": [c._asdict() for c in self.nearest_configs],
            "conflicts": [c._asdict() for c in self.conflicts],
            "skipped": [s._asdict() for s in self.skipped],
            "kb_problems": self.kb_problems,
            "notes": list(self.notes),
            "summary": {k: v._asdict() for k, v in self.summary.items()},
        }

    def results_for(self, symbol: str) -> list[Result]:
        return [r for r in self.results if r.symbol == symbol]


# ---------------------------------------------------------------------------- helpers


def _fmt(value: float) -> str:
    """A computed value in a message (3 significant digits, the one display rule)."""
    return format_computed(value)


def _exact(value: float) -> str:
    """A published or given value in a message, exactly as it reads."""
    return format_exact(value)


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


#: A config that does not publish D counts as this far off in log D when ranking by N and D together.
MISSING_D_DISTANCE = math.log(10.0)


def _year(citation: str) -> int:
    """The year of an entry's citation ("Hoffmann et al. 2022, arXiv:..." -> 2022; 0 when none)."""
    word = citation.split(", ")[0].split(" ")[-1]
    return int(word) if len(word) == 4 and word.isdigit() else 0


def _ranked_rows(kb: CompiledKB, inputs: Mapping[str, float], values: Mapping[str, float]) -> list[tuple]:
    """The published configs in the order the query shows them, by what the user gave: d_model and n_layers
    when given (the log distances summed), else N and D together (a row without D counts
    ``MISSING_D_DISTANCE`` off); ties by closeness in D, then the newer source, then the model's name.
    (distance, entry id, model, row) tuples as :func:`_nearest_rows` gives, with the ranking distance."""
    keys = [k for k in ("d_model", "n_layers") if inputs.get(k, 0) > 0]
    by_tokens = not keys and values.get("D", 0) > 0
    if not keys:
        keys = next(([k] for k in ("N", "d_model") if values.get(k, 0) > 0), [])
    if not keys:
        return []
    tokens = values.get("D", 0)
    rows = []
    for entry in kb.entries:
        if entry.kind != "recipe":
            continue
        year = _year(entry.citation)
        for row in entry.table:
            numbers = row.get("numbers", {})
            if any(numbers.get(k, 0) <= 0 for k in keys):
                continue
            distance = sum(abs(math.log(numbers[k] / values[k])) for k in keys)
            off_d = abs(math.log(numbers["D"] / tokens)) if tokens > 0 and numbers.get("D", 0) > 0 else math.inf
            if by_tokens:
                distance += off_d if off_d < math.inf else MISSING_D_DISTANCE
            rows.append((round(distance, 12), round(off_d, 12) if off_d < math.inf else math.inf,
                         -year, str(row["model"]), entry.id, row))
    rows.sort(key=lambda item: item[:5])
    return [(distance, entry_id, model, row) for distance, _, _, model, entry_id, row in rows]


def _config(item: tuple) -> Config:
    distance, entry_id, model, row = item
    return Config(model, entry_id, str(row["where"]), distance, dict(row["numbers"]), dict(row.get("texts", {})))


def _definition_entries(kb: CompiledKB, include_drafts: bool) -> list[CompiledEntry]:
    """The active definitions, those that refine others first: derive() uses the first relation that can
    give a quantity, so a detailed definition wins wherever all its inputs are known."""
    active = [e for e in kb.entries if e.kind == "definition" and e.active(include_drafts)]
    return sorted(active, key=lambda e: not e.refines)


def _refined_conflicts(definitions: list[CompiledEntry], derivation: Derivation) -> set[tuple[str, str]]:
    """(symbol, entry id) pairs whose disagreement is no conflict: the entry is refined by an active
    definition whose equation for that symbol had every input known (the detailed count supersedes it)."""
    out: set[tuple[str, str]] = set()
    for entry in definitions:
        for rel in entry.relations if entry.refines else ():
            if all(name in derivation.values for name in rel.inputs):
                out.update((rel.output, refined) for refined in entry.refines)
    return out


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
            return Assumption(symbol, value, entry.id, f"not given; {entry.title}: {symbol} = {formula} with {inputs}",
                              [])
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
    # counts keeps first appearance (nearest first); the stable sort puts the most common first
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    others = [{"value": float(v), "count": c} for v, c in ranked if v != value]
    if best * 2 > len(near):
        how = f"the majority value ({best} of {len(near)})"
    else:
        spread = ", ".join(f"{format_exact(float(v))} x{c}" for v, c in ranked)
        tied = sum(1 for c in counts.values() if c == best) > 1
        how = (f"no majority: {len(counts)} different values among {len(near)} configs ({spread}); took "
               f"{format_exact(float(value))}, " + (f"the value of the nearest of the tied configs ({first.model})"
                                                     if tied else f"the most common ({best} of {len(near)})"))
    return Assumption(symbol, float(value), first.entry,
                      f"not given; {how} among the published configs nearest by {anchor}: {models}", others)


def range_check(entry: HasValidity, env: Mapping[str, float],
                symbols: Iterable[str] | None = None) -> tuple[bool, list[str]]:
    """Whether the inputs lie in the entry's validity range, and a note on each that does not (or that
    could not be checked). ``symbols``: the quantities one answer reads (default: every validity key)."""
    ok = True
    notes = []
    names = sorted(entry.validity) if symbols is None else sorted(set(symbols))
    for symbol in names:
        if symbol not in entry.validity:
            if symbol in entry.unranged:
                notes.append(f"no source range for {symbol}: {entry.unranged[symbol]}")
            else:
                ok = False
                notes.append(f"range of {symbol} unknown (the entry gives none), so not checked")
            continue
        lo, hi = entry.validity[symbol]
        if symbol not in env:
            notes.append(f"range of {symbol} not checked ({symbol} unknown; source range {_exact(lo)}..{_exact(hi)})")
            continue
        value = float(env[symbol])
        if not lo <= value <= hi:
            ok = False
            side = "above" if value > hi else "below"
            notes.append(f"extrapolation: {symbol} = {_fmt(value)} is {side} the source's range "
                         f"{_exact(lo)}..{_exact(hi)}")
    return ok, notes


def _reads(derivation: Derivation, symbol: str, seen: set[str] | None = None) -> set[str]:
    """Every quantity the value of ``symbol`` was computed from (itself included), through the steps."""
    seen = set() if seen is None else seen
    if symbol in seen:
        return seen
    seen.add(symbol)
    step = derivation.steps.get(symbol)
    for name in step.inputs if step else ():
        _reads(derivation, name, seen)
    return seen


def _bound_text(bounds: Mapping[str, Any], env: Mapping[str, float]) -> tuple[float | None, float | None, str]:
    """The numeric ends of ``bounds`` (a name resolved through ``env``, None when unknown) and a phrase."""
    def end(key: str) -> tuple[float | None, str]:
        value = bounds[key]
        if isinstance(value, str):
            known = env.get(value)
            return (None if known is None else float(known)), (value if known is None else
                                                               f"{value} = {_fmt(float(known))}")
        return value, ("" if value is None else _exact(value))
    lo, lo_text = end("lo")
    hi, hi_text = end("hi")
    parts = []
    if bounds["lo"] is not None:
        parts.append(f"{'above' if bounds['lo_open'] else 'at least'} {lo_text}")
    if bounds["hi"] is not None:
        parts.append(f"{'below' if bounds['hi_open'] else 'at most'} {hi_text}")
    return lo, hi, " and ".join(parts)


def _inside(value: float, bounds: Mapping[str, Any], lo: float | None, hi: float | None) -> bool:
    below = lo is not None and (value <= lo if bounds["lo_open"] else value < lo)
    above = hi is not None and (value >= hi if bounds["hi_open"] else value > hi)
    return not (below or above)


def usability(kb: CompiledKB, entry: CompiledEntry, symbol: str, value: float, env: Mapping[str, float],
              reads: Iterable[str]) -> str | None:
    """Why ``value`` of ``symbol`` is no answer (None when it is one): not finite, outside the registry's
    physical bounds, outside the entry's output bounds, or read from where the source says the law breaks
    down. The one rule every front end shows (terminal, --json, API, site, calculator)."""
    if not math.isfinite(value):
        return f"not a finite number ({value})"
    physical = kb.symbols.get(symbol, {}).get("physical")
    if physical is not None:
        lo, hi, text = _bound_text(physical, env)
        if not _inside(value, physical, lo, hi):
            what = "negative" if value < 0 and lo == 0 else "zero" if value == 0 and lo == 0 else "non-physical"
            return f"{what}: the formula gives {symbol} = {_fmt(value)}, and {symbol} must be {text}"
    bounds = entry.output_bounds.get(symbol)
    if bounds is not None:
        lo, hi, text = _bound_text(bounds, env)
        if not _inside(value, bounds, lo, hi):
            return f"{symbol} = {_fmt(value)} is not {text}: {bounds['why']}"
    read = set(reads)
    for limit in entry.breaks_down:
        name = limit["symbol"]
        if name not in read or name not in env:
            continue
        lo, hi, text = _bound_text(limit, env)
        if _inside(float(env[name]), limit, lo, hi):
            return (f"{name} = {_fmt(float(env[name]))}: the source says the law breaks down {text} "
                    f"({limit['where']})")
    return None


def comparability_key(kb: CompiledKB, row: Result) -> tuple[tuple[str, str], ...]:
    """The conventions that make two answers for ``row.symbol`` comparable: the registry's ``comparable_by``
    keys of the symbol with the entry's context values. A value the entry does not state makes the answer
    comparable with none but itself."""
    keys = kb.symbols.get(row.symbol, {}).get("comparable_by", [])
    return tuple((k, row.context.get(k, f"unstated by {row.entry}")) for k in keys)


def _spread_of(rows: list[Result], conventions: dict[str, str]) -> Spread | None:
    inside = sorted(r.value for r in rows if r.usable and r.in_range)
    if not inside:
        return None
    lo, hi = inside[0], inside[-1]
    ratio = hi / lo if lo > 0 else None  # undefined when an answer is 0 (JSON has no infinity)
    bands = [r.band for r in rows if r.usable and r.in_range and r.band]
    overlap = max(b["lo"] for b in bands) <= min(b["hi"] for b in bands) if len(bands) > 1 else None
    return Spread(len(inside), lo, median(inside), hi, ratio, sum(1 for r in rows if r.usable and not r.in_range),
                  sum(1 for r in rows if not r.usable), conventions, sorted({r.entry for r in rows}), overlap)


def spread_groups(kb: CompiledKB, results: Iterable[Result]) -> dict[str, list[Spread]]:
    """Per symbol, one spread per group of comparable answers, the group with the most in-range answers
    first (then the most answers, then by conventions)."""
    by_key: dict[str, dict[tuple, list[Result]]] = {}
    for r in results:
        by_key.setdefault(r.symbol, {}).setdefault(comparability_key(kb, r), []).append(r)
    out = {}
    for symbol, groups in sorted(by_key.items()):
        spreads = [s for key, rows in groups.items() if (s := _spread_of(rows, dict(key))) is not None]
        spreads.sort(key=lambda s: (-s.n, -(s.n + s.n_out_of_range + s.n_unusable), sorted(s.conventions.items())))
        if spreads:
            out[symbol] = spreads
    return out


def _quantile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default method)."""
    position = q * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _band_plan(unc: dict[str, Any]) -> tuple[dict[str, tuple[Any, frozenset[str]]], dict[str, list[float]]]:
    """The entry's band trees compiled over lists, and its draws by constant name: made once per loaded KB
    (kept in its uncertainty dict), not per answer."""
    if "plan" not in unc:
        from ..core.evaluate import compile_lists, tree_names

        compiled = {out: (compile_lists(tree), tree_names(tree)) for out, tree in unc["trees"].items()}
        unc["plan"] = (compiled, dict(zip(unc["constants"], unc["columns"])))
    return unc["plan"]


def band_draws(entry: CompiledEntry, env: Mapping[str, float]) -> dict[str, list[float]] | None:
    """Every output of the entry under each draw of the source's uncertainty of its constants, on the same
    inputs (its intermediates too): the finite values per output, computed once for all of its answers
    and over all draws at once (each draw gets what a scalar evaluation would give it)."""
    unc = entry.uncertainty
    if unc is None:
        return None
    compiled, columns = _band_plan(unc)
    n = len(unc["columns"][0])
    local: dict[str, Any] = {k: v for k, v in env.items() if k not in compiled}
    local.update(columns)
    for _ in compiled:  # intermediates first, whatever the order the entry writes them in
        for out, (fn, names) in compiled.items():
            if out not in local and names <= local.keys():
                local[out] = fn(local)
    values: dict[str, list[float]] = {}
    for out in compiled:
        column = local.get(out, math.nan)
        if type(column) is not list:
            column = [column] * n
        values[out] = [v for v in column if v - v == 0.0]  # finite: inf - inf and nan - nan are NaN
    return values


def uncertainty_band(entry: CompiledEntry, symbol: str, env: Mapping[str, float],
                     draws: Mapping[str, list[float]] | None = None) -> dict[str, Any] | None:
    """The central band of ``symbol`` over the draws of the source's uncertainty of the entry's constants
    (``draws``: :func:`band_draws` of the same inputs, when already computed). ``origin`` says whether the
    source published the draws or hpguide recomputed them by the source's method."""
    unc = entry.uncertainty
    if unc is None or symbol not in unc["trees"]:
        return None
    values = sorted((draws if draws is not None else band_draws(entry, env) or {}).get(symbol, ()))
    if len(values) < len(unc["columns"][0]) // 2 or not values:
        return None
    tail = (1 - unc["level"]) / 2
    return {"lo": _quantile(values, tail), "hi": _quantile(values, 1 - tail), "level": unc["level"],
            "method": unc["method"], "draws": len(values), "where": unc["where"], "origin": unc["origin"]}


def _provenance(symbol: str, inputs: Mapping[str, float], assumptions: list[Assumption],
                derivation: Derivation) -> str:
    if symbol in inputs:
        return "given"
    for a in assumptions:
        if a.symbol == symbol:
            return f"assumed from {a.entry}"
    step = derivation.steps.get(symbol)
    return f"derived by {step.relation.entry_id} from {', '.join(step.inputs)}" if step else "known"


def _status_notes(entry: CompiledEntry) -> list[str]:
    """The row note every answer of a disputed or draft entry carries."""
    return [f"entry status: {entry.status}"] if entry.status in ("disputed", "draft") else []


def inverse_rows(kb: CompiledKB, entry: CompiledEntry, context: Mapping[str, float]) -> list[Result]:
    """The inverse question of a compute-optimal law at the query's N: the budget C for which N is the law's
    N_opt (its equation solved for C at compile time) and the law's D_opt at that budget; rows ``C_at_N`` and
    ``D_at_N``, range-checked and judged usable like every answer."""
    rel = next((r for r in entry.relations if r.output == "N_opt" and r.inverses.get("C")), None)
    if rel is None:
        return []
    outputs = {r.output for r in entry.relations}
    own = {k: v for k, v in context.items() if k not in outputs and k != "C"}
    own["N_opt"] = context["N"]
    local = derive(entry.relations, own)
    if "C" not in local.values:
        return []
    status_notes = _status_notes(entry)
    question = (f"if N = {_fmt(float(context['N']))} is to be compute-optimal: {rel.output} = {rel.source} "
                "solved for C")
    out = []
    for symbol, source in (("C_at_N", "C"), ("D_at_N", "D_opt")):
        if source not in local.values:
            continue
        value = float(local.values[source])
        reads = _reads(local, source) | {"N_opt"}
        checked = {name for name in reads if name in entry.validity}
        in_range, range_notes = range_check(entry, local.values, checked)
        why = usability(kb, entry, symbol, value, local.values, reads)
        meta = kb.symbols.get(symbol, {})
        row_notes = ([f"no usable value: {why}"] if why else []) + range_notes + status_notes
        formula = question if source == "C" else f"{question}, then D_opt = {entry.equations.get('D_opt', '')}"
        out.append(Result(
            symbol=symbol, value=value, entry=entry.id, entry_version=entry.version, title=entry.title,
            citation=entry.citation, reference=entry.reference, formula=formula, in_range=in_range,
            warnings=[*row_notes, *entry.warnings], notes=row_notes, status=entry.status, kind=entry.kind,
            group=str(meta.get("group", "")), unit=str(meta.get("unit", "")),
            inputs={"N_opt": float(context["N"])}, usable=why is None, why=why, context=dict(entry.context),
            band=None))
    return out


def consistency_conflicts(kb: CompiledKB, derivation: Derivation, inputs: Mapping[str, float],
                          assumptions: list[Assumption]) -> list[Conflict]:
    """Known values (given, assumed or derived) that contradict each other: a value outside the registry's
    physical bounds (N_ne above N, a sequence longer than the training tokens, ...), or a width that the
    number of heads does not divide."""
    values = derivation.values
    out = []
    for symbol in sorted(values):
        physical = kb.symbols.get(symbol, {}).get("physical")
        value = values[symbol]
        if physical is None or not isinstance(value, float | int):
            continue
        lo, hi, text = _bound_text(physical, values)
        if _inside(float(value), physical, lo, hi):
            continue
        names = [n for n in (physical["lo"], physical["hi"]) if isinstance(n, str) and n in values]
        origin = "; ".join(f"{n}: {_provenance(n, inputs, assumptions, derivation)}" for n in [symbol, *names])
        implied = lo if lo is not None and float(value) <= lo else hi
        out.append(Conflict(
            symbol, float(value), None if implied is None else float(implied), "",
            f"{symbol} = {_fmt(float(value))} contradicts the other inputs: {symbol} must be {text} ({origin}); "
            "check the inputs: answers that read these values are not trustworthy"))
    if "d_model" in values and "n_heads" in values and values["n_heads"] > 0:
        d_model, heads = float(values["d_model"]), float(values["n_heads"])
        if d_model / heads != int(d_model / heads):
            out.append(Conflict(
                "n_heads", heads, None, "",
                f"n_heads = {_fmt(heads)} does not divide d_model = {_fmt(d_model)} "
                f"(n_heads: {_provenance('n_heads', inputs, assumptions, derivation)}; "
                f"d_model: {_provenance('d_model', inputs, assumptions, derivation)})"))
    return out


def assumed_shape_conflicts(derivation: Derivation, inputs: Mapping[str, float], assumptions: list[Assumption],
                            skip: set[tuple[str, str]]) -> list[Conflict]:
    """A given value (N) that the assumed shape contradicts by more than ASSUMED_SHAPE_TOLERANCE, among
    derive()'s checks: what is derived from that shape (N_ne) follows the shape, not the given value, and the
    user is told so. Larger disagreements are derive()'s conflicts already; ``skip`` holds those and the
    refined pairs."""
    assumed = {a.symbol for a in assumptions}
    out: list[Conflict] = []
    for symbol, _known, implied_value, rel in derivation.checks:
        if symbol not in inputs or (symbol, rel.entry_id) in skip or any(c.symbol == symbol for c in out):
            continue
        shape = sorted({a for name in rel.inputs for a in _reads(derivation, name) if a in assumed})
        if not shape:
            continue
        implied, given = float(implied_value), float(inputs[symbol])
        if abs(implied - given) <= ASSUMED_SHAPE_TOLERANCE * max(abs(implied), abs(given)):
            continue
        followers = sorted(name for name in derivation.steps if name not in inputs and name != symbol
                           and set(shape) & _reads(derivation, name))
        assumed_text = ", ".join(f"{name} = {_exact(float(derivation.values[name]))}" for name in shape)
        follow_text = ", ".join(f"{name} = {_fmt(float(derivation.values[name]))}" for name in followers)
        side = "below" if implied < given else "above"
        out.append(Conflict(
            symbol, given, implied, rel.entry_id,
            f"{symbol} = {_exact(given)} is given, but the assumed {assumed_text} give {symbol} = {_fmt(implied)} "
            f"by {rel.entry_id}, {_fmt(abs(implied / given - 1) * 100)} % {side}: "
            + (f"{follow_text} follow{'s' if len(followers) == 1 else ''} the assumed shape, not the given "
               f"{symbol}; " if followers else "")
            + "give the shape to settle it"))
    return out


def _refuse_unread_inputs(inputs: Mapping[str, float], derivation: Derivation, read_by_results: set[str],
                          skipped: list[Skipped], kb: CompiledKB, include_drafts: bool) -> None:
    """Every input is used or refused: a value no definition and no answer read is an error, never an echo."""
    read = set(read_by_results)
    for step in derivation.steps.values():
        read.update(step.inputs)
    values = derivation.values
    for entry in kb.entries:
        if entry.kind != "definition" or not entry.active(include_drafts):
            continue
        for rel in entry.relations:  # a definition whose every term is known checks the given values
            if rel.output in values and all(name in values for name in rel.inputs):
                read.update(rel.inputs)
                read.add(rel.output)
    if "d_model" in values and "n_heads" in values:
        read.update(("d_model", "n_heads"))  # the divisibility check of consistency_conflicts
    unread = sorted(set(inputs) - read)
    if not unread:
        return
    details = []
    for symbol in unread:
        waiting = [f"{s.entry} (also needs {', '.join(m for m in s.missing if m != symbol)})" for s in skipped
                   if any(symbol in rel.inputs for e in kb.entries if e.id == s.entry for rel in e.relations)]
        waiting += [f"{e.id} (also needs {', '.join(needs)})" for e in kb.entries
                    if e.kind == "definition" and e.active(include_drafts)
                    for needs in [_still_needed(e, symbol, values)] if needs]
        drafts = [e.id for e in kb.entries if not e.active(include_drafts) and e.status == "draft"
                  and any(symbol in rel.inputs for rel in e.relations)]
        hint = (f"; it is read by {', '.join(waiting)}" if waiting else
                f"; only draft entries read it ({', '.join(drafts)}: add --include-drafts)" if drafts else
                "; no entry of the KB reads it yet")
        details.append(f"{symbol} = {_exact(inputs[symbol])}{hint}")
    raise UsageError("given but used by nothing that applies: " + "; ".join(details)
                     + ". Remove it, or add what the entries need")


def _still_needed(entry: CompiledEntry, symbol: str, values: Mapping[str, Any]) -> list[str]:
    """What a definition reading ``symbol`` lacks to use it: the unknown inputs of its equations that read
    it, other than ``symbol`` itself (empty when no equation reads it)."""
    needs = {name for rel in entry.relations if symbol in rel.inputs for name in rel.inputs
             if name != symbol and name not in values}
    return sorted(needs)


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
    refuse_unused: bool = True,
) -> QueryResult:
    """Evaluate every applicable entry for ``inputs`` (registry symbol -> positive number).

    An input that nothing reads is a UsageError (every input is used or refused); ``refuse_unused=False``
    is for callers that run fixed queries against KBs that may lack the entries reading them (kbdiff).
    """
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

    definition_entries = _definition_entries(kb, include_drafts)
    definitions = [rel for e in definition_entries for rel in e.relations]
    derivation, assumptions = _fill_assumptions(kb, definitions, inputs, include_drafts)
    context = derivation.values
    refined = _refined_conflicts(definition_entries, derivation)
    conflicts = [
        Conflict(symbol, float(given), float(implied), rel.entry_id,
                 f"{symbol} = {_fmt(float(given))} disagrees with {_fmt(float(implied))} implied by "
                 f"{rel.entry_id} ({symbol} = {rel.source}); the given value is used")
        for symbol, given, implied, rel in derivation.conflicts if (symbol, rel.entry_id) not in refined
    ] + consistency_conflicts(kb, derivation, inputs, assumptions)
    conflicts += assumed_shape_conflicts(derivation, inputs, assumptions,
                                         refined | {(c.symbol, c.entry) for c in conflicts})

    results: list[Result] = []
    skipped: list[Skipped] = []
    read_by_results: set[str] = set()
    ask_inverse = "N" in context and "N" not in {a.symbol for a in assumptions}  # N fixed, not assumed
    for entry in kb.entries:
        if entry.kind not in _HEURISTIC_KINDS or not entry.active(include_drafts):
            continue
        if wanted_entries and entry.id not in wanted_entries:
            continue
        if wanted_topics and not wanted_topics & set(entry.topics):
            continue
        # an entry's answers come from its own equations: a known value of one of its outputs (given,
        # assumed or derived) is set aside, compared below, and used only where the entry cannot compute it
        outputs = {rel.output for rel in entry.relations}
        own = {k: v for k, v in context.items() if k not in outputs}
        local = derive(entry.relations, own, allow_backward=False)
        lent = {k: context[k] for k in outputs if k in context and k not in local.values}
        if lent:
            local = derive(entry.relations, {**own, **lent}, allow_backward=False)
        if ask_inverse and entry.kind == "law":
            results += inverse_rows(kb, entry, context)
        produced = [rel for rel in entry.relations if rel.output in local.steps]
        if not produced:
            needs = sorted({name for rel in entry.relations for name in rel.inputs if name not in local.values})
            if needs:
                skipped.append(Skipped(entry.id, needs))
            continue
        # validity keys no equation reads are conditions of the whole entry (the model sizes a schedule was
        # used on): every answer of the entry is checked against them
        conditions = set(entry.validity) - {n for r in entry.relations for n in (r.output, *r.inputs)}
        status_notes = _status_notes(entry)
        draws = None  # the entry's band draws, computed once for all of its answers
        for rel in produced:
            value = float(local.values[rel.output])
            meta = kb.symbols.get(rel.output, {})
            used = {name: float(local.values[name]) for name in sorted(rel.inputs)}
            # every quantity this answer was computed from, the entry's own intermediates (N_opt) included
            reads = _reads(local, rel.output)
            read_by_results |= reads
            checked = {name for name in reads if name in entry.validity or
                       (name not in local.steps and name in kb.symbols)} | conditions
            in_range, range_notes = range_check(entry, local.values, checked)
            why = usability(kb, entry, rel.output, value, local.values, reads)
            if why is None and draws is None and entry.uncertainty is not None:
                draws = band_draws(entry, local.values)
            others = [f"{name} = {_fmt(float(context[name]))} is {_provenance(name, inputs, assumptions, derivation)}, "
                      f"not computed by this entry" for name in sorted(reads & set(lent))]
            if rel.output in context and not math.isclose(float(context[rel.output]), value, rel_tol=1e-9):
                others.insert(0, f"{rel.output} = {_fmt(float(context[rel.output]))} is "
                                 f"{_provenance(rel.output, inputs, assumptions, derivation)}; this entry gives "
                                 f"{_fmt(value)}")
            row_notes = ([f"no usable value: {why}"] if why else []) + others + range_notes + status_notes
            results.append(Result(
                symbol=rel.output, value=value, entry=entry.id, entry_version=entry.version, title=entry.title,
                citation=entry.citation, reference=entry.reference, formula=f"{rel.output} = {rel.source}",
                in_range=in_range,
                warnings=[*row_notes, *entry.warnings], notes=row_notes,
                status=entry.status, kind=entry.kind, group=str(meta.get("group", "")),
                unit=str(meta.get("unit", "")), inputs=used, usable=why is None, why=why,
                context=dict(entry.context),
                band=uncertainty_band(entry, rel.output, local.values, draws) if why is None else None,
            ))
    if not derivation.steps and not any(r.inputs for r in results):
        # constant rules (e.g. Adam's beta2) answer any query; they do not make one meaningful
        given = ", ".join(sorted(inputs))
        raise UsageError(f"nothing follows from {given} alone: give at least one of --params, --d-model, "
                         "--compute (with --tokens for data-dependent laws)")
    if refuse_unused:
        _refuse_unread_inputs(inputs, derivation, read_by_results, skipped, kb, include_drafts)
    results.sort(key=lambda r: (_group_rank(r.group), r.symbol, r.entry))
    groups = spread_groups(kb, results)
    by_symbol: dict[str, list[Result]] = {}
    for r in results:
        by_symbol.setdefault(r.symbol, []).append(r)
    summaries = {symbol: quantity_summary(kb, symbol, rows, groups.get(symbol), context)
                 for symbol, rows in by_symbol.items()}
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
        spread={symbol: spreads[0] for symbol, spreads in groups.items()},
        spread_groups=groups,
        nearest_configs=[_config(item) for item in _ranked_rows(kb, inputs, context)[:nearest]],
        conflicts=conflicts,
        skipped=sorted(skipped, key=lambda s: s.entry),
        kb_problems=kb.problems,
        notes=notes,
        summary=summaries,
    )
