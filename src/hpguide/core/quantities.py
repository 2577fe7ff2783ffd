"""Read and write "human quantities" such as ``7B``, ``1.5T``, ``4k`` or ``1e21``.

Command-line flags of hpguide take model sizes, token counts, compute budgets
and learning rates. People write these as a number with an optional
*count multiplier* suffix, or in scientific notation.

Multipliers
-----------

======  ==========  =============================
suffix  multiplier  example
======  ==========  =============================
``K``   1e3         ``4K`` = ``4k`` = 4000
``k``   1e3         ``4k`` = 4000
``M``   1e6         ``350M`` = 350 000 000
``B``   1e9         ``7B`` = 7 000 000 000
``T``   1e12        ``1.5T`` = 1 500 000 000 000
======  ==========  =============================

Only ``k`` may be written in either case. Other suffixes are refused on
purpose, each with a hint, because a silent misreading costs a whole training
run:

* ``m`` (lowercase) is the SI prefix *milli*; ``2m`` could mean 2e6 or 2e-3.
  Write ``2M`` for millions or ``2e-3`` for milli.
* ``b`` (lowercase) could mean *bits* as much as *billions*. Write ``B``.
* ``G`` is ambiguous: giga (1e9) to some, but "GB" usually means gibibytes
  (2**30) of memory, not a count. Write ``B`` (1e9).
* ``P``, ``E`` and bigger: rare enough that scientific notation (``1e15``) is
  clearer.
* Units (``1TB``, ``7GB``, ``4MiB``, ``2 tokens``): the suffix is a count
  multiplier, not a unit, so the unit is dropped (``1T``).

Grammar of :func:`parse_quantity`
---------------------------------

After stripping ASCII whitespace at both ends, the text must be an optional
sign (``+`` or ``-``), a decimal number (``4096``, ``0.5``, ``.5``, ``5.``),
and then *either* an exponent (``e21``, ``E-4``, ``e+3``) *or* one suffix from
the table, never both. Only ASCII digits count: Python's :func:`float` also
accepts Arabic-Indic or full-width digits, this parser does not. Underscores may
group digits as in Python literals (``1_000_000``): one underscore at a time,
between two digits. Hexadecimal, ``nan``, ``inf``, commas, spaces inside the
quantity and texts longer than :data:`MAX_QUANTITY_LENGTH` characters are
refused. The result must be a finite float; a nonzero number so small that it
rounds to zero is refused too. By default the result must also be > 0.

Rules of :func:`format_quantity`
--------------------------------

With ``a = abs(value)`` and ``sig`` significant digits (default 2):

* ``nan``, ``inf`` and ``-inf`` are written as such; zero (also ``-0.0``) is
  ``0``; negative values are ``-`` followed by the form of ``a``.
* Integers below 1e4 are written plainly and in full: ``4096``.
* Otherwise ``a`` is first rounded to ``sig`` significant digits; its decimal
  exponent ``E`` *after* rounding picks the form:

  - ``E >= 15`` (beyond T): scientific, ``1.5e15``. No ``+`` and no leading
    zeros in the exponent.
  - ``4 <= E <= 14``: the largest suffix that leaves an integer part of 1 to 3
    digits: ``12k``, ``350M``, ``6.7B``, ``1.0T``. Exactly ``sig`` digits are
    shown (trailing zeros kept) unless the integer part alone is longer.
  - ``-2 <= E <= 3`` (0.01 up to 1e4): plain decimal, ``0.5``, ``2.5``,
    ``0.012``, ``1235``. Rounded to ``sig`` significant digits but never
    dropping integer digits, and without trailing zeros.

  Rounding is half-up on the exact binary value of ``value`` (so 12345 gives
  ``12.35k`` with ``sig=4`` and 2.5 gives ``3`` with ``sig=1``), except that a
  value which would round up past the largest float is rounded down.
  - ``E <= -3`` (below 0.01): scientific, ``4.2e-4``.

Every finite output is accepted by ``parse_quantity(text, positive=False)``
and reads back within the rounding of ``sig`` significant digits.
"""

