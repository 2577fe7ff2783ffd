"""The points of a fit: a CSV file read into named columns, filtered.

``hpguide fit`` reads the user's runs from a CSV file (first line: headers).
Each fit variable is *mapped* from the file:

* ``N=Model Size``: the name ``N`` is the column whose header is exactly
  ``Model Size`` (headers may contain spaces; the text after the first ``=``
  is compared with the headers as written, surrounding spaces ignored);
* ``D=Training_FLOP/(6*N)``: otherwise the text is an expression, read by
  hpguide's safe formula parser (numbers, names, ``+ - * / **``, ``log``,
  ``exp``, ``sqrt`` ...; never ``eval``).

In expressions (mappings and ``--where`` filters) a name is another mapped
name if there is one (not the mapping's own name), otherwise a header. A
header that is not a plain identifier is written with every run of other
characters replaced by ``_``: ``Training FLOP`` is ``Training_FLOP``,
``loss (nats)`` is ``loss_nats``. Two headers that give the same identifier
can only be used by mapping their exact header text.

Cells are numbers as hpguide reads quantities (``1.5e9``, ``7B``, ``-3``);
only the columns a fit uses are read, so other columns may hold text.

Row filters, in this order: every ``--where 'EXPR OP NUMBER'`` (``OP`` one of
``< <= > >=``; all must hold), then ``--drop-top-loss K`` drops the K rows
with the largest response (y) value among those left.
"""

from __future__ import annotations

import csv
import difflib
import os
import re
from dataclasses import dataclass, field

import numpy as np

from ..core.errors import FormulaError, QuantityError, UsageError
from ..core.evaluate import Tree, compile_tree
from ..core.formula import parse, to_tree
from ..core.quantities import parse_quantity
from ..core.schema import SYMBOL_PATTERN

__all__ = [
    "Column",
    "CsvTable",
    "FitData",
    "RowFilter",
    "header_identifier",
    "parse_mapping",
    "parse_filter",
    "read_csv",
    "load_points",
    "require_positive",
]

