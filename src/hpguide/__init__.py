"""hpguide: a curated, cited, machine-evaluable knowledge base of LLM training heuristics.

The public API is imported lazily, so that ``hpguide query`` starts fast:

- :func:`query` -- every applicable heuristic for a model and budget;
- :func:`evaluate_grid` -- the same laws over numpy arrays, for plots;
- :func:`load_kb`, :func:`validate_kb` -- read and check a KB directory.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "query", "evaluate_grid", "load_kb", "validate_kb", "QueryResult"]

_LAZY = {
    "query": ("hpguide.resolver.api", "query"),
    "evaluate_grid": ("hpguide.resolver.api", "evaluate_grid"),
    "load_kb": ("hpguide.kb.load", "load_kb"),
    "validate_kb": ("hpguide.kb.validate", "validate_kb"),
    "QueryResult": ("hpguide.resolver.resolve", "QueryResult"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hpguide' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
