"""Locate, read and compile a knowledge-base directory.

Reading collects every problem it meets as a :class:`~hpguide.core.codes.Diagnostic`
instead of stopping at the first; entries that cannot be read are left out of
the loaded KB. Cross-entry checks and example reproduction live in
:mod:`hpguide.kb.validate`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy as sp
from pydantic import ValidationError

from ..core.codes import Diagnostic
from ..core.derive import Relation
from ..core.errors import FormulaError, KBError, UnknownNameError
from ..core.formula import parse, solve_for, symbol, to_tree
from ..core.schema import Entry, Registry, ReleaseFile
from ..core.yamlio import LoadedYaml, load_yaml_file
from .locate import ENV_VAR, REGISTRY_FILE, RELEASE_FILE, content_hash, find_kb, yaml_files
from .placeholders import find_placeholders

__all__ = [
    "ENV_VAR",
    "REGISTRY_FILE",
    "RELEASE_FILE",
    "TEXT_COLUMNS",
    "LoadedEntry",
    "KnowledgeBase",
    "locate_kb",
    "load_kb",
    "entry_files",
    "content_hash",
]

#: Free-text columns a recipe table may carry besides registered symbols.
TEXT_COLUMNS = frozenset(
    {
        "family", "dataset", "tokenizer", "schedule", "warmup_text", "norm", "activation", "pos_emb",
        "optimizer", "precision", "attention", "notes_src",
    }
)


@dataclass
class LoadedEntry:
    """A validated entry with its file, line map and compiled equations."""

    entry: Entry
    path: str
    yaml: LoadedYaml
    relations: list[Relation] = field(default_factory=list)

    def line(self, *path: Any) -> int:
        return self.yaml.line_of(path)

    def diagnostic(self, code: str, message: str, *path: Any) -> Diagnostic:
        return Diagnostic(self.path, self.line(*path), code, message)


@dataclass
class KnowledgeBase:
    root: Path
    registry: Registry
    entries: dict[str, LoadedEntry]
    diagnostics: list[Diagnostic]
    release: str
    content_hash: str

    @property
    def version(self) -> str:
        """Release plus content hash: two KBs with the same version are identical."""
        return f"{self.release}+{self.content_hash[:12]}"

    @property
    def symbols(self) -> frozenset[str]:
        return frozenset(self.registry.symbols)


def locate_kb(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The KB directory (see :func:`hpguide.kb.locate.find_kb` for the search order)."""
    return Path(find_kb(explicit))


def entry_files(root: Path) -> list[Path]:
    """Every entry file below ``root`` (the registry and release files excluded)."""
    return [Path(path) for rel, path in yaml_files(root) if rel not in (REGISTRY_FILE, RELEASE_FILE)]


def _display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _schema_diagnostics(exc: ValidationError, where: str, loaded: LoadedYaml,
                        fmt: str = "the entry format") -> list[Diagnostic]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        kind = err.get("type", "")
        code = {"missing": "HPG004", "extra_forbidden": "HPG005"}.get(kind, "HPG006")
        message = str(err.get("msg", "invalid value"))
        for prefix in ("Value error, ", "Assertion failed, "):
            if message.startswith(prefix):
                message = message[len(prefix):]
        dotted = ".".join(str(part) for part in loc)
        if kind == "missing":
            message = f"missing required key {loc[-1]!r}" + (f" in {'.'.join(map(str, loc[:-1]))}" if loc[:-1] else "")
        elif kind == "extra_forbidden":
            message = f"unknown key {dotted!r} (not part of {fmt})"
        elif dotted:
            message = f"{dotted}: {message}"
        out.append(Diagnostic(where, loaded.line_of(loc), code, message))
    return out


def _read_registry(root: Path) -> tuple[Registry | None, list[Diagnostic]]:
    path = root / REGISTRY_FILE
    where = _display_path(path)
    loaded, problems = load_yaml_file(path)
    if loaded is None:
        return None, [Diagnostic(where, p.line, p.code, p.message) for p in problems]
    try:
        return Registry.model_validate(loaded.data), []
    except ValidationError as exc:
        return None, [Diagnostic(d.path, d.line, "HPG013", d.message) for d in _schema_diagnostics(exc, where, loaded)]