from __future__ import annotations

import math

from .errors import QuantityError

TYPE_CHECKING = False  # no run-time typing import (start-up time)
if TYPE_CHECKING:
    from types import MappingProxyType
    from typing import ClassVar
else:
    # types.MappingProxyType itself, without importing the types module (0.15 ms of every query)
    MappingProxyType = type(type.__dict__)

__all__ = ["MAX_QUANTITY_LENGTH", "MULTIPLIERS", "format_number", "format_quantity", "parse_quantity"]

#: Longest text :func:`parse_quantity` will look at (whitespace included).
MAX_QUANTITY_LENGTH = 64

#: Accepted suffixes and their power of ten.
_SUFFIX_EXPONENT = {"k": 3, "K": 3, "M": 6, "B": 9, "T": 12}

#: Accepted suffixes and the factor each stands for (read-only).
MULTIPLIERS = MappingProxyType({s: 10.0**e for s, e in _SUFFIX_EXPONENT.items()})

_GENERIC_HINT = "use a number with an optional K, M, B or T suffix (e.g. 7B, 1.5T, 4k, 1e21)"
_ASCII_WS = " \t\n\r\f\v"

_DIGIT_CHARS = frozenset("0123456789")


class _Patterns:
    """The regular expressions of the error hints, compiled on first use: ``re``
    is not imported on the path of a valid quantity (start-up time of queries)."""

    _cache: ClassVar[dict[str, object]] = {}

    @classmethod
    def get(cls, name: str):
        if not cls._cache:
            import re

            cls._cache.update(
                nonfinite=re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE),
                radix=re.compile(r"[+-]?0(?:[xX][0-9a-fA-F_]|[oO][0-7_]|[bB][01_])[0-9a-fA-F_]*"),
                bytes_unit=re.compile(r"\s*[kKmMgGtTpPeE]?i?[bB](?:ytes?|its?)?"),
                words=re.compile(r"[A-Za-z%]+(?:\s+[A-Za-z%]+)*"),
            )
        return cls._cache[name]


def _digits_end(s: str, i: int) -> int:
    """End of a run of digits at ``i`` (``[0-9](_?[0-9])*``), or ``i`` if there is none."""
    n = len(s)
    if i >= n or s[i] not in _DIGIT_CHARS:
        return i
    i += 1
    while i < n:
        if s[i] in _DIGIT_CHARS:
            i += 1
        elif s[i] == "_" and i + 1 < n and s[i + 1] in _DIGIT_CHARS:
            i += 2
        else:
            break
    return i


def _scan_number(s: str) -> tuple[str, str, str | None, int] | None:
    """Match ``[+-]? mantissa ([eE] [+-]? digits)?`` at the start of ``s``.

    Returns (sign, mantissa, exponent or None, end) or None. The mantissa is
    ``digits ('.' digits?)?`` or ``'.' digits``; digits may be grouped by
    single underscores. An ``e`` not followed by digits is not part of the match.
    """
    i = 0
    sign = ""
    if s[:1] in ("+", "-"):
        sign, i = s[0], 1
    start = i
    j = _digits_end(s, i)
    if j > i:
        i = j
        if s[i:i + 1] == ".":
            i = _digits_end(s, i + 1)
    elif s[i:i + 1] == ".":
        j = _digits_end(s, i + 1)
        if j == i + 1:
            return None
        i = j
    else:
        return None
    mantissa = s[start:i]
    exponent = None
    if s[i:i + 1] in ("e", "E"):
        k = i + 1
        if s[k:k + 1] in ("+", "-"):
            k += 1
        end = _digits_end(s, k)
        if end > k:
            exponent, i = s[i + 1:end], end
    return sign, mantissa, exponent, i


def _show(text: str) -> str:
    """Quote ``text`` for a one-line message (escapes newlines and controls)."""
    return repr(text)


def _fail(text: str, hint: str) -> QuantityError:
    return QuantityError(f"cannot read {_show(text)} as a quantity: {hint}")


