"""Tests of hpguide.core.quantities: parse_quantity and format_quantity."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hpguide.core.errors import HpguideError, QuantityError
from hpguide.core.quantities import (
    MAX_QUANTITY_LENGTH,
    MULTIPLIERS,
    format_computed,
    format_exact,
    format_quantity,
    parse_quantity,
)

FAST = settings(max_examples=200, deadline=None)


# --------------------------------------------------------------------------
# parse_quantity: accepted inputs
# --------------------------------------------------------------------------

GOOD = [
    ("7B", 7e9),
    ("1.5T", 1.5e12),
    ("350M", 350e6),
    ("2M", 2e6),
    ("4k", 4e3),
    ("4K", 4e3),
    ("1e21", 1e21),
    ("1E21", 1e21),
    ("3.2e23", 3.2e23),
    ("1_000_000", 1e6),
    ("1_000.000_1", 1000.0001),
    ("4096", 4096.0),
    ("0.5M", 5e5),
    ("6e-4", 6e-4),
    ("3.0e-4", 3e-4),
    ("1e+3", 1e3),
    ("1e1_0", 1e10),
    (".5", 0.5),
    ("5.", 5.0),
    ("+7B", 7e9),
    ("  7B  ", 7e9),
    ("\t1.5T\n", 1.5e12),
    ("1.1B", 1.1e9),  # one correctly rounded conversion, equal to the literal
    ("0.1k", 100.0),
    ("12.5k", 12500.0),
    ("1_000B", 1e12),
    ("1T", 1e12),
    ("5e-324", 5e-324),  # smallest subnormal is still > 0
]


@pytest.mark.parametrize(("text", "expected"), GOOD)
def test_parse_good(text: str, expected: float) -> None:
    value = parse_quantity(text)
    assert type(value) is float
    assert value == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-7B", -7e9),
        ("-3e-4", -3e-4),
        ("0", 0.0),
        ("-0", 0.0),
        ("0B", 0.0),
        ("+0.0", 0.0),
        ("-1_000", -1000.0),
    ],
)
def test_parse_signed_when_not_positive(text: str, expected: float) -> None:
    value = parse_quantity(text, positive=False)
    assert value == expected
    assert math.copysign(1.0, value) == math.copysign(1.0, expected) or value == 0.0
    if value == 0.0:
        assert math.copysign(1.0, value) == 1.0  # never -0.0


def test_multipliers_table() -> None:
    assert dict(MULTIPLIERS) == {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
    for suffix, factor in MULTIPLIERS.items():
        assert parse_quantity(f"3{suffix}") == 3 * factor
    with pytest.raises(TypeError):
        MULTIPLIERS["G"] = 1e9  # type: ignore[index]


def test_max_length_boundary() -> None:
    at_limit = "1" + "0" * (MAX_QUANTITY_LENGTH - 1)
    assert parse_quantity(at_limit) == float(at_limit)
    with pytest.raises(QuantityError):
        parse_quantity(at_limit + "0")
    padded = " " * (MAX_QUANTITY_LENGTH - 2) + "7B"
    assert parse_quantity(padded) == 7e9


# --------------------------------------------------------------------------
# parse_quantity: rejected inputs
# --------------------------------------------------------------------------

# (text, a fragment the message must contain besides the text itself)
BAD = [
    ("NaN", "finite"),
    ("nan", "finite"),
    ("inf", "finite"),
    ("-inf", "finite"),
    ("+Infinity", "finite"),
    ("1TT", "optional K, M, B or T suffix"),
    ("1e", "exponent needs digits"),
    ("1E", "exponent needs digits"),
    ("1e+", "exponent needs digits"),
    ("1e-", "exponent needs digits"),
    ("--5", "one sign"),
    ("+-5", "one sign"),
    ("B", "number in front"),
    ("k", "number in front"),
    ("1.2.3", "optional K, M, B or T suffix"),
    (".", "optional K, M, B or T suffix"),
    ("+", "optional K, M, B or T suffix"),
    ("e5", "optional K, M, B or T suffix"),
    ("0x10", "hexadecimal"),
    ("0X1F", "hexadecimal"),
    ("0o17", "hexadecimal"),
    ("0b101", "hexadecimal"),
    ("2m", "milli"),
    ("350m", "use M for millions"),
    ("7b", "use B for billions"),
    ("7G", "use B (1e9); G is ambiguous"),
    ("7g", "G is ambiguous"),
    ("1P", "beyond T"),
    ("1TB", "count multiplier, not a unit"),
    ("7GB", "count multiplier, not a unit"),
    ("4MiB", "count multiplier, not a unit"),
    ("1kB", "count multiplier, not a unit"),
    ("8Gbit", "count multiplier, not a unit"),
    ("2 tokens", "count multiplier, not a unit"),
    ("7B params", "count multiplier, not a unit"),
    ("6flops", "count multiplier, not a unit"),
    ("7 B", "without a space"),
    ("1e3M", "not both"),
    ("2e-3k", "not both"),
    ("1_", "underscores"),
    ("_1", "underscores"),
    ("1__000", "underscores"),
    ("1_.5", "underscores"),
    ("1._5", "underscores"),
    ("1e_5", "exponent needs digits"),
    ("1,000", "commas"),
    ("1e400", "too large"),
    ("9e99999", "too large"),
    ("-1e400", "too large"),
    ("1e-400", "too small"),
    ("0.000001e-320", "too small"),
    ("1x", "optional K, M, B or T suffix"),
    ("1\n2", "optional K, M, B or T suffix"),
    # non-ASCII digits and spaces, all of which float() would accept
    ("\u0663", "ASCII"),  # ARABIC-INDIC DIGIT THREE
    ("\u0667B", "ASCII"),
    ("\uff17B", "ASCII"),  # FULLWIDTH DIGIT SEVEN
    ("\u0967\u0966", "ASCII"),  # DEVANAGARI 10
    ("\u00a07B", "ASCII"),  # NO-BREAK SPACE
    ("7\u2009B", "ASCII"),  # THIN SPACE
]


@pytest.mark.parametrize(("text", "fragment"), BAD)
def test_parse_bad(text: str, fragment: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(text, positive=False)
    message = str(info.value)
    assert repr(text.strip(" \t\n\r\f\v")) in message
    assert fragment in message
    assert "\n" not in message


def test_documented_example_message() -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity("1TT")
    assert str(info.value) == (
        "cannot read '1TT' as a quantity: use a number with an optional "
        "K, M, B or T suffix (e.g. 7B, 1.5T, 4k, 1e21)"
    )


def test_float_accepts_what_we_refuse() -> None:
    # The reason the non-ASCII check exists: float() is more lenient.
    assert float("\u0663") == 3.0
    assert float("\uff17") == 7.0
    with pytest.raises(QuantityError):
        parse_quantity("\uff17")


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_parse_empty(text: str) -> None:
    with pytest.raises(QuantityError, match="empty") as info:
        parse_quantity(text)
    assert repr(text) in str(info.value)
    assert "\n" not in str(info.value)


def test_parse_too_long() -> None:
    text = "1" * (MAX_QUANTITY_LENGTH + 1)
    with pytest.raises(QuantityError, match="at most 64 characters") as info:
        parse_quantity(text)
    assert repr(text[:20]) in str(info.value)
    huge = "9" * 100_000
    with pytest.raises(QuantityError, match="100000 characters"):
        parse_quantity(huge)


@pytest.mark.parametrize("text", ["0", "-5", "-7B", "0.0", "-1e-4", "0B", "-0"])
def test_positive_rejects_zero_and_negative(text: str) -> None:
    with pytest.raises(QuantityError, match=r"must be > 0") as info:
        parse_quantity(text)
    assert repr(text) in str(info.value)
    parse_quantity(text, positive=False)  # the same text is fine otherwise


@pytest.mark.parametrize("value", [7, 7.0, None, b"7B"])
def test_parse_non_text(value: object) -> None:
    with pytest.raises(QuantityError, match="expected text"):
        parse_quantity(value)  # type: ignore[arg-type]


def test_quantity_error_types() -> None:
    with pytest.raises(ValueError):
        parse_quantity("1TT")
    with pytest.raises(HpguideError):
        parse_quantity("1TT")


# --------------------------------------------------------------------------
# format_quantity
# --------------------------------------------------------------------------

FORMATS = [
    (6.7e9, 2, "6.7B"),
    (1e12, 2, "1.0T"),
    (350e6, 2, "350M"),
    (354e6, 2, "350M"),
    (354e6, 3, "354M"),
    (350e6, 1, "400M"),
    (4096, 2, "4096"),
    (4096.0, 1, "4096"),
    (9999, 2, "9999"),
    (10_000, 2, "10k"),
    (12_345, 2, "12k"),
    (12_345, 4, "12.35k"),
    (999_999, 2, "1.0M"),  # rounding moves it to the next suffix
    (9999.7, 2, "10k"),
    (9999.7, 6, "9999.7"),
    (1234.5, 2, "1235"),  # plain form never drops integer digits
    (1234.25, 5, "1234.3"),  # half-up
    (2.5, 1, "3"),
    (4.2e-4, 2, "4.2e-4"),
    (4.2e-4, 1, "4e-4"),
    (1e-4, 2, "1.0e-4"),
    (0.1, 2, "0.1"),
    (0.5, 2, "0.5"),
    (0.0123, 2, "0.012"),
    (0.00999, 2, "0.01"),
    (0.00999, 3, "9.99e-3"),
    (2.5, 2, "2.5"),
    (3.14159, 3, "3.14"),
    (1.5e15, 2, "1.5e15"),
    (1e15, 2, "1.0e15"),
    (999.9e12, 2, "1.0e15"),
    (1e100, 3, "1.00e100"),
    (5e-324, 2, "4.9e-324"),
    (1.7976931348623157e308, 2, "1.7e308"),  # rounded down: 1.8e308 would overflow
    (0, 2, "0"),
    (0.0, 2, "0"),
    (-0.0, 2, "0"),
    (-4.2e-4, 2, "-4.2e-4"),
    (-7e9, 2, "-7.0B"),
    (-4096, 2, "-4096"),
    (float("nan"), 2, "nan"),
    (float("inf"), 2, "inf"),
    (float("-inf"), 2, "-inf"),
]


@pytest.mark.parametrize(("value", "sig", "expected"), FORMATS)
def test_format(value: float, sig: int, expected: str) -> None:
    assert format_quantity(value, sig) == expected


def test_format_accepts_numpy_scalars() -> None:
    np = pytest.importorskip("numpy")
    assert format_quantity(np.float64(6.7e9)) == "6.7B"
    assert format_quantity(np.int64(4096)) == "4096"


@pytest.mark.parametrize("sig", [0, -1, 18, 2.0, True, "2"])
def test_format_bad_sig(sig: object) -> None:
    with pytest.raises(ValueError, match="sig"):
        format_quantity(1.0, sig)  # type: ignore[arg-type]


FINITE_FORMATS = [f for f in FORMATS if f[2] not in ("nan", "inf", "-inf")]


@pytest.mark.parametrize(("value", "sig", "expected"), FINITE_FORMATS)
def test_format_examples_parse_back(value: float, sig: int, expected: str) -> None:
    back = parse_quantity(expected, positive=False)
    assert back == pytest.approx(value, rel=10 ** (1 - sig), abs=0.0)


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

_FORM = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?[kMBT]?|[0-9](?:\.[0-9]+)?e-?[1-9][0-9]*)")


@FAST
@given(x=st.floats(min_value=1e-12, max_value=1e20), sig=st.integers(1, 6))
@example(x=9.5, sig=1)
@example(x=99_950.0, sig=3)
@example(x=0.009_95, sig=2)
def test_round_trip(x: float, sig: int) -> None:
    text = format_quantity(x, sig)
    back = parse_quantity(text)
    assert abs(back - x) <= 10 ** (1 - sig) * x, (x, sig, text, back)


@FAST
@given(x=st.floats(allow_nan=False, allow_infinity=False), sig=st.integers(1, 17))
@example(x=1.7976931348623157e308, sig=1)
@example(x=-1.7976931348623157e308, sig=3)
@example(x=5e-324, sig=1)
@example(x=1.5e-323, sig=1)
def test_round_trip_any_finite(x: float, sig: int) -> None:
    text = format_quantity(x, sig)
    assert _FORM.fullmatch(text), text  # also: no "e+", no exponent zero padding
    assert len(text) <= MAX_QUANTITY_LENGTH
    back = parse_quantity(text, positive=False)
    assert abs(back - x) <= 10 ** (1 - sig) * abs(x), (x, sig, text, back)


@FAST
@given(st.text())
@example("")
@example("\u0663\u0663")
@example("1" * 1000)
@example("\x00")
def test_random_text_only_raises_quantity_error(text: str) -> None:
    for positive in (True, False):
        try:
            value = parse_quantity(text, positive=positive)
        except QuantityError as err:
            assert "\n" not in str(err)
        else:
            assert math.isfinite(value)
            assert not positive or value > 0


@FAST
@given(st.text(alphabet="0123456789_.eE+- kKMBTbmG", max_size=12))
def test_number_like_text(text: str) -> None:
    """Near-miss texts: no crash, and plain numbers agree with float()."""
    try:
        value = parse_quantity(text, positive=False)
    except QuantityError:
        return
    assert math.isfinite(value)
    if not any(c in text for c in "kKMBT"):
        assert value == float(text)


@FAST
@given(
    st.from_regex(
        r"\A[+-]?(?:[0-9](?:_?[0-9]){0,8})?(?:\.[0-9]{0,6})?(?:[eE][+-]?[0-9]{1,3})?\Z"
    )
)
def test_agrees_with_float_on_decimal_literals(text: str) -> None:
    """Whatever float() reads finitely from an ASCII decimal, parse reads the same."""
    try:
        expected = float(text)
    except ValueError:
        with pytest.raises(QuantityError):
            parse_quantity(text, positive=False)
        return
    mantissa = re.split("[eE]", text)[0]
    underflow = expected == 0.0 and any(c in "123456789" for c in mantissa)
    if not math.isfinite(expected) or underflow:
        with pytest.raises(QuantityError):
            parse_quantity(text, positive=False)
        return
    assert parse_quantity(text, positive=False) == expected


@FAST
@given(st.integers(min_value=1, max_value=10**30))
@example(1)
@example(1000)
@example(2**53 + 1)
def test_underscored_integers(n: int) -> None:
    text = f"{n:_}"
    assert parse_quantity(text) == float(n)
    assert parse_quantity(f"-{text}", positive=False) == -float(n)


@FAST
@given(
    mantissa=st.decimals(
        min_value=0, max_value=999, places=3, allow_nan=False, allow_infinity=False
    ),
    suffix=st.sampled_from(sorted(MULTIPLIERS)),
)
def test_suffix_is_exact_power_of_ten(mantissa, suffix: str) -> None:
    text = f"{mantissa}{suffix}"
    exponent = {"k": 3, "K": 3, "M": 6, "B": 9, "T": 12}[suffix]
    assert parse_quantity(text, positive=False) == float(f"{mantissa}e{exponent}")


# --------------------------------------------------------------------------- the decimal-free rounding


def _reference_round_sig(a, sig):
    """The decimal-module rounding the integer arithmetic replaced (kept as an oracle)."""
    from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal

    for rounding in (ROUND_HALF_UP, ROUND_DOWN):
        rounded = Context(prec=sig, rounding=rounding).plus(Decimal(a))
        if math.isfinite(float(rounded)):
            break
    digits = "".join(map(str, rounded.as_tuple().digits)).ljust(sig, "0")
    return digits, rounded.adjusted()


@settings(max_examples=500, deadline=None)
@given(st.floats(min_value=5e-324, max_value=1.7976931348623157e308, allow_nan=False, allow_infinity=False),
       st.integers(min_value=1, max_value=17))
def test_integer_rounding_matches_decimal(a, sig):
    from hpguide.core.quantities import _round_sig

    assert _round_sig(a, sig) == _reference_round_sig(a, sig)


@pytest.mark.parametrize("a", [0.5, 0.05, 0.125, 2.5, 9.995, 9.9999999, 1e-3, 0.0015, 1234.5])
@pytest.mark.parametrize("sig", [1, 2, 3, 4])
def test_integer_rounding_matches_decimal_on_ties(a, sig):
    from hpguide.core.quantities import _round_sig

    assert _round_sig(a, sig) == _reference_round_sig(a, sig)


# ---------------------------------------------------------------------- one display rule (issue 10, item 8)


@pytest.mark.parametrize("value, text", [
    (125e6, "125M"), (405e9, "405B"), (176e9, "176B"), (15.6e12, "15.6T"),
    (375e6, "375M"), (3e-4, "3e-4"), (0.33917, "0.33917"), (4096.0, "4096"), (128256.0, "128256"),
    (128000.0, "128000"), (11008.0, "11008"), (1e6, "1M"), (1.5e6, "1.5M"),
])
def test_published_and_given_numbers_are_shown_as_they_are(value, text):
    assert format_exact(value) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_exact_form_reads_back_exactly(value):
    assert parse_quantity(format_exact(value), positive=False) == value


@given(st.floats(min_value=-1e300, max_value=1e300, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-300))
def test_computed_form_is_three_significant_digits(value):
    # oracle: decimal's exact value of the float, rounded half-up to 3 digits; integers below 1e4 are written
    # in full (4096, 1001), as format_quantity writes them
    if value.is_integer() and abs(value) < 1e4:
        expected = value
    else:
        expected = float(Context(prec=3, rounding=ROUND_HALF_UP).plus(Decimal(value)))
    assert parse_quantity(format_computed(value), positive=False) == expected


@pytest.mark.parametrize("value, text", [(6.44e10, "64.4B"), (1.1e10, "11B"), (6.3e24, "6.3e24"),
                                         (-2.33e-4, "-2.33e-4"), (1.0e12, "1T"), (2.48e-4, "2.48e-4")])
def test_computed_values_carry_no_padding_zeros(value, text):
    assert format_computed(value) == text
