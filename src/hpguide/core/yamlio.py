"""Safe YAML reading with line numbers.

ruamel.yaml only *composes* the document here (parses it into a node graph;
nothing is constructed and no tag is acted on). A small constructor of our own
then turns the nodes into plain dicts, lists, strings, numbers, booleans and
``None`` while it

- rejects every non-standard tag (``!!python/object`` and friends),
- rejects anchors and aliases (no "billion laughs"; entries never need them),
- rejects duplicate keys and non-string keys,
- records the line of every value under its path, so that schema errors can be
  reported as ``file:line``.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ruamel.yaml
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["MAX_FILE_BYTES", "MAX_DEPTH", "YamlProblem", "LoadedYaml", "load_yaml_text", "load_yaml_file"]

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32

_TAG = "tag:yaml.org,2002:"
_INT_RE = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT_SPECIAL = {".inf", "+.inf", "-.inf", ".nan", ".Inf", ".NaN", ".INF", ".NAN", "-.Inf", "-.INF", "+.Inf"}

Path_ = tuple[Any, ...]


@dataclass(frozen=True)
class YamlProblem:
    """One problem found while reading YAML: ``code`` is a validator code."""

    code: str
    line: int
    message: str


@dataclass
class LoadedYaml:
    """The plain data of a YAML document plus the line of each path in it."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """The line (1-based) of ``path``, or of its nearest recorded parent."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


class _Reject(Exception):
    def __init__(self, code: str, node: Node, message: str):
        super().__init__(message)
        self.problem = YamlProblem(code, node.start_mark.line + 1, message)


class _Constructor:
    def __init__(self) -> None:
        self.lines: dict[Path_, int] = {}
        self.seen: set[int] = set()

    def build(self, node: Node, path: Path_, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise _Reject("HPG001", node, f"YAML is nested deeper than {MAX_DEPTH} levels")
        if id(node) in self.seen or getattr(node, "anchor", None):
            raise _Reject("HPG003", node, "anchors and aliases (&name, *name) are not allowed in entries")
        self.seen.add(id(node))
        self.lines[path] = node.start_mark.line + 1
        tag = str(node.tag)
        if isinstance(node, MappingNode):
            if tag != _TAG + "map":
                raise _Reject("HPG003", node, f"YAML tag {_show_tag(tag)} is not allowed (entries use plain YAML only)")
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            if tag != _TAG + "seq":
                raise _Reject("HPG003", node, f"YAML tag {_show_tag(tag)} is not allowed (entries use plain YAML only)")
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, ScalarNode):
            return self._scalar(node, tag)
        raise _Reject("HPG001", node, "unsupported YAML node")  # pragma: no cover

    def _mapping(self, node: MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or str(key_node.tag) == _TAG + "merge":
                raise _Reject("HPG003", key_node, "merge keys and complex keys are not allowed")
            key = self._scalar(key_node, str(key_node.tag))
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                first = self.lines.get(path + (key,), "?")
                raise _Reject("HPG002", key_node, f"duplicate key {key!r} (first defined on line {first})")
            self.lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, path + (key,), depth + 1)
            self.lines[path + (key,)] = key_node.start_mark.line + 1
        return out

    def _scalar(self, node: ScalarNode, tag: str) -> Any:
        value = node.value
        if tag == _TAG + "str":
            return value
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            if value.lower() not in ("true", "false"):  # only an explicit !!bool tag gets here
                raise _Reject("HPG001", node, f"cannot read {value!r} as true or false")
            return value.lower() == "true"
        if tag == _TAG + "int":
            text = value.replace("_", "")
            if not _INT_RE.match(value) and not text.lstrip("+-").isdigit():
                try:
                    return int(text, 0)
                except ValueError:
                    raise _Reject("HPG001", node, f"cannot read {value!r} as an integer") from None
            if len(text) > 40:
                raise _Reject("HPG001", node, f"integer {value[:20]}... is too long")
            return int(text)
        if tag == _TAG + "float":
            if value in _FLOAT_SPECIAL:
                raise _Reject("HPG001", node, f"{value} is not a finite number")
            try:
                number = float(value.replace("_", ""))
            except ValueError:  # an explicit !!float tag on text (found by tests/test_fuzz.py)
                raise _Reject("HPG001", node, f"cannot read {value!r} as a number") from None
            if not math.isfinite(number):
                raise _Reject("HPG001", node, f"{value} is not a finite number")
            return number
        if tag == _TAG + "timestamp":
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                return value
        raise _Reject("HPG003", node, f"YAML tag {_show_tag(tag)} is not allowed (entries use plain YAML only)")


def load_yaml_text(text: str) -> tuple[LoadedYaml | None, list[YamlProblem]]:
    """Read one YAML document from ``text``; returns (data or None, problems)."""
    if len(text) > MAX_FILE_BYTES:
        return None, [YamlProblem("HPG001", 1, f"file is larger than {MAX_FILE_BYTES} bytes")]
    yaml = ruamel.yaml.YAML(typ="safe", pure=True)
    try:
        with warnings.catch_warnings():  # a reused anchor warns on stderr; anchors are refused below anyway
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            node = yaml.compose(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = (exc.problem or exc.context or "invalid YAML").strip()
        return None, [YamlProblem("HPG001", line, f"invalid YAML: {reason}")]
    except (YAMLError, RecursionError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else "unreadable"
        return None, [YamlProblem("HPG001", 1, f"invalid YAML: {first}")]
    if node is None:
        return None, [YamlProblem("HPG001", 1, "file is empty")]
    constructor = _Constructor()
    try:
        data = constructor.build(node, ())
    except _Reject as exc:
        return None, [exc.problem]
    except RecursionError:
        return None, [YamlProblem("HPG001", 1, "YAML is nested too deeply")]
    return LoadedYaml(data, constructor.lines), []


def load_yaml_file(path: Path) -> tuple[LoadedYaml | None, list[YamlProblem]]:
    """Read a YAML file safely (size-limited, UTF-8 only)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [YamlProblem("HPG001", 1, f"file is {size} bytes (limit {MAX_FILE_BYTES})")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [YamlProblem("HPG001", 1, f"cannot read file: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [YamlProblem("HPG001", 1, f"file is not UTF-8 (byte {exc.start}): save it as UTF-8")]
    return load_yaml_text(text)
