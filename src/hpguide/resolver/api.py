"""The query API: ``hpguide.query(d_model=4096, tokens="1T")``.

Keyword names mirror the command-line flags. Values are numbers or human
quantities (``"7B"``, ``"1T"``, ``"4k"``); ``set`` takes any registry symbol.
For plots, :func:`evaluate_grid` evaluates every applicable entry over numpy
arrays.
"""

from __future__ import annotations

import os

from ..core.derive import derive
from ..core.errors import QuantityError, UsageError
from ..core.quantities import parse_quantity
from ..kb.compiled import CompiledKB, load_compiled
from .resolve import QueryResult, resolve

TYPE_CHECKING = False  # no run-time typing import (start-up time)
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

__all__ = ["INPUT_SYMBOLS", "parse_inputs", "query", "evaluate_grid", "derive_grid"]

#: Keyword (and CLI flag) -> registry symbol.
INPUT_SYMBOLS = {
    "params": "N",
    "non_embedding_params": "N_ne",
    "d_model": "d_model",
    "n_layers": "n_layers",
    "n_heads": "n_heads",
    "n_kv_heads": "n_kv_heads",
    "d_ff": "d_ff",
    "vocab_size": "vocab_size",
    "seq_len": "seq_len",
    "tokens": "D",
    "compute": "C",
    "batch_size": "B",
    "batch_seqs": "B_seq",
}


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise QuantityError(f"{name}: expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
        if not number > 0 or number == float("inf"):
            raise QuantityError(f"{name}: {value!r} must be a finite number > 0")
        return number
    if isinstance(value, str):
        try:
            return parse_quantity(value)
        except QuantityError as exc:
            raise QuantityError(f"{name}: {exc}") from None
    raise QuantityError(f"{name}: expected a number or a quantity such as '7B', got {type(value).__name__}")


def parse_inputs(values: Mapping[str, Any], extra: Mapping[str, Any] | None = None,
                 symbols: Iterable[str] | None = None) -> dict[str, float]:
    """Turn keyword values (and ``extra`` symbol values) into {symbol: float}.

    Two values for one symbol are an error unless they are equal.
    """
    out: dict[str, float] = {}
    sources: dict[str, str] = {}

    def put(symbol: str, number: float, label: str) -> None:
        if symbol in out and out[symbol] != number:
            raise UsageError(f"{symbol} given twice with different values ({sources[symbol]} and {label})")
        out[symbol] = number
        sources[symbol] = label

    for key, value in values.items():
        if value is None:
            continue
        if key not in INPUT_SYMBOLS:
            raise UsageError(f"unknown input {key!r}; use one of {', '.join(INPUT_SYMBOLS)} or set={{SYMBOL: value}}")
        put(INPUT_SYMBOLS[key], _number(key, value), key)
    known = set(symbols) if symbols is not None else None
    for symbol, value in (extra or {}).items():
        if known is not None and symbol not in known:
            import difflib

            close = difflib.get_close_matches(symbol, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (see heuristics/symbols.yaml)"
            raise UsageError(f"unknown symbol {symbol!r}{hint}")
        put(symbol, _number(symbol, value), f"set {symbol}")
    return out


def query(
    *,
    kb: str | os.PathLike[str] | CompiledKB | None = None,
    set: Mapping[str, Any] | None = None,  # noqa: A002 - mirrors the --set flag
    topics: Iterable[str] = (),
    entries: Iterable[str] = (),
    include_drafts: bool = False,
    **inputs: Any,
) -> QueryResult:
    """Every applicable heuristic for the given model and budget.

    >>> result = query(d_model=4096, tokens="1T")      # doctest: +SKIP
    >>> result.spread["eta"].median                      # doctest: +SKIP

    Returns a :class:`~hpguide.resolver.resolve.QueryResult`; ``result.to_dict()`` is the
    same object ``hpguide query --json`` prints.
    """
    compiled = kb if isinstance(kb, CompiledKB) else load_compiled(kb)
    values = parse_inputs(inputs, set, compiled.symbols)
    return resolve(compiled, values, topics=topics, entries=entries, include_drafts=include_drafts)


def derive_grid(
    inputs: Mapping[str, Any],
    *,
    kb: str | os.PathLike[str] | CompiledKB | None = None,
    include_drafts: bool = False,
) -> dict[str, Any]:
    """What the definitions give from ``inputs`` (arrays or numbers): e.g. N, N_ne, M
    and C from a grid of shapes. Inputs are returned too."""
    import numpy as np

    compiled = kb if isinstance(kb, CompiledKB) else load_compiled(kb)
    env = {k: (np.asarray(v, dtype=float) if not isinstance(v, (int, float)) else float(v)) for k, v in inputs.items()}
    definitions = [rel for e in compiled.entries if e.kind == "definition" and e.active(include_drafts)
                   for rel in e.relations]
    return derive(definitions, env).values


def evaluate_grid(
    inputs: Mapping[str, Any],
    *,
    kb: str | os.PathLike[str] | CompiledKB | None = None,
    entries: Iterable[str] = (),
    include_drafts: bool = False,
    unusable: str = "keep",
) -> dict[tuple[str, str], Any]:
    """Evaluate every applicable law over arrays: {(entry id, symbol): array}.

    ``inputs`` maps registry symbols to numpy arrays (broadcastable) or
    numbers, e.g. ``{"N": n_grid, "D": d_grid}``. Definitions are chained first
    (C = 6ND ...); no assumptions are filled in. Ranges are not checked here:
    compare with each entry's validity yourself (see ``hpguide show``).
    ``unusable="nan"`` replaces every point that is no answer by NaN, by the
    rule a query applies to each row (non-physical, outside the entry's output
    bounds, where the source says the law breaks down:
    :func:`hpguide.resolver.resolve.usability`); ``"keep"`` (the default)
    returns the formulas' numbers as they are.
    """
    if unusable not in ("keep", "nan"):
        raise UsageError(f"unusable takes 'keep' or 'nan', got {unusable!r}")
    compiled = kb if isinstance(kb, CompiledKB) else load_compiled(kb)
    context = derive_grid(inputs, kb=compiled, include_drafts=include_drafts)
    wanted = set(entries)
    out: dict[tuple[str, str], Any] = {}
    for entry in (e for e in compiled.entries if e.active(include_drafts)):
        if entry.kind in ("definition", "recipe") or (wanted and entry.id not in wanted):
            continue
        local = derive(entry.relations, context, allow_backward=False)
        for rel in entry.relations:
            if rel.output in local.steps:
                values = local.values[rel.output]
                if unusable == "nan":
                    values = _mask_unusable(compiled, entry, rel.output, values, local)
                out[(entry.id, rel.output)] = values
    return out


def _mask_unusable(compiled: CompiledKB, entry: Any, symbol: str, values: Any, local: Any) -> Any:
    """``values`` with NaN at every point the query's usability rule rejects (the rule itself, per point)."""
    import numpy as np

    from .resolve import _reads, usability

    reads = _reads(local, symbol)
    arrays = {k: np.asarray(v, dtype=float) for k, v in local.values.items()}
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    flat = {k: np.broadcast_to(a, shape).ravel() for k, a in arrays.items()}
    result = np.array(np.broadcast_to(np.asarray(values, dtype=float), shape), dtype=float).ravel()
    for i in range(result.size):
        env = {k: float(a[i]) for k, a in flat.items()}
        if usability(compiled, entry, symbol, float(result[i]), env, reads) is not None:
            result[i] = np.nan
    return result.reshape(shape)
