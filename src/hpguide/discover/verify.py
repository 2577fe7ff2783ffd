"""Verify the KB against its sources: refit constants from source data, re-run the examples.

Two checks, each a table:

1. **Refits.** An entry that carries the data its constants were fitted on
   (``data:``), or a CSV a user supplies, is refitted equation by equation and
   every constant is compared with the value the entry encodes. How an
   equation is refitted follows from its form:

   - ``y = c`` (a constant rule, e.g. ``aspect_ratio = ar_med``): the per-row
     values of ``y`` (a data column, or derived from the row through the
     entry's other equations, e.g. ``d_model/n_layers``) are summarised by the
     statistic the entry's ``data.fit`` text names first: median, mode ("most
     common") or mean; median when it names none;
   - ``y = a(c) * x1**b1(c) * ...`` (a power law whose coefficient and
     exponents each hold one constant, e.g. ``c_eta * N**(-b_eta)``): ordinary
     least squares of ln y on ln x1, ln x2 ... with equal weights, solved for
     the constants (the fit of GPT-3's LR trend and of the aspect-ratio rule);
   - anything else: nonlinear least squares of ln y (of y when some y <= 0),
     started from the encoded constants (scipy ``least_squares``), a local refit.

   **Tolerance rule.** A constant written with k significant digits is
   reproduced when the refit rounds to it: ``|refit - value| <= half a unit
   of its last digit`` (digits of the shortest repr; zeros after the decimal
   point are not counted, zeros of an integer are), and never tighter than
   1e-9 relative, for constants stored at full double precision. The entry's
   own digits are the claim it makes, so this is the test that the published
   (or hpguide-fitted) number follows from the data; a user comparing with
   noisy data of their own can pass ``rel_tol`` instead.

2. **Examples.** Every example of every selected entry is reproduced with
   :func:`hpguide.kb.validate.reproduce_example` (the entry's own tolerance).

The power-law least squares here is the same fit as ``hpguide fit``'s
power-law form (:mod:`hpguide.discover.fit`); :func:`fit_power_law` is the place the two
can share once both exist.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from ..core.derive import derive
from ..core.errors import FormulaError, HpguideError, QuantityError, UsageError
from ..core.evaluate import compile_tree
from ..core.formula import parse, symbol, to_tree
from ..core.quantities import parse_quantity
from ..core.schema import DataTable
from ..kb.load import KnowledgeBase, LoadedEntry
from ..kb.validate import example_origin, reproduce_example

__all__ = ["REL_FLOOR", "STATISTICS", "Refit", "Skipped", "ExampleCheck", "VerifyReport", "printed_tolerance",
           "fit_power_law", "read_csv_columns", "refit_entry", "check_entry_examples", "check_request", "verify"]

#: The tightest relative tolerance of a refit (constants stored at full double precision).
REL_FLOOR = 1e-9
#: Statistics a constant rule may be fitted with, and the words of ``data.fit`` that name them.
STATISTICS = {"median": ("median",), "mode": ("most common", "mode"), "mean": ("mean", "average")}
MIN_ROWS = 3


@dataclass(frozen=True)
class Refit:
    """One constant: the encoded value beside the refit, with the tolerance and the method.

    ``rel_error`` and ``tolerance`` are relative to ``|encoded|`` (absolute when it is 0).
    """

    entry: str
    equation: str
    constant: str
    encoded: float
    refit: float
    rel_error: float
    tolerance: float
    ok: bool
    method: str
    data: str
    n_points: int
    rms_encoded: float | None = None
    rms_refit: float | None = None


@dataclass(frozen=True)
class Skipped:
    """An equation with constants that could not be refitted from the data, and why."""

    entry: str
    equation: str
    reason: str


@dataclass(frozen=True)
class ExampleCheck:
    """One expected value of one example, reproduced."""

    entry: str
    example: int
    where: str
    symbol: str
    expected: float
    got: float | None
    rel_error: float | None
    rel_tol: float
    ok: bool
    origin: str = "source"  # a key of hpguide.kb.validate.ORIGINS


@dataclass
class VerifyReport:
    """Everything :func:`verify` found; :meth:`to_dict` is what ``hpguide verify --json`` prints."""

    kb_version: str
    refits: list[Refit] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    examples: list[ExampleCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kb_problems: int = 0

    @property
    def ok(self) -> bool:
        return self.kb_problems == 0 and all(r.ok for r in self.refits) and all(e.ok for e in self.examples)

    def to_dict(self) -> dict:
        return {"kb_version": self.kb_version, "ok": self.ok, "tolerance_rule": TOLERANCE_RULE,
                "refits": [asdict(r) for r in self.refits], "skipped": [asdict(s) for s in self.skipped],
                "examples": [asdict(e) for e in self.examples], "notes": list(self.notes),
                "kb_problems": self.kb_problems}


TOLERANCE_RULE = ("a constant written with k significant digits is reproduced when the refit rounds to it "
                  "(within half a unit of its last digit), and never tighter than 1e-9 relative")


def printed_tolerance(value: float) -> float:
    """Half a unit of the last significant digit of ``value`` as written (its shortest repr), or 1e-9 relative."""
    _, written, exponent = Decimal(repr(float(value))).as_tuple()
    if not isinstance(exponent, int):  # 'n', 'N' or 'F': NaN and infinity have no last digit
        raise ValueError(f"printed_tolerance needs a finite number, not {value!r}")
    digits = list(written)
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:  # 128.0 -> 128, 0.50 -> 0.5
        digits.pop()
        exponent += 1
    return max(0.5 * 10.0**exponent, REL_FLOOR * abs(value))


# ---------------------------------------------------------------------------- data


def _column_values(name: str, raw: Sequence[str], where: str) -> np.ndarray:
    out = np.empty(len(raw))
    for i, text in enumerate(raw):
        try:
            out[i] = parse_quantity(text, positive=False)
        except QuantityError as exc:
            raise UsageError(f"{where}: column {name!r}, data row {i + 1}: {exc}") from None
    return out


def read_csv_columns(path: str | os.PathLike[str], symbols: Iterable[str]) -> dict[str, np.ndarray]:
    """The columns of a CSV whose headers are registry symbols, as float arrays.

    Columns with other headers are ignored. Raises :class:`UsageError` when the
    file cannot be read, has no symbol column, has fewer than 3 rows, ragged rows
    or a cell that is not a finite number.
    """
    from .fitdata import read_csv  # the one CSV reader (size limit, UTF-8, blank lines, duplicate headers)

    table = read_csv(path)
    where, header, data = table.path, table.headers, table.rows
    known = set(symbols)
    wanted = [(i, name) for i, name in enumerate(header) if name in known]
    if not wanted:
        raise UsageError(f"{where}: no column is named by a registry symbol (header: {', '.join(header)}); "
                         "name the columns as in heuristics/symbols.yaml, e.g. N,D,eta")
    if len(data) < MIN_ROWS:
        raise UsageError(f"{where}: {len(data)} data row(s); a refit needs at least {MIN_ROWS}")
    for number, row in zip(table.lines, data):
        if len(row) != len(header):
            raise UsageError(f"{where}: line {number} has {len(row)} cells, the header has {len(header)}")
    return {name: _column_values(name, [row[i].strip() for row in data], where) for i, name in wanted}


def _table_columns(table: DataTable) -> dict[str, np.ndarray]:
    array = np.asarray(table.rows, dtype=float)
    return {name: array[:, i] for i, name in enumerate(table.columns)}


# ---------------------------------------------------------------------------- fitting


def fit_power_law(xs: Sequence[np.ndarray], y: np.ndarray) -> tuple[float, list[float]]:
    """Least squares of ln y on ln x1, ln x2 ... (equal weights): (intercept, [slopes]).

    All values must be > 0 (the caller checks and says which column is not). Raises
    :class:`UsageError` when the inputs cannot determine the exponents (collinear in log space).
    """
    from .fit import lstsq

    design = np.column_stack([np.ones_like(y)] + [np.log(x) for x in xs])
    coef = lstsq(design, np.log(y))
    if coef is None:
        raise UsageError("cannot fit the exponents: an input takes a single value, or the inputs are collinear "
                         "in log space")
    return float(coef[0]), [float(c) for c in coef[1:]]


def _power_structure(expr: sp.Expr, inputs: Sequence[sp.Symbol]) -> tuple[sp.Expr, list[sp.Expr]] | None:
    """ln(expr) = intercept + sum(slope_i * ln x_i), with intercept and slopes free of the inputs; else None."""
    logged = sp.expand_log(sp.log(expr), force=True)
    us = [sp.Dummy(f"u_{x.name}") for x in inputs]
    linear = logged.subs({sp.log(x): u for x, u in zip(inputs, us)})
    if linear.free_symbols & set(inputs):
        return None
    slopes = [sp.diff(linear, u) for u in us]
    if any(slope.free_symbols & set(us) for slope in slopes):
        return None
    intercept = linear.subs(dict.fromkeys(us, 0))
    return sp.simplify(intercept), slopes


def _solve_one(equation: sp.Expr, unknown: sp.Symbol) -> float | None:
    try:
        solutions = sp.solve(equation, unknown)
    except (NotImplementedError, ValueError, TypeError):
        return None
    numbers = [complex(s.evalf()) for s in solutions if s.is_number]
    real = [z.real for z in numbers if abs(z.imag) < 1e-12 and math.isfinite(z.real)]
    return real[0] if len(real) == 1 else None


def _rms(residuals: np.ndarray) -> float | None:
    return float(np.sqrt(np.mean(residuals**2))) if np.all(np.isfinite(residuals)) else None


def _statistic(item: LoadedEntry) -> tuple[str, str]:
    text = (item.entry.data.fit if item.entry.data and item.entry.data.fit else "").lower()
    found = []
    for name, words in STATISTICS.items():
        for word in words:
            match = re.search(rf"\b{re.escape(word)}\b", text)
            if match:
                found.append((match.start(), name))
    if not found:
        return "median", "median (data.fit names no statistic)"
    name = min(found)[1]
    return name, f"{name} of the rows (named in data.fit)"


def _summarise(name: str, values: np.ndarray) -> float:
    if name == "median":
        return float(np.median(values))
    if name == "mean":
        return float(np.mean(values))
    uniques, counts = np.unique(values, return_counts=True)
    return float(uniques[int(np.argmax(counts))])  # the smallest of tied modes


class _CannotRefit(Exception):
    """An equation cannot be refitted from these columns (reported as skipped, not raised to the user)."""


class _Equation:
    """One equation of an entry, parsed with its constants kept as symbols."""

    def __init__(self, item: LoadedEntry, output: str, symbols: frozenset[str]) -> None:
        entry = item.entry
        self.item = item
        self.output = output
        self.constants = {name: c.value for name, c in entry.constants.items()}
        formula = parse(entry.equations[output], allowed_names=symbols | frozenset(self.constants),
                        constants=self.constants)
        self.expr = formula.expr
        self.names = formula.names
        self.used_constants = sorted(self.names & set(self.constants))
        self.inputs = sorted(self.names - set(self.constants))
        self._compiled: Callable[[Mapping[str, Any]], Any] | None = None

    def label(self) -> str:
        return f"{self.output} = {self.item.entry.equations[self.output]}"

    def evaluate(self, columns: Mapping[str, np.ndarray], constants: Mapping[str, float]) -> np.ndarray:
        """The right-hand side over the data rows, with the given constant values."""
        if self._compiled is None:
            self._compiled = compile_tree(to_tree(self.expr))
        env = {**columns, **constants}
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(self._compiled(env), dtype=float), (_length(columns),))


def _length(columns: Mapping[str, np.ndarray]) -> int:
    return len(next(iter(columns.values())))


def _sym(name: str) -> sp.Symbol:
    """The sympy symbol of a constant (constants are real, not positive: see formula.symbol)."""
    return symbol(name, positive=False)


def _refit_constant_rule(eq: _Equation, columns: Mapping[str, np.ndarray]) -> tuple[dict[str, float], str]:
    """``output = constant``: the statistic ``data.fit`` names, over the per-row values of the output."""
    (name,) = eq.used_constants
    if eq.output in columns:
        values = columns[eq.output]
    else:
        others = [rel for rel in eq.item.relations if rel.output != eq.output]
        derived = derive(others, dict(columns)).values
        if eq.output not in derived:
            raise _CannotRefit(f"{eq.output} is neither a data column nor derivable from the columns "
                               f"({', '.join(columns)}) through the entry's other equations")
        values = np.broadcast_to(np.asarray(derived[eq.output], dtype=float), (_length(columns),))
    if not np.all(np.isfinite(values)):
        raise _CannotRefit(f"some rows give a non-finite {eq.output}")
    statistic, how = _statistic(eq.item)
    return {name: _summarise(statistic, values)}, how


def _refit_power_law(eq: _Equation, columns: Mapping[str, np.ndarray],
                     fixed: Mapping[str, float]) -> dict[str, float] | None:
    """Least squares in log space when the equation is a power law with one constant per coefficient, else None."""
    unknown = [c for c in eq.used_constants if c not in fixed]
    xs = [symbol(n) for n in eq.inputs]
    expr = eq.expr.xreplace({_sym(k): sp.Float(v) for k, v in fixed.items()})
    structure = _power_structure(expr, xs)
    if structure is None:
        return None
    intercept, slopes = structure
    parts = [intercept, *slopes]
    holders = [sorted(str(s) for s in part.free_symbols) for part in parts]
    if sorted(name for h in holders for name in h) != sorted(unknown) or any(len(h) != 1 for h in holders):
        return None  # not one constant per coefficient: the nonlinear fit handles it
    for name in [eq.output, *eq.inputs]:
        if np.any(columns[name] <= 0):
            raise _CannotRefit(f"column {name} has values <= 0, so the power law cannot be fitted in log space")
    a, bs = fit_power_law([columns[n] for n in eq.inputs], columns[eq.output])
    out = {}
    for part, target, holder in zip(parts, [a, *bs], holders):
        value = _solve_one(part - target, _sym(holder[0]))
        if value is None:
            return None
        out[holder[0]] = value
    return out


def _residuals(eq: _Equation, columns: Mapping[str, np.ndarray], constants: Mapping[str, float],
               logspace: bool) -> np.ndarray:
    predicted = eq.evaluate(columns, constants)
    y = columns[eq.output]
    if logspace:
        with np.errstate(all="ignore"):
            return np.log(predicted) - np.log(y)
    return predicted - y


def _refit_nonlinear(eq: _Equation, columns: Mapping[str, np.ndarray],
                     fixed: Mapping[str, float]) -> tuple[dict[str, float], str]:
    """Nonlinear least squares (of ln y when every y > 0), started from the encoded constants."""
    from scipy.optimize import least_squares

    unknown = [c for c in eq.used_constants if c not in fixed]
    logspace = bool(np.all(columns[eq.output] > 0))
    start = np.array([eq.constants[c] for c in unknown], dtype=float)

    def residuals(theta: np.ndarray) -> np.ndarray:
        values = _residuals(eq, columns, {**fixed, **dict(zip(unknown, theta))}, logspace)
        return np.where(np.isfinite(values), values, 1e3)

    result = least_squares(residuals, start, xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=20000)
    if not result.success or not np.all(np.isfinite(result.x)):
        raise _CannotRefit(f"the nonlinear fit did not converge ({result.message})")
    space = "ln y" if logspace else "y"
    method = f"nonlinear least squares of {space}, from the encoded constants"
    return dict(zip(unknown, (float(v) for v in result.x))), method


def refit_entry(
    item: LoadedEntry,
    symbols: frozenset[str],
    columns: Mapping[str, np.ndarray] | None = None,
    data_label: str | None = None,
    rel_tol: float | None = None,
) -> tuple[list[Refit], list[Skipped]]:
    """Refit the constants of ``item`` from ``columns`` (default: its own ``data:`` table)."""
    entry = item.entry
    if columns is None:
        if entry.data is None:
            return [], []
        columns = _table_columns(entry.data)
        where = " ".join(entry.data.where.split())
        data_label = f"data: ({where[:70]}...)" if len(where) > 70 else f"data: ({where})"
    label = data_label or "data"
    n_rows = _length(columns)
    refits: list[Refit] = []
    skipped: list[Skipped] = []
    fitted: dict[str, float] = {}
    for output in entry.equations:
        try:
            eq = _Equation(item, output, symbols)
        except FormulaError as exc:
            skipped.append(Skipped(entry.id, f"{output} = {entry.equations[output]}", f"does not parse: {exc}"))
            continue
        unknown = [c for c in eq.used_constants if c not in fitted]
        if not unknown:
            continue
        fixed = {c: fitted[c] for c in eq.used_constants if c in fitted}
        try:
            if not eq.inputs:
                if eq.expr != _sym(unknown[0]) or len(unknown) != 1:
                    raise _CannotRefit("a constant rule is refitted only in the form symbol = constant")
                refit, method = _refit_constant_rule(eq, columns)
                rms: tuple[float | None, float | None] = (None, None)
            else:
                missing = [n for n in [output, *eq.inputs] if n not in columns]
                if missing:
                    raise _CannotRefit(f"the data has no column {', '.join(missing)}")
                if n_rows < len(unknown) + 1:
                    raise _CannotRefit(f"{n_rows} rows cannot determine {len(unknown)} constants")
                power_law = _refit_power_law(eq, columns, fixed)
                if power_law is not None:
                    refit, method = power_law, "least squares of ln y on ln x (power law)"
                else:
                    refit, method = _refit_nonlinear(eq, columns, fixed)
                logspace = bool(np.all(columns[output] > 0))
                encoded_res = _residuals(eq, columns, eq.constants, logspace)
                refit_res = _residuals(eq, columns, {**eq.constants, **fixed, **refit}, logspace)
                rms = (_rms(encoded_res), _rms(refit_res))
        except _CannotRefit as exc:
            skipped.append(Skipped(entry.id, eq.label(), str(exc)))
            continue
        for name in unknown:
            encoded = eq.constants[name]
            value = refit[name]
            tol = rel_tol * abs(encoded) if rel_tol is not None else printed_tolerance(encoded)
            diff = abs(value - encoded)
            scale = abs(encoded) or 1.0  # relative to the encoded value (absolute when it is 0)
            refits.append(Refit(entry.id, eq.label(), name, encoded, value, diff / scale, tol / scale,
                                diff <= tol * (1 + 1e-12), method, label, n_rows, *rms))
            fitted[name] = value
    return refits, skipped


def check_entry_examples(item: LoadedEntry) -> list[ExampleCheck]:
    """Every expected value of every example of ``item``, reproduced."""
    rows = []
    for index, example in enumerate(item.entry.examples, 1):
        for rep in reproduce_example(item, example):
            rows.append(ExampleCheck(item.entry.id, index, example.where, rep.symbol, rep.expected, rep.got,
                                     rep.rel_error, example.rel_tol, rep.ok, example_origin(item.entry, example)))
    return rows


def check_request(ids: Sequence[str], data_file: object, rel_tol: float | None) -> None:
    """The checks of :func:`verify`'s arguments that need no KB (the CLI runs them before loading one)."""
    if data_file is not None and len(ids) != 1:
        raise UsageError("--data refits one entry: give exactly one entry id")
    if rel_tol is not None and not 0 < rel_tol < 1:
        raise UsageError(f"relative tolerance {rel_tol:g} must lie between 0 and 1")


