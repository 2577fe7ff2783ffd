"""Medians: the one implementation of each, for every layer.

Two meanings, two names:

- :func:`median` is the median of statistics: the middle value, or the mean of
  the two middle values of an even count (the resolver's spread; the site's
  calculator computes the same in JavaScript and is held to the resolver's
  answers).
- :func:`median_high` is always one of the values: the middle one, or the
  larger of the two middle ones of an even count (the batch of the sweep's LR
  range test must be a point of the batch grid).

Pure Python on purpose: :mod:`statistics` would add about 30 ms of imports
(``fractions``, ``decimal``) to the start-up of every query.
"""

from __future__ import annotations

TYPE_CHECKING = False  # no run-time typing import (start-up time)
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["median", "median_high"]


def _sorted(values: Iterable[float]) -> list[float]:
    ordered = sorted(values)
    if not ordered:
        raise ValueError("the median of no values is undefined")
    return ordered


def median(values: Iterable[float]) -> float:
    """The median of ``values`` (any order): the middle value, or the mean of the two middle
    values when there is an even number of them. Raises :class:`ValueError` when empty."""
    ordered = _sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def median_high(values: Iterable[float]) -> float:
    """The upper median of ``values`` (any order), always one of them: the middle value, or the
    larger of the two middle values when there is an even number. Raises :class:`ValueError` when empty."""
    ordered = _sorted(values)
    return ordered[len(ordered) // 2]