#: The release of a KB without kb.yaml, and of one whose kb.yaml is invalid (its text never reaches output).
UNRELEASED, INVALID_RELEASE = "unreleased", "invalid"


def _read_release(root: Path) -> tuple[str, list[Diagnostic]]:
    """The release in ``kb.yaml`` (validated like an entry, :class:`~hpguide.core.schema.ReleaseFile`)."""
    path = root / RELEASE_FILE
    if not os.path.lexists(path):
        return UNRELEASED, []
    where = _display_path(path)
    loaded, problems = load_yaml_file(path)
    if loaded is None:
        return INVALID_RELEASE, [Diagnostic(where, p.line, p.code, p.message) for p in problems]
    if not isinstance(loaded.data, dict):
        return INVALID_RELEASE, [Diagnostic(where, 1, "HPG014", "kb.yaml is a mapping with one key, release")]
    try:
        release = ReleaseFile.model_validate(loaded.data)
    except ValidationError as exc:
        out = []
        for d, err in zip(_schema_diagnostics(exc, where, loaded, "kb.yaml: its one key is release"),
                          exc.errors(include_url=False)):
            message = d.message
            if err.get("type") == "string_pattern_mismatch":
                message = ("release: write a version such as 0.1.0 (letters, digits, '.' and '-'; at most 64 "
                           "characters; no spaces, quotes or line breaks)")
            out.append(Diagnostic(d.path, d.line, "HPG014", message))
        return INVALID_RELEASE, out
    return release.release, []


def compile_entry(item: LoadedEntry, registry: Registry) -> list[Diagnostic]:
    """Parse and compile the equations of ``item`` into ``item.relations``."""
    entry = item.entry
    symbols = frozenset(registry.symbols)
    constants = {name: c.value for name, c in entry.constants.items()}
    problems: list[Diagnostic] = []
    used = set(entry.equations) | set(entry.validity)
    for ex in entry.examples:
        used |= set(ex.given) | set(ex.expect)
    for name in sorted(set(constants) & used):
        problems.append(item.diagnostic(
            "HPG022", f"constant {name!r} shadows the registered symbol {name!r} that this entry also uses",
            "constants", name))
    allowed = symbols | frozenset(constants)
    substitutions = {symbol(k, positive=False): sp.Float(repr(v)) for k, v in constants.items()}
    for output, source in entry.equations.items():
        if output not in symbols or output in constants:
            problems.append(item.diagnostic(
                "HPG023", f"equation output {output!r} is not a registered symbol", "equations", output))
            continue
        try:
            formula = parse(source, allowed_names=allowed, constants=constants)
        except UnknownNameError as exc:
            problems.append(item.diagnostic("HPG021", f"equation {output}: {exc}", "equations", output))
            continue
        except FormulaError as exc:
            problems.append(item.diagnostic("HPG020", f"equation {output}: {exc}", "equations", output))
            continue
        if output in formula.names:
            problems.append(item.diagnostic(
                "HPG023", f"equation {output} uses {output} on its right-hand side", "equations", output))
            continue
        try:
            expr = formula.expr.xreplace(substitutions)  # sympy evaluates here: max(sqrt(c), N) with c < 0 raises
            tree = to_tree(expr)
        except FormulaError as exc:
            problems.append(item.diagnostic("HPG020", f"equation {output}: {exc}", "equations", output))
            continue
        except (ArithmeticError, ValueError, TypeError) as exc:
            problems.append(item.diagnostic(
                "HPG020", f"equation {output} is undefined with these constants ({exc})"[:300], "equations", output))
            continue
        item.relations.append(Relation(output, tree, entry.id, source, solver=_solver(output, expr)))
    for key in entry.defaults_for:
        if key not in entry.equations:
            problems.append(item.diagnostic(
                "HPG023", f"defaults_for names {key!r}, which is not one of this entry's equation outputs",
                "defaults_for"))
    for key in entry.validity:
        if key not in symbols:
            problems.append(item.diagnostic("HPG021", f"validity names unknown symbol {key!r}", "validity", key))
    problems += _limit_diagnostics(item)
    problems += _uncertainty_diagnostics(item)
    for index, ex in enumerate(entry.examples):
        for part in ("given", "expect"):
            for key in getattr(ex, part):
                if key not in symbols:
                    problems.append(item.diagnostic(
                        "HPG021", f"example {index + 1} {part} names unknown symbol {key!r}",
                        "examples", index, part, key))
    for index, row in enumerate(entry.table or []):
        for column in row.model_extra or {}:
            if column not in symbols and column not in TEXT_COLUMNS:
                problems.append(item.diagnostic(
                    "HPG032",
                    f"table row {row.model!r}: column {column!r} is not a registered symbol nor a text column "
                    f"({', '.join(sorted(TEXT_COLUMNS))})",
                    "table", index, column))
    for index, column in enumerate(entry.data.columns if entry.data else []):
        if column not in symbols:
            problems.append(item.diagnostic("HPG021", f"data column {column!r} is not a registered symbol",
                                            "data", "columns", index))
    return problems


