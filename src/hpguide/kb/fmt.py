"""``hpguide fmt``: one layout for every entry file, comments kept.

The file is read twice: by the safe loader of :mod:`hpguide.core.yamlio` (a file it
refuses, with tags, anchors or duplicate keys, is not formatted) and by
ruamel.yaml's round-trip loader, which keeps comments, quoting and flow style.
Then

- keys are put in the order of the entry format (the field order of
  :class:`~hpguide.core.schema.Entry` and of its nested models; keys the format does
  not know keep their order, after the known ones);
- numbers are written one way without changing their value or their precision:
  a float keeps exactly the significant digits the file writes (see
  :func:`normalise_float`: ``2e12`` stays ``2e12``, ``0.6e-4`` becomes ``6e-5``,
  ``0.1250`` keeps its trailing zero), in plain notation from 0.001 to 999.9...
  when that spelling shows the same digits, otherwise as ``4.2e-4``;
  integers in plain decimal;
- the text is LF-terminated UTF-8 without a byte-order mark.

A whole-line comment belongs (in ruamel.yaml) to the key above it and moves
with that key when keys are reordered; no comment is ever dropped.

The result is read back with the safe loader and must give exactly the same
data as the input, or formatting is refused: fmt never changes a value.
"""

from __future__ import annotations

import io
import os
import stat
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarfloat import ScalarFloat
from ruamel.yaml.scalarint import BinaryInt, HexCapsInt, HexInt, OctalInt, ScalarInt

from ..core.errors import HpguideError
from ..core.yamlio import load_yaml_text

__all__ = ["FormatError", "KEY_ORDER", "normalise_float", "format_text", "entry_problem", "format_file",
           "files_to_format"]

#: Plain notation for 10**PLAIN_MIN <= |x| < 10**(PLAIN_MAX + 1); the form the KB uses most.
PLAIN_MIN, PLAIN_MAX = -3, 2


class FormatError(HpguideError):
    """A file that cannot be formatted safely (unreadable, or formatting would change a value)."""


def _fields(model) -> tuple[str, ...]:
    return tuple(model.model_fields)


def _key_order() -> dict[str, tuple[str, ...]]:
    from ..core.schema import ChangelogItem, Constant, DataTable, Entry, Example, Related, Source, TableRow

    return {
        "": _fields(Entry),
        "sources": _fields(Source),
        "constants": _fields(Constant),
        "examples": _fields(Example),
        "changelog": _fields(ChangelogItem),
        "related": _fields(Related),
        "data": _fields(DataTable),
        "table": _fields(TableRow),
    }


#: Where a mapping sits (the top-level key above it, "" for the entry) -> its key order.
KEY_ORDER = _key_order()


