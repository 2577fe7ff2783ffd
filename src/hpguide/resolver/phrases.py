"""How the conditions, conventions and bands of an answer read, in words: one phrasing for the terminal
report, the Markdown report and the site (the calculator's JavaScript mirrors it, held equal by the browser
tests)."""

from __future__ import annotations

from ..core.quantities import format_computed

TYPE_CHECKING = False  # no run-time typing import (start-up time)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["context_text", "conventions_text", "band_text"]

#: How a row's context reads, key by key ("fitted with AdamW, cosine, batch in tokens, on MassiveText").
_CONTEXT_PHRASES = (("optimizer", "{}"), ("schedule", "{}"), ("parameterization", "{}"),
                    ("batch_unit", "batch in {}"), ("n_convention", "N {}"), ("data", "on {}"),
                    ("tokenizer", "tokenizer {}"))


def context_text(context: Mapping[str, str]) -> str:
    """The conditions an entry's numbers hold under, as one phrase."""
    parts = [phrase.format(context[key]) for key, phrase in _CONTEXT_PHRASES if key in context]
    return "fitted with " + ", ".join(parts) if parts else ""


def conventions_text(conventions: Mapping[str, str]) -> str:
    """The shared conventions of a spread: "data MassiveText, tokenizer SentencePiece 32k"."""
    return ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in conventions.items())


def band_text(band: Mapping[str, Any]) -> str:
    """A row's band as one phrase: "80% band 291B .. 429B (bootstrap, recomputed by hpguide ..., where)"."""
    how = band["method"] + (", recomputed by hpguide by the source's method" if band.get("origin") == "recomputed"
                            else "")
    lo, hi = format_computed(band["lo"]), format_computed(band["hi"])
    return f"{band['level']:.0%} band {lo} .. {hi} ({how}, {band['where']})"