def parse_quantity(text: str, *, positive: bool = True) -> float:
    """Read a human quantity such as ``7B``, ``1.5T``, ``4k`` or ``3.0e-4``.

    ``text`` is a number with an optional sign and either an exponent or one
    of the suffixes K/k (1e3), M (1e6), B (1e9) and T (1e12); see the module
    docstring for the full grammar and for the suffixes that are refused.

    With ``positive=True`` (the default) the value must be > 0, as sizes,
    budgets and rates are. Pass ``positive=False`` to allow zero and negative
    values.

    Returns the value as a finite float. Raises
    :class:`~hpguide.core.errors.QuantityError` with a one-line message naming the
    text and what to write instead.
    """
    if not isinstance(text, str):
        raise QuantityError(
            f"cannot read {text!r} as a quantity: expected text such as '7B', "
            f"got {type(text).__name__}"
        )
    if len(text) > MAX_QUANTITY_LENGTH:
        raise QuantityError(
            f"cannot read {_show(text[:20])}... ({len(text)} characters) as a quantity: "
            f"a quantity has at most {MAX_QUANTITY_LENGTH} characters; {_GENERIC_HINT}"
        )
    s = text.strip(_ASCII_WS)
    if not s:
        raise QuantityError(
            f"cannot read {_show(text)} as a quantity: it is empty; {_GENERIC_HINT}"
        )
    if not s.isascii():
        raise _fail(s, "use ASCII digits 0-9 and an optional K, M, B or T suffix (e.g. 7B, 1e21)")

    match = _scan_number(s)
    if match is None:
        raise _fail(s, _hint_without_number(s))
    sign, mant, exp_text, end = match
    rest = s[end:]
    suffix = ""
    if rest:
        if rest in _SUFFIX_EXPONENT and exp_text is None:
            suffix = rest
        else:
            raise _fail(s, _hint_after_number(s, rest, has_exponent=exp_text is not None))

    mantissa = mant.replace("_", "")
    exponent = int(exp_text.replace("_", "")) if exp_text else 0
    exponent += _SUFFIX_EXPONENT.get(suffix, 0)
    # One correctly rounded conversion: 1.1B is float("1.1e9"), not 1.1 * 1e9.
    value = float(f"{sign}{mantissa}e{exponent}")

    if not math.isfinite(value):
        raise _fail(s, "the number is too large for a float; use a smaller value")
    if value == 0.0:
        value = 0.0  # no -0.0
        if mantissa.strip("0.") != "":
            raise _fail(s, "the number is too small for a float (it rounds to 0)")
    if positive and value <= 0.0:
        raise QuantityError(
            f"quantity {_show(s)} must be > 0: give a positive number (e.g. 7B, 1e21, 3e-4)"
        )
    return value


def _hint_without_number(s: str) -> str:
    """Say what is wrong with ``s``, which does not start with a number."""
    if _Patterns.get("nonfinite").fullmatch(s):
        return "the value must be a finite number; " + _GENERIC_HINT
    body = s.lstrip("+-")
    if len(s) - len(body) > 1:
        return "use at most one sign (e.g. -5 or +5)"
    if body[:1] in _SUFFIX_EXPONENT and body:
        return f"a suffix needs a number in front of it (e.g. 7{body[0]})"
    if body.startswith("_"):
        return "underscores may only separate digits (e.g. 1_000_000)"
    return _GENERIC_HINT


