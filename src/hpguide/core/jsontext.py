"""JSON text for ``--json``, equal to ``json.dumps(obj, indent=2, sort_keys=True, allow_nan=False)``.

Why not :mod:`json` itself: importing it imports :mod:`re` and :mod:`enum`,
which made ``hpguide query --json`` 2.5x ``python -c pass`` against a target
of 2x (benchmarks/bench_query.py). This writer covers what the query's
``to_dict()`` holds (dicts with string keys, lists and tuples, strings,
ints, floats, bools, None) and is held equal to :func:`json.dumps` by a
hypothesis test (tests/core/test_jsontext.py).
"""

from __future__ import annotations

__all__ = ["dumps"]

_INF = float("inf")
_KEYS: dict[object, str] = {}  # a key as written, with its colon
_KEYS_KEPT = 512
_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _string(text: str) -> str:
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    out = []
    for char in text:
        code = ord(char)
        if char in _SHORT:
            out.append(_SHORT[char])
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code > 0xFFFF:  # a surrogate pair, as json.dumps(ensure_ascii=True) writes it
            code -= 0x10000
            out.append(f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return '"' + "".join(out) + '"'


def _write(value: object, indent: str, out: list[str]) -> None:
    # exact types first (everything a query's to_dict() holds), subclasses of them after
    kind = type(value)
    if kind is str:
        out.append(_string(value))  # type: ignore[arg-type]
    elif kind is float:
        out.append(_float(value))  # type: ignore[arg-type]
    elif kind is dict:
        _object(value, indent, out)  # type: ignore[arg-type]
    elif kind is list or kind is tuple:
        _array(value, indent, out)  # type: ignore[arg-type]
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, dict):
        _object(value, indent, out)
    elif isinstance(value, (list, tuple)):
        _array(value, indent, out)
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _float(value: float) -> str:
    if value != value or value in (_INF, -_INF):
        raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
    return float.__repr__(value)


def _object(value: dict[object, object], indent: str, out: list[str]) -> None:
    if not value:
        out.append("{}")
        return
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"keys must be str, not {type(key).__name__}")
    inner = indent + "  "
    separator = ",\n" + inner
    out.append("{\n" + inner)
    first = True
    for key in sorted(value):  # type: ignore[type-var]
        if not first:
            out.append(separator)
        first = False
        written = _KEYS.get(key)  # the same few dozen keys recur thousands of times
        if written is None:
            written = _string(key) + ": "  # type: ignore[arg-type]
            if len(_KEYS) < _KEYS_KEPT:
                _KEYS[key] = written
        out.append(written)
        _write(value[key], inner, out)
    out.append("\n" + indent + "}")


def _array(value: list[object] | tuple[object, ...], indent: str, out: list[str]) -> None:
    if not value:
        out.append("[]")
        return
    inner = indent + "  "
    separator = ",\n" + inner
    out.append("[\n" + inner)
    first = True
    for item in value:
        if not first:
            out.append(separator)
        first = False
        _write(item, inner, out)
    out.append("\n" + indent + "]")


def dumps(value: object) -> str:
    """``value`` as indented JSON text with sorted keys; NaN and infinities refused (ValueError)."""
    out: list[str] = []
    _write(value, "", out)
    return "".join(out)
