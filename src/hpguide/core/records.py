"""Small immutable records with named fields, cheaper to define than dataclasses.

Every ``hpguide query`` imports the modules that define its result types, so
their definition cost is start-up time: a dataclass costs ~0.4 ms to create
(plus ~5 ms to import ``dataclasses``), a namedtuple needs ``collections``.
A :class:`Record` subclass lists its ``__slots__`` and annotates the same
fields, in the same order, at class level for type checkers. Under
``from __future__ import annotations`` the annotations stay strings that are
never evaluated, so the names they use are imported under ``TYPE_CHECKING``
only and cost no start-up time.
"""

from __future__ import annotations

__all__ = ["Record"]


class Record:
    """Base of immutable records: subclasses set ``__slots__`` to their field names
    and annotate each field at class level (same names, same order)::

        class Skipped(Record):
            __slots__ = ("entry", "missing")
            entry: str
            missing: list[str]

    Records take their fields positionally or by name, compare and hash by
    value, and give their fields as a dict with :meth:`_asdict` (the name
    namedtuples use).
    """

    __slots__: tuple[str, ...] = ()

    def __init__(self, *args: object, **kwargs: object) -> None:
        fields = self.__slots__
        if not kwargs and len(args) == len(fields):  # the common case: every field, in order
            for name, value in zip(fields, args):
                object.__setattr__(self, name, value)
            return
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__} takes {len(fields)} fields, got {len(args)}")
        values: dict[str, object] = dict(zip(fields, args))
        for name, value in kwargs.items():
            if name not in fields or name in values:
                raise TypeError(f"{type(self).__name__}: unexpected or repeated field {name!r}")
            values[name] = value
        missing = [name for name in fields if name not in values]
        if missing:
            raise TypeError(f"{type(self).__name__} is missing {', '.join(missing)}")
        for name in fields:
            object.__setattr__(self, name, values[name])

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _asdict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self).__name__, *map(_hashable, self._values())))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({inner})"


def _hashable(value: object) -> object:
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return value