def verify(
    kb: KnowledgeBase,
    ids: Sequence[str] = (),
    data_file: str | os.PathLike[str] | None = None,
    rel_tol: float | None = None,
) -> VerifyReport:
    """Refit the entries that carry data and reproduce every example (of ``ids``, or of the whole KB).

    With ``data_file``, exactly one id: its equations are refitted against the
    CSV instead (and its examples are not re-run: they do not depend on the data).
    """
    check_request(ids, data_file, rel_tol)
    for entry_id in ids:
        if entry_id not in kb.entries:
            raise UsageError(f"no entry with id {entry_id!r} (see 'hpguide list')")
    report = VerifyReport(kb.version)
    symbols = kb.symbols
    if data_file is not None:
        item = kb.entries[ids[0]]
        columns = read_csv_columns(data_file, symbols)
        refits, skipped = refit_entry(item, symbols, columns, Path(data_file).name, rel_tol)
        if not refits:
            reasons = "; ".join(s.reason for s in skipped) or "it has no equation with constants"
            raise UsageError(f"{ids[0]} cannot be refitted from {data_file}: {reasons}")
        report.refits, report.skipped = refits, skipped
        return report
    selected = [kb.entries[i] for i in ids] if ids else list(kb.entries.values())
    if not ids and kb.diagnostics:
        report.kb_problems = len(kb.diagnostics)
        report.notes.append(f"the KB has {len(kb.diagnostics)} problem(s) (some entries may not have loaded): "
                            "run 'hpguide validate'")
    for item in selected:
        try:
            refits, skipped = refit_entry(item, symbols, rel_tol=rel_tol)
        except HpguideError as exc:
            refits, skipped = [], [Skipped(item.entry.id, "(all)", str(exc))]
        report.refits.extend(refits)
        report.skipped.extend(skipped)
        report.examples.extend(check_entry_examples(item))
    return report