BOUND_SIDES = ("above", "at_least", "below", "at_most")


def band_trees(item: LoadedEntry) -> dict[str, Any]:
    """The entry's equations with its uncertain constants left as names (the others substituted), for
    evaluating the answers under each draw of the source's uncertainty. Empty without ``uncertainty``."""
    entry = item.entry
    if entry.uncertainty is None:
        return {}
    constants = {name: c.value for name, c in entry.constants.items()}
    fixed = {symbol(k, positive=False): sp.Float(repr(v)) for k, v in constants.items()
             if k not in entry.uncertainty.constants}
    trees = {}
    for rel in item.relations:
        formula = parse(entry.equations[rel.output], allowed_names=frozenset(constants) | rel.inputs,
                        constants={k: v for k, v in constants.items() if k not in entry.uncertainty.constants})
        trees[rel.output] = to_tree(formula.expr.xreplace(fixed))
    return trees


def _uncertainty_diagnostics(item: LoadedEntry) -> list[Diagnostic]:
    unc = item.entry.uncertainty
    if unc is None:
        return []
    problems = [item.diagnostic("HPG027", f"uncertainty names {name!r}, which is not one of this entry's constants",
                                "uncertainty", "constants")
                for name in unc.constants if name not in item.entry.constants]
    if unc.method == "covariance" and not problems:
        import numpy as np

        try:
            np.linalg.cholesky(np.array(unc.covariance, dtype=float))
        except np.linalg.LinAlgError:
            problems.append(item.diagnostic("HPG027", "the covariance is not positive definite",
                                            "uncertainty", "covariance"))
    return problems


def _limit_diagnostics(item: LoadedEntry) -> list[Diagnostic]:
    """Every input an equation reads has a range (or a stated reason); limits name what the entry has."""
    entry = item.entry
    outputs = {rel.output for rel in item.relations}
    inputs = {name for rel in item.relations for name in rel.inputs} - outputs
    problems = []
    if entry.kind not in ("definition", "recipe"):
        for name in sorted(inputs - set(entry.validity) - set(entry.unranged)):
            problems.append(item.diagnostic(
                "HPG025", f"the equations read {name}, which has no validity range: add the source's range of "
                f"{name} to validity, or say under unranged why there is none", "validity"))
    for name in sorted(entry.unranged):
        if name not in inputs:
            problems.append(item.diagnostic(
                "HPG026", f"unranged names {name!r}, which is not an input of this entry's equations",
                "unranged", name))
        elif name in entry.validity:
            problems.append(item.diagnostic(
                "HPG026", f"unranged names {name!r}, which has a validity range", "unranged", name))
    for index, limit in enumerate(entry.breaks_down):
        if limit.symbol not in inputs | outputs:
            problems.append(item.diagnostic(
                "HPG026", f"breaks_down names {limit.symbol!r}, which this entry's equations do not use",
                "breaks_down", index))
        for side in BOUND_SIDES:
            if isinstance(getattr(limit, side), str):
                problems.append(item.diagnostic(
                    "HPG026", f"breaks_down {limit.symbol} {side}: give the number the source states",
                    "breaks_down", index, side))
    for name, bound in entry.output_bounds.items():
        if name not in outputs:
            problems.append(item.diagnostic(
                "HPG026", f"output_bounds names {name!r}, which is not an output of this entry's equations",
                "output_bounds", name))
        for side in BOUND_SIDES:
            value = getattr(bound, side)
            if isinstance(value, str) and value not in entry.constants:
                problems.append(item.diagnostic(
                    "HPG026", f"output_bounds {name} {side}: {value!r} is neither a number nor one of this "
                    "entry's constants", "output_bounds", name, side))
    return problems


