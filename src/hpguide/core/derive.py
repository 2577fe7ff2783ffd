"""Derivation over equations: forward evaluation and solving backwards.

A :class:`Relation` is one equation ``output = f(inputs)`` with its constants
already substituted. :func:`derive` repeatedly applies relations to a set of
known values: forwards when all inputs are known, backwards (through the
equation solved for the one unknown input) when the output and all other
inputs are known. The validator uses it inside one entry to reproduce the
examples; the resolver uses it across definitions.

Values are floats (evaluated with :func:`~hpguide.core.evaluate.compile_scalar`,
no numpy import) or numpy arrays (evaluated with
:func:`~hpguide.core.evaluate.compile_tree`).
"""

from __future__ import annotations

import math

from .evaluate import compile_scalar, compile_tree, tree_names
from .records import Record

TYPE_CHECKING = False  # no run-time typing import (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any

    from .evaluate import Tree

__all__ = ["Relation", "Step", "Derivation", "derive", "is_scalar", "all_finite", "all_positive"]


def is_scalar(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def all_finite(value: Any) -> bool:
    """True when ``value`` (float or array) is finite everywhere."""
    if is_scalar(value):
        return math.isfinite(value)
    import numpy as np

    return bool(np.all(np.isfinite(np.asarray(value, dtype=float))))


def all_positive(value: Any) -> bool:
    """True when ``value`` (float or array) is > 0 everywhere."""
    if is_scalar(value):
        return value > 0
    import numpy as np

    return bool(np.all(np.asarray(value, dtype=float) > 0))


class Relation:
    """``output = tree(inputs)``; ``inverses[x]`` holds the trees of the
    equation solved for input ``x`` (functions of the output and other inputs).

    ``solver`` computes inverses on demand when they were not precomputed.
    """

    __slots__ = ("output", "tree", "entry_id", "source", "inverses", "solver", "_compiled", "_inputs")

    def __init__(self, output: str, tree: Tree, entry_id: str = "", source: str = "",
                 inverses: dict[str, tuple[Tree, ...]] | None = None,
                 solver: Callable[[str], tuple[Tree, ...]] | None = None) -> None:
        self.output = output
        self.tree = tree
        self.entry_id = entry_id
        self.source = source
        self.inverses = inverses if inverses is not None else {}
        self.solver = solver
        self._compiled: dict[tuple[str, int, bool], Any] = {}
        self._inputs: frozenset[str] | None = None

    def __repr__(self) -> str:
        return f"Relation({self.output} = {self.source or self.tree!r}, entry={self.entry_id!r})"

    @property
    def inputs(self) -> frozenset[str]:
        if self._inputs is None:
            self._inputs = tree_names(self.tree)
        return self._inputs

    def _run(self, key: tuple[str, int], tree: Tree, env: Mapping[str, Any], names: Iterable[str]) -> Any:
        scalar = all(is_scalar(env[name]) for name in names)
        cache_key = (*key, scalar)
        fn = self._compiled.get(cache_key)
        if fn is None:
            fn = self._compiled[cache_key] = compile_scalar(tree) if scalar else compile_tree(tree)
        if scalar:
            return fn(env)
        import numpy as np

        with np.errstate(all="ignore"):
            return fn(env)

    def forward(self, env: Mapping[str, Any]) -> Any:
        """Evaluate the output from the inputs in ``env``."""
        return self._run(("", 0), self.tree, env, self.inputs)

    def inverse_trees(self, target: str) -> tuple[Tree, ...]:
        """The equation solved for ``target`` (empty when there is no closed form)."""
        if target not in self.inverses:
            self.inverses[target] = self.solver(target) if self.solver else ()
        return self.inverses[target]

    def backward(self, target: str, env: Mapping[str, Any]) -> Any | None:
        """Solve for ``target`` given the output and the other inputs; the first
        candidate solution that is finite and positive everywhere, else None."""
        for i, tree in enumerate(self.inverse_trees(target)):
            value = self._run((target, i), tree, env, tree_names(tree))
            if all_finite(value) and all_positive(value):
                return value
        return None


class Step(Record):
    """How one value was obtained: by which relation, 'forward' or 'backward', from which inputs."""

    __slots__ = ("symbol", "relation", "direction", "inputs")
    symbol: str
    relation: Relation
    direction: str
    inputs: tuple[str, ...]


class Derivation:
    """The values known after :func:`derive`, how each was obtained, the conflicts met, and every check:
    (symbol, known value, implied value, relation) for each relation whose output was already known when
    all its inputs were (``conflicts`` are the checks beyond the tolerance)."""

    def __init__(self, values: dict[str, Any], steps: dict[str, Step],
                 conflicts: list[tuple[str, Any, Any, Relation]],
                 checks: list[tuple[str, Any, Any, Relation]] | None = None) -> None:
        self.values = values
        self.steps = steps
        self.conflicts = conflicts
        self.checks = checks if checks is not None else []

    def chain(self, symbol: str) -> list[Step]:
        """The steps that lead to ``symbol``, inputs first."""
        out: list[Step] = []
        seen: set[str] = set()

        def visit(name: str) -> None:
            if name in seen or name not in self.steps:
                return
            seen.add(name)
            step = self.steps[name]
            for inp in step.inputs:
                visit(inp)
            out.append(step)

        visit(symbol)
        return out


def _close(a: Any, b: Any, rel_tol: float) -> bool:
    if is_scalar(a) and is_scalar(b):
        return abs(a - b) <= rel_tol * max(abs(a), abs(b))
    import numpy as np

    a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.maximum(np.abs(a_arr), np.abs(b_arr))
    return bool(np.all(np.abs(a_arr - b_arr) <= rel_tol * scale))


def derive(
    relations: Iterable[Relation],
    known: Mapping[str, Any],
    allow_backward: bool = True,
    conflict_tol: float = 0.25,
) -> Derivation:
    """Apply ``relations`` to ``known`` until nothing new follows.

    Known values are never overwritten. A relation whose output and inputs are
    all known is checked: disagreements beyond ``conflict_tol`` (relative) are
    returned in ``conflicts`` as (symbol, known value, implied value, relation).
    """
    rels = list(relations)
    values: dict[str, Any] = dict(known)
    steps: dict[str, Step] = {}
    conflicts: list[tuple[str, Any, Any, Relation]] = []
    checks: list[tuple[str, Any, Any, Relation]] = []
    checked: set[int] = set()
    progress = True
    while progress:
        progress = False
        for index, rel in enumerate(rels):
            inputs = rel.inputs
            missing = [name for name in inputs if name not in values]
            if not missing:
                if rel.output in values:
                    if index not in checked:
                        checked.add(index)
                        implied = rel.forward(values)
                        if all_finite(implied):
                            checks.append((rel.output, values[rel.output], implied, rel))
                            if not _close(values[rel.output], implied, conflict_tol):
                                conflicts.append(checks[-1])
                    continue
                value = rel.forward(values)
                if not all_finite(value):
                    continue
                values[rel.output] = value
                steps[rel.output] = Step(rel.output, rel, "forward", tuple(sorted(inputs)))
                progress = True
            elif allow_backward and len(missing) == 1 and rel.output in values:
                target = missing[0]
                value = rel.backward(target, values)
                if value is None:
                    continue
                values[target] = value
                checked.add(index)
                used = tuple(sorted((inputs - {target}) | {rel.output}))
                steps[target] = Step(target, rel, "backward", used)
                progress = True
    return Derivation(values, steps, conflicts, checks)