def _hint_after_number(s: str, rest: str, *, has_exponent: bool) -> str:
    """Say what is wrong with ``rest``, the part of ``s`` after a valid number."""
    if has_exponent and rest in _SUFFIX_EXPONENT:
        return "use an exponent or a suffix, not both (e.g. 1e9 or 1B)"
    if _Patterns.get("radix").fullmatch(s):
        return "hexadecimal, octal and binary numbers are not accepted; write it in decimal"
    if rest == "m":
        return (
            "lowercase m is ambiguous with milli; use M for millions (e.g. 2M) "
            "or an exponent for milli (e.g. 2e-3)"
        )
    if rest == "b":
        return "use B for billions (lowercase b could mean bits)"
    if rest in ("G", "g"):
        return "use B (1e9); G is ambiguous"
    if rest in ("P", "p"):
        return "suffixes beyond T are not accepted; use an exponent (e.g. 1e15)"
    unit_hint = (
        "the suffix is a count multiplier, not a unit: drop the unit "
        "(e.g. 1T for 1TB, 2 for 2 tokens)"
    )
    if rest.strip(_ASCII_WS) in _SUFFIX_EXPONENT:
        return "write the suffix right after the number, without a space (e.g. 7B)"
    if _Patterns.get("bytes_unit").fullmatch(rest):  # 1TB, 7GB, 4MiB, 1 kB, 8Gbit
        return unit_hint
    if not has_exponent and rest[0] in "eE":
        return "an exponent needs digits after the e (e.g. 1e21, 3e-4)"
    words = rest.strip(_ASCII_WS)
    if (
        _Patterns.get("words").fullmatch(words)
        and (len(words) > 1 or rest[0] in _ASCII_WS)
        and (rest[0] in _ASCII_WS or not set(rest) <= set(_SUFFIX_EXPONENT))
    ):  # 2 tokens, 7B params, 6flops; but 1TT is just malformed
        return unit_hint
    if "_" in rest:
        return "underscores may only separate digits, one at a time (e.g. 1_000_000)"
    if "," in rest:
        return "do not group digits with commas; use underscores or a suffix (e.g. 1_000 or 1k)"
    return _GENERIC_HINT


def _scaled_half_up(a: float, shift: int) -> int:
    """``a * 10**shift`` rounded half-up, computed exactly on the binary value of ``a``."""
    n, d = a.as_integer_ratio()
    if shift >= 0:
        num, den = n * 10**shift, d
    else:
        num, den = n, d * 10 ** (-shift)
    q, r = divmod(num, den)
    return q + 1 if 2 * r >= den else q


def _round_sig(a: float, sig: int) -> tuple[str, int]:
    """Round ``a > 0`` to ``sig`` significant digits: (digits, decimal exponent).

    ``digits`` has exactly ``sig`` characters and the value is
    ``d1.d2... e exponent``. Rounds the exact binary value half-up (12345 ->
    12.35k, as people expect), except where that would overflow a float, where
    it rounds down. Integer arithmetic only (no ``decimal`` import).
    """
    n, d = a.as_integer_ratio()
    exp = math.floor(math.log10(a))

    def at_least(e: int) -> bool:  # a >= 10**e, exactly
        return n * 10 ** (-e) >= d if e < 0 else n >= d * 10**e

    while not at_least(exp):
        exp -= 1
    while at_least(exp + 1):
        exp += 1
    q = _scaled_half_up(a, sig - 1 - exp)
    if q == 10**sig:
        q //= 10
        exp += 1
    if not math.isfinite(float(f"{q}e{exp - sig + 1}")):  # rounding up overflowed: round down
        n_shift = sig - 1 - exp
        q = (n * 10**n_shift) // d if n_shift >= 0 else n // (d * 10 ** (-n_shift))
    return str(q), exp


def _point(digits: str, int_len: int) -> str:
    """Put a decimal point after ``int_len`` digits (padding with zeros)."""
    if len(digits) > int_len:
        return f"{digits[:int_len]}.{digits[int_len:]}"
    return digits.ljust(int_len, "0")