def _solver(output: str, expr: sp.Expr):
    def solve(target: str) -> tuple:
        trees = []
        for solution in solve_for(output, expr, target):
            try:
                trees.append(to_tree(solution))
            except FormulaError:
                continue
        return tuple(trees)

    return solve


def load_kb(root: str | os.PathLike[str] | None = None) -> KnowledgeBase:
    """Read every file of the KB at ``root`` (located by :func:`locate_kb` when None).

    Raises :class:`~hpguide.core.errors.KBError` only when there is no usable
    registry; every other problem is a diagnostic on the returned KB.
    """
    folder = locate_kb(root)
    registry, diagnostics = _read_registry(folder)
    if registry is None:
        detail = "; ".join(str(d) for d in diagnostics[:3])
        raise KBError(f"the symbol registry is invalid: {detail}")
    entries: dict[str, LoadedEntry] = {}
    for path in entry_files(folder):
        where = _display_path(path)
        loaded, problems = load_yaml_file(path)
        if loaded is None:
            diagnostics.extend(Diagnostic(where, p.line, p.code, p.message) for p in problems)
            continue
        if not isinstance(loaded.data, dict):
            diagnostics.append(Diagnostic(where, 1, "HPG006", "an entry is a YAML mapping (key: value lines)"))
            continue
        placeholders = find_placeholders(loaded.data)
        if placeholders:  # a scaffold from `hpguide new`: say what to fill in, not how the types are wrong
            diagnostics.extend(Diagnostic(where, loaded.line_of(at), "HPG007",
                                          f"{'.'.join(map(str, at))} is still a placeholder ({text[:60]!r}): "
                                          "fill it in from the source") for at, text in placeholders)
            continue
        try:
            entry = Entry.model_validate(loaded.data)
        except ValidationError as exc:
            diagnostics.extend(_schema_diagnostics(exc, where, loaded))
            continue
        item = LoadedEntry(entry, where, loaded)
        if entry.id != path.stem:
            diagnostics.append(item.diagnostic("HPG010", f"id {entry.id!r} does not match the file name {path.name!r}",
                                               "id"))
        if entry.id in entries:
            first = entries[entry.id].path
            diagnostics.append(item.diagnostic("HPG011", f"id {entry.id!r} is already used by {first}", "id"))
            continue
        diagnostics.extend(compile_entry(item, registry))
        entries[entry.id] = item
    for item in entries.values():
        entry = item.entry
        if entry.superseded_by and entry.superseded_by not in entries:
            diagnostics.append(item.diagnostic(
                "HPG012", f"superseded_by names unknown entry {entry.superseded_by!r}", "superseded_by"))
        for index, refined in enumerate(entry.refines):
            if refined not in entries:
                diagnostics.append(item.diagnostic(
                    "HPG012", f"refines names unknown entry {refined!r}", "refines", index))
            elif entries[refined].entry.kind != "definition":
                diagnostics.append(item.diagnostic(
                    "HPG012", f"refines names {refined!r}, which is not a definition", "refines", index))
        for index, rel in enumerate(entry.related):
            if rel.id not in entries:
                diagnostics.append(item.diagnostic(
                    "HPG012", f"related names unknown entry {rel.id!r}", "related", index, "id"))
    release, release_problems = _read_release(folder)
    diagnostics.extend(release_problems)
    ordered = dict(sorted(entries.items()))
    return KnowledgeBase(folder, registry, ordered, diagnostics, release, content_hash(folder))