def normalise_float(text: str) -> str:
    """The canonical spelling of a YAML float: the same value and the same significant digits.

    The significant digits of a written number are the digits of its mantissa
    from the first nonzero one to the last one written, zeros included: a zero
    written after the decimal point says how many digits the source printed
    (``0.1250``, ``1.40e18``), and fmt cannot tell which written zeros are only
    placeholders, so it keeps every one (``300e9`` is ``3.00e11``,
    ``1000000.0`` is ``1.0000000e6``; write ``1e6`` or ``1.0e6`` for what the
    source printed). Nothing is ever added (``2e12`` is not ``2.0e12``) or dropped.

    The spelling is plain when 0.001 <= |x| < 1000 and the last significant
    digit lies right of the decimal point (``0.5``, ``0.0010``, ``999.5``);
    otherwise scientific, ``d.ddde<exp>`` with a lowercase ``e``, no ``+`` and no
    leading zeros in the exponent, and no point after a one-digit mantissa
    (``6e-5``, ``1.00e2`` for ``100.``). A zero is ``0.0`` (or ``-0.0``), with
    more decimals only when written with more. Text that is not a finite decimal
    number is returned unchanged.

    >>> [normalise_float(t) for t in ("1e6", "1.40E+18", ".5", "0.1250", "1.0e-2", "0.6e-4", "300e9", "1000000.0")]
    ['1e6', '1.40e18', '0.5', '0.1250', '0.010', '6e-5', '3.00e11', '1.0000000e6']
    """
    try:
        number = Decimal(text.replace("_", ""))
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # a finite Decimal's exponent ('n', 'N', 'F' are NaN and infinity)
    if number.is_zero():
        return f"{number:f}" if exponent < 0 else ("-0.0" if sign else "0.0")
    if exponent < 0 and PLAIN_MIN <= number.adjusted() <= PLAIN_MAX:
        return f"{number:f}"  # exactly the written digits: Decimal keeps trailing zeros, drops leading ones
    significant = "".join(map(str, digits))  # no leading zeros (Decimal drops them), every trailing one
    mantissa = significant[0] + ("." + significant[1:] if len(significant) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{number.adjusted()}"


class _Written(float):
    """A float from the file, with the text it was written as (ruamel.yaml's round-trip
    float rebuilds that text, and gets it wrong with underscores: ``1_0.0_1`` -> ``010.010``)."""

    text: str

    def __new__(cls, value: float, text: str):
        self = super().__new__(cls, value)
        self.text = text
        return self


def _keep_written_floats(node, data) -> None:
    """Replace each float of the round-trip ``data`` by a :class:`_Written` holding its text in
    ``node``, the composed document (same order of keys and items)."""
    if isinstance(node, MappingNode) and isinstance(data, CommentedMap):
        pairs = [(key, value_node) for key, (_, value_node) in zip(list(data), node.value)]
        for key, value_node in pairs:
            data[key] = _written(value_node, data[key])  # assignment keeps the key's comments
    elif isinstance(node, SequenceNode) and isinstance(data, CommentedSeq):
        for i, item_node in enumerate(node.value):
            data[i] = _written(item_node, data[i])


def _written(node, value):
    if isinstance(node, ScalarNode) and isinstance(value, float) and str(node.tag).endswith(":float"):
        return _Written(value, node.value)
    _keep_written_floats(node, value)
    return value


class _Representer(RoundTripRepresenter):
    """Round-trip representer that writes numbers in the canonical form."""


def _represent_float(representer: _Representer, data: float):
    if isinstance(data, _Written):
        text = data.text
    elif isinstance(data, ScalarFloat):  # knows the digits as written
        text = RoundTripRepresenter.represent_scalar_float(representer, data).value
    else:
        text = repr(data)
    return representer.represent_scalar("tag:yaml.org,2002:float", normalise_float(text))


def _represent_int(representer: _Representer, data: int):
    return representer.represent_scalar("tag:yaml.org,2002:int", str(int(data)))


_Representer.add_representer(_Written, _represent_float)
_Representer.add_representer(ScalarFloat, _represent_float)
_Representer.add_representer(float, _represent_float)
for _type in (int, ScalarInt, BinaryInt, OctalInt, HexInt, HexCapsInt):
    _Representer.add_representer(_type, _represent_int)


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line (locators are long)
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _reorder(node, order: tuple[str, ...]) -> None:
    """Put the keys of a CommentedMap in ``order`` in place (comments travel with their keys)."""
    known = [key for key in order if key in node]
    unknown = [key for key in node if key not in order]
    for key in known + unknown:
        node.move_to_end(key)


def _order_entry(data) -> None:
    if not isinstance(data, CommentedMap):
        return
    _reorder(data, KEY_ORDER[""])
    for section, order in KEY_ORDER.items():
        value = data.get(section) if section else None
        if isinstance(value, CommentedSeq):
            for item in value:
                if isinstance(item, CommentedMap):
                    _reorder(item, order)
        elif isinstance(value, CommentedMap):
            children = value.values() if section == "constants" else [value]
            for child in children:
                if isinstance(child, CommentedMap):
                    _reorder(child, order)


def format_text(text: str, name: str = "<text>") -> str:
    """The formatted text of one entry file; raises :class:`FormatError` when it cannot be formatted."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    before, problems = load_yaml_text(text)
    if before is None:
        problem = problems[0]
        raise FormatError(f"{name}:{problem.line}: {problem.code} {problem.message} (fix it first: fmt only "
                          "formats files hpguide can read)")
    try:
        yaml = _yaml()
        data = yaml.load(text)
        _keep_written_floats(yaml.compose(text), data)
        _order_entry(data)
        out = io.StringIO()
        yaml.dump(data, out)
    except (YAMLError, RecursionError, ValueError, TypeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FormatError(f"{name}: cannot format: {reason}") from None
    result = out.getvalue()
    after, _ = load_yaml_text(result)
    if after is None or after.data != before.data:
        raise FormatError(f"{name}: formatting would change a value; file left as it is (please report this)")
    return result


def _regular_file(path: Path) -> None:
    """Refuse anything but a regular file, a symlink above all: fmt never writes through one."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        raise FormatError(f"{path}: no such file or directory") from None
    except OSError as exc:
        raise FormatError(f"cannot read {path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(mode):
        raise FormatError(f"{path} is a symlink: fmt never writes through symlinks (format the file it points to "
                          "by its own path)")
    if stat.S_ISDIR(mode):
        raise FormatError(f"{path} is a directory (fmt takes entry files, or no argument for the whole KB)")
    if not stat.S_ISREG(mode):
        raise FormatError(f"{path} is not a regular file (a FIFO, socket or device): fmt formats entry files")


def entry_problem(text: str, path: Path) -> str | None:
    """Why ``text`` (the content of ``path``) is not an entry file, or None when it is one.

    An entry file is a YAML mapping whose ``id`` is the file's stem and whose
    ``kind`` is one of the entry kinds: the two facts every entry of a KB has
    and that the KB's other YAML files (the registry, ``kb.yaml``) and files
    that are not hpguide's do not. The rest of the format is not required, so
    that a draft in the middle of editing can be formatted.
    """
    from typing import get_args

    from ..core.schema import Kind

    loaded, _ = load_yaml_text(text.removeprefix("\ufeff"))
    if loaded is None:
        return None  # format_text reports why it cannot be read
    data = loaded.data
    if not isinstance(data, dict):
        return "it is not a YAML mapping"
    if data.get("id") != path.stem:
        return f"its id is not {path.stem!r}, the file's name"
    if data.get("kind") not in get_args(Kind):
        return f"its kind is not one of {', '.join(get_args(Kind))}"
    return None


def format_file(path: str | os.PathLike[str], check: bool = False, force: bool = False) -> bool:
    """Format one entry file in place (or only check it); True when it is (or would be) changed.

    Only regular files are read, never a symlink; only entry files (see
    :func:`entry_problem`) are formatted unless ``force``. The new text
    replaces the file atomically, keeping its permissions
    (:func:`hpguide.core.safewrite.write_file`).
    """
    from ..core.safewrite import write_file

    path = Path(path)
    _regular_file(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{path} is not UTF-8 (byte {exc.start}): save it as UTF-8") from None
    if not force:
        problem = entry_problem(text, path)
        if problem:
            raise FormatError(f"{path} is not an entry file ({problem}); fmt formats only entries: pass --force to "
                              "format it anyway")
    formatted = format_text(text, str(path))
    if formatted == text:
        return False
    if not check:
        write_file(path, formatted, force=True)
    return True


def files_to_format(paths: list[str], kb_root: str | os.PathLike[str] | None = None) -> list[Path]:
    """The files ``hpguide fmt`` works on: the given files, the entries below given directories,
    or (no paths) every entry of the KB.

    Below a directory, symlinked directories are not entered
    (:func:`hpguide.kb.locate.yaml_files`) and :func:`format_file` refuses a
    symlinked file, so nothing outside the directory is ever written.
    """
    from .load import entry_files, locate_kb

    if not paths:
        return entry_files(locate_kb(kb_root))
    out: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir() and not path.is_symlink():
            out.extend(entry_files(path))
        elif path.exists() or path.is_symlink():
            out.append(path)
        else:
            raise FormatError(f"{name}: no such file or directory")
    return out