def format_quantity(value: float, sig: int = 2) -> str:
    """Write ``value`` as a short human quantity: ``6.7B``, ``350M``, ``4.2e-4``.

    ``sig`` (1 to 17) is the number of significant digits of the suffixed and
    scientific forms; the module docstring gives all the rules. Examples with
    the default ``sig=2``: 6.7e9 -> ``6.7B``, 1e12 -> ``1.0T``, 4096 ->
    ``4096``, 0.5 -> ``0.5``, 4.2e-4 -> ``4.2e-4``, 1.5e15 -> ``1.5e15``.

    For finite values, ``parse_quantity(format_quantity(v, sig), positive=False)``
    gives back ``v`` within the rounding of ``sig`` significant digits. NaN and
    infinities are written ``nan``, ``inf`` and ``-inf`` (which
    :func:`parse_quantity` refuses). Raises :class:`ValueError` for a bad
    ``sig``.
    """
    if isinstance(sig, bool) or not isinstance(sig, int) or not 1 <= sig <= 17:
        raise ValueError(f"sig must be an integer from 1 to 17, got {sig!r}")
    x = float(value)
    if math.isnan(x):
        return "nan"
    if x == 0.0:
        return "0"
    if x < 0.0:
        return "-" + format_quantity(-x, sig)
    if math.isinf(x):
        return "inf"

    if x < 1e4 and x.is_integer():
        return str(int(x))
    digits, exp = _round_sig(x, sig)
    if exp >= 15 or exp <= -3:
        return f"{_point(digits, 1)}e{exp}"
    if exp >= 4:
        group = exp // 3
        suffix = {1: "k", 2: "M", 3: "B", 4: "T"}[group]
        return _point(digits, exp - 3 * group + 1) + suffix
    decimals = max(0, sig - exp - 1)
    scaled = str(_scaled_half_up(x, decimals))
    if decimals:
        scaled = scaled.rjust(decimals + 1, "0")
        text = f"{scaled[:-decimals]}.{scaled[-decimals:]}".rstrip("0").rstrip(".")
    else:
        text = scaled
    return text


def format_number(value: float) -> str:
    """``value`` to 6 significant digits, ``%g`` style: ``0.33917``, ``2085.43``, ``0.00042``, ``1e+09``.

    The form for numbers a reader compares digit by digit with a source or with
    another number (constants, validity bounds, examples and the values that
    reproduce them, constants before and after a change): more digits than the
    short display of :func:`format_quantity`, and no suffixes.
    """
    return f"{value:.6g}"


def format_exact(value: float) -> str:
    """``value`` as published or given, never rounded: integers below a million in full (11008, 128000),
    otherwise the shortest :func:`format_quantity` form that reads back as exactly ``value`` (125M, 405B,
    15.6T, 375M, 3e-4). Non-finite values as format_quantity."""
    x = float(value)
    if not math.isfinite(x):
        return format_quantity(x)
    if x.is_integer() and abs(x) < 1e6:
        return str(int(x))  # shape numbers in full: 11008, 128256, 50257
    # repr gives the shortest digits that read back exactly; their count is the first guess (on the query's
    # hot path: one format and one parse instead of a search over 1..17 digits)
    mantissa = repr(abs(x)).split("e")[0].replace(".", "").strip("0")
    guess = min(max(len(mantissa), 1), 17)
    text = format_quantity(x, guess)
    if parse_quantity(text, positive=False) == x:
        return text
    for sig in range(1, 18):
        text = format_quantity(x, sig)
        if parse_quantity(text, positive=False) == x:
            return text
    return format_quantity(x, 17)  # 17 significant digits always read back exactly


def format_computed(value: float, sig: int = 3) -> str:
    """A value hpguide computed: rounded to ``sig`` (default 3) significant digits, written without trailing
    zeros (6.44B, 2.48e-4, 11B, 6.3e24, 4096)."""
    x = float(value)
    if not math.isfinite(x) or x == 0.0:
        return format_quantity(x)
    if not x.is_integer() and 1e3 <= abs(x) < 1e4:
        # format_quantity writes a value below 1e4 with all its integer digits (4096): round first, so that a
        # computed 8361.6 reads 8360, not 8362 (found by the hypothesis oracle in tests/core/test_quantities.py)
        digits, exp = _round_sig(abs(x), sig)
        x = math.copysign(int(digits) * 10.0 ** (exp - sig + 1), x)
    digits, _ = _round_sig(abs(x), sig)
    # the zeros that end the rounded digits are padding: write as many digits as remain (1.10e10 -> 11B)
    return format_quantity(x, max(len(digits.rstrip("0")), 1))