#: Files larger than this are refused (a fit reads every cell into memory).
MAX_CSV_BYTES = 50_000_000
COMPARISONS = ("<=", ">=", "<", ">")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _choices(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


@dataclass(frozen=True)
class CsvTable:
    """A CSV file as text: headers, rows (lists of cells) and each row's line number."""

    path: str
    headers: list[str]
    rows: list[list[str]]
    lines: list[int]


def read_csv(path: str | os.PathLike[str]) -> CsvTable:
    """Read a UTF-8 CSV file with a header line; raise :class:`UsageError` with one clear line otherwise."""
    name = os.fspath(path)
    if os.path.isdir(name):
        raise UsageError(f"{name} is a directory, not a CSV file")
    try:
        size = os.path.getsize(name)
        if size > MAX_CSV_BYTES:
            raise UsageError(f"{name} is {size} bytes; hpguide fit reads files up to {MAX_CSV_BYTES} bytes")
        with open(name, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise UsageError(f"no such file: {name}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV") from None
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        headers = [h.strip() for h in next(reader, [])]
        rows, lines = [], []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # blank lines
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise UsageError(f"{name}: not a readable CSV file (line {reader.line_num}: {exc})") from None
    if not headers or not any(headers):
        raise UsageError(f"{name} is empty: a CSV file starts with a line of column headers")
    duplicates = sorted({h for h in headers if headers.count(h) > 1 and h})
    if duplicates:
        raise UsageError(f"{name}: column header(s) {_choices(duplicates)} appear more than once")
    return CsvTable(name, headers, rows, lines)


def header_identifier(header: str) -> str | None:
    """The name by which expressions refer to ``header`` (``Training FLOP`` -> ``Training_FLOP``),
    or None when it gives no usable name (empty, non-ASCII, starts with a digit)."""
    ident = re.sub(r"[^0-9A-Za-z_]+", "_", header.strip()).strip("_")
    if not ident or not ident.isascii() or ident[0].isdigit():
        return None
    return ident


def parse_mapping(text: str, option: str = "--x") -> tuple[str, str]:
    """Split ``NAME=COLUMN-OR-EXPRESSION``; the name must be a plain identifier."""
    name, sep, source = str(text).partition("=")
    name, source = name.strip(), source.strip()
    if not sep or not name or not source:
        raise UsageError(f"{option} {text!r}: write NAME=COLUMN or NAME=EXPRESSION, e.g. {option} 'N=Model Size'")
    if not re.match(SYMBOL_PATTERN, name) or len(name) > 40:
        raise UsageError(f"{option} {text!r}: {name!r} is not a usable name (a letter, then letters, digits or _)")
    return name, source


@dataclass(frozen=True)
class Column:
    """One mapped variable: its name, the option text, and a header or a parsed expression."""

    name: str
    source: str
    header: str | None
    tree: Tree | None = None  # the parsed expression when there is no header
    uses: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RowFilter:
    """``EXPR OP NUMBER``: keeps the rows where the comparison holds."""

    text: str
    tree: Tree
    uses: frozenset[str]
    op: str
    bound: float

    def holds(self, values: np.ndarray) -> np.ndarray:
        """The rows (a bool mask) where ``values OP bound``; NaN never holds."""
        with np.errstate(invalid="ignore"):
            if self.op == "<":
                return values < self.bound
            if self.op == "<=":
                return values <= self.bound
            if self.op == ">":
                return values > self.bound
            return values >= self.bound


def _parse_expression(source: str, what: str) -> tuple[Tree, frozenset[str]]:
    try:
        formula = parse(source)
        return to_tree(formula.expr), formula.names
    except FormulaError as exc:
        raise UsageError(f"{what}: {_one_line(exc.reason)} in {source!r}") from None


def parse_filter(text: str) -> RowFilter:
    """Read ``EXPR OP NUMBER`` (``OP`` one of ``< <= > >=``), e.g. ``N > 1e8`` or ``log(D/N) <= 3``.

    ``EXPR`` goes through the safe formula parser; ``NUMBER`` is a quantity
    (``1e8``, ``100M``, ``-2``). Raises :class:`UsageError` on anything else.
    """
    if not isinstance(text, str):
        raise UsageError(f"--where takes text such as 'N > 1e8', not {type(text).__name__}")
    hint = "write EXPR OP NUMBER with OP one of < <= > >=, e.g. --where 'N > 1e8'"
    marks = list(re.finditer(r"<=|>=|<|>", text))
    if len(marks) != 1:
        raise UsageError(f"--where {_one_line(text)[:80]!r}: {hint}")
    mark = marks[0]
    left, op, right = text[: mark.start()].strip(), mark.group(), text[mark.end():].strip()
    if not left or not right:
        raise UsageError(f"--where {_one_line(text)[:80]!r}: {hint}")
    try:
        bound = parse_quantity(right, positive=False)
    except QuantityError:
        raise UsageError(f"--where {_one_line(text)[:80]!r}: the right side must be a number; {hint}") from None
    tree, uses = _parse_expression(left, f"--where {_one_line(text)[:80]!r}")
    return RowFilter(text=text.strip(), tree=tree, uses=uses, op=op, bound=bound)


@dataclass(frozen=True)
class FitData:
    """The points of a fit: ``x`` (n, k) for ``x_names``, ``y`` (n,), each point's CSV line."""

    x_names: list[str]
    y_name: str
    x: np.ndarray
    y: np.ndarray
    lines: list[int]
    path: str = ""
    mappings: dict[str, str] = field(default_factory=dict)
    selection: list[str] = field(default_factory=list)

    @property
    def n_points(self) -> int:
        return int(self.y.shape[0])

    def column(self, name: str) -> np.ndarray:
        """The values of one variable (x or y) by name."""
        if name == self.y_name:
            return self.y
        return self.x[:, self.x_names.index(name)]


class _Resolver:
    """Evaluates mapped names and header identifiers over all rows, each once."""

    def __init__(self, table: CsvTable, columns: dict[str, Column]):
        self.table = table
        self.columns = columns
        self.by_header = {h: i for i, h in enumerate(table.headers) if h}
        idents: dict[str, list[int]] = {}
        for i, h in enumerate(table.headers):
            ident = header_identifier(h) if h else None
            if ident:
                idents.setdefault(ident, []).append(i)
        self.identifiers = idents
        self.cache: dict[str, np.ndarray] = {}
        self.header_cache: dict[int, np.ndarray] = {}

    def header_values(self, index: int) -> np.ndarray:
        if index in self.header_cache:
            return self.header_cache[index]
        header, name = self.table.headers[index], self.table.path
        out = np.empty(len(self.table.rows))
        for r, row in enumerate(self.table.rows):
            line = self.table.lines[r]
            cell = row[index].strip() if index < len(row) else ""
            if not cell:
                raise UsageError(f"{name}, line {line}: column {header!r} is empty")
            if cell.lower() in ("nan", "+nan", "-nan"):
                raise UsageError(f"{name}, line {line}: column {header!r} is NaN; remove the row or fill in the value")
            try:
                out[r] = parse_quantity(cell, positive=False)
            except QuantityError:
                raise UsageError(
                    f"{name}, line {line}: column {header!r} holds {cell[:40]!r}, not a number") from None
        self.header_cache[index] = out
        return out

    def known_names(self, exclude: str | None = None) -> list[str]:
        names = [n for n in self.columns if n != exclude]
        names += [i for i, cols in self.identifiers.items() if len(cols) == 1 and i not in names]
        return names

    def name_values(self, name: str, what: str, stack: tuple[str, ...]) -> np.ndarray:
        """A name used in an expression: another mapped name first, else a header identifier."""
        if name in self.columns and name not in stack[-1:]:
            return self.column_values(name, stack)
        cols = self.identifiers.get(name, [])
        if len(cols) == 1:
            return self.header_values(cols[0])
        if len(cols) > 1:
            headers = [self.table.headers[i] for i in cols]
            raise UsageError(f"{what}: {name!r} could be any of the columns {_choices(headers)}; "
                             f"map one by its exact header, e.g. --x 'X={headers[0]}'")
        close = difflib.get_close_matches(name, self.known_names(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UsageError(f"{what}: unknown name {name!r}{hint}; the columns are {_choices(self.table.headers)} "
                         "(in expressions write a header's other characters as _, e.g. Training_FLOP)")

    def column_values(self, name: str, stack: tuple[str, ...] = ()) -> np.ndarray:
        if name in self.cache:
            return self.cache[name]
        if name in stack:
            cycle = " -> ".join((*stack[stack.index(name):], name))
            raise UsageError(f"the mappings refer to each other in a circle: {cycle}")
        column = self.columns[name]
        if column.header is not None:
            values = self.header_values(self.by_header[column.header])
        else:
            assert column.tree is not None  # a column without a header is an expression
            values = self.evaluate(column.tree, column.uses, f"mapping {name}={column.source!r}", (*stack, name))
        self.cache[name] = values
        return values

    def evaluate(self, tree: Tree, uses: frozenset[str], what: str, stack: tuple[str, ...]) -> np.ndarray:
        env = {n: self.name_values(n, what, stack) for n in sorted(uses)}
        with np.errstate(all="ignore"):
            values = np.broadcast_to(np.asarray(compile_tree(tree)(env), dtype=float), (len(self.table.rows),))
        bad = ~np.isfinite(values)
        if bad.any():
            r = int(np.argmax(bad))
            raise UsageError(f"{self.table.path}, line {self.table.lines[r]}: {what} gives {values[r]} "
                             "(division by zero, log of a non-positive value or overflow)")
        return np.array(values)


def _columns(table: CsvTable, mappings: list[tuple[str, str, str]]) -> dict[str, Column]:
    columns: dict[str, Column] = {}
    headers = [h for h in table.headers if h]
    for option, name, source in mappings:
        if name in columns:
            raise UsageError(f"{option} {name}={source}: the name {name!r} is mapped twice")
        if source in headers:
            columns[name] = Column(name, source, header=source)
            continue
        try:
            tree, uses = _parse_expression(source, f"{option} {name}={source}")
        except UsageError as exc:
            close = difflib.get_close_matches(source, headers, n=1)
            if close or not any(ch in source for ch in "+-*/()"):
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise UsageError(f"{option} {name}={source}: {table.path} has no column {source!r}{hint}; "
                                 f"its columns are {_choices(headers)}") from None
            raise exc from None
        columns[name] = Column(name, source, header=None, tree=tree, uses=uses)
    return columns


def load_points(
    path: str | os.PathLike[str],
    x: list[str],
    y: str,
    where: list[str] | tuple[str, ...] = (),
    drop_top: int = 0,
) -> FitData:
    """Read ``path`` and return the fit's points after the filters (see the module docstring).

    ``x`` are ``NAME=COLUMN-OR-EXPRESSION`` texts (one per predictor), ``y``
    the response's. Every problem raises :class:`UsageError` naming the file,
    line and column.
    """
    if not x:
        raise UsageError("give at least one predictor: --x NAME=COLUMN, e.g. --x 'N=Model Size'")
    mappings = [("--x", *parse_mapping(text, "--x")) for text in x] + [("--y", *parse_mapping(y, "--y"))]
    filters = [parse_filter(text) for text in where]
    if isinstance(drop_top, bool) or not isinstance(drop_top, int) or drop_top < 0:
        raise UsageError(f"--drop-top-loss takes a whole number >= 0, got {drop_top!r}")
    table = read_csv(path)
    if not table.rows:
        raise UsageError(f"{table.path} has a header line but no data rows")
    columns = _columns(table, mappings)
    resolver = _Resolver(table, columns)
    x_names = [name for option, name, _ in mappings if option == "--x"]
    y_name = mappings[-1][1]
    values = {name: resolver.column_values(name) for name in columns}
    keep = np.ones(len(table.rows), dtype=bool)
    selection = []
    for flt in filters:
        what = f"--where {flt.text!r}"
        held = flt.holds(resolver.evaluate(flt.tree, flt.uses, what, ()))
        before = int(keep.sum())
        keep &= held
        selection.append(f"--where {flt.text!r} kept {int(keep.sum())} of {before} rows")
    index = np.flatnonzero(keep)
    if drop_top:
        if drop_top >= index.size:
            raise UsageError(f"--drop-top-loss {drop_top} would drop all {index.size} remaining rows")
        order = np.argsort(values[y_name][index], kind="stable")
        dropped = index[order[-drop_top:]]
        index = np.sort(index[order[:-drop_top]])
        lines = ", ".join(str(table.lines[i]) for i in sorted(dropped))
        selection.append(f"--drop-top-loss {drop_top} dropped the rows with the {drop_top} largest {y_name} "
                         f"(lines {lines})")
    x_values = np.column_stack([values[name][index] for name in x_names]) if index.size else np.empty((0, len(x_names)))
    return FitData(
        x_names=x_names,
        y_name=y_name,
        x=x_values,
        y=values[y_name][index],
        lines=[table.lines[i] for i in index],
        path=table.path,
        mappings={name: col.source for name, col in columns.items()},
        selection=selection,
    )


def require_positive(data: FitData, names: list[str], why: str) -> None:
    """Raise :class:`UsageError` at the first non-positive value of the named variables."""
    for name in names:
        values = data.column(name)
        bad = ~(values > 0)
        if bad.any():
            r = int(np.argmax(bad))
            raise UsageError(f"{data.path}, line {data.lines[r]}: {name} = {values[r]:.6g} is not positive; "
                             f"{why} (drop such rows with --where '{name} > 0')")
