"""What changed between two KB revisions, per entry, and how the answers of standard queries moved.

``hpguide diff REV1 REV2``. It sits in the resolver layer because it runs
queries against both versions of the KB; reading old revisions out of git
is :mod:`hpguide.kb.versioning`'s job.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import HpguideError
from ..core.yamlio import load_yaml_file
from ..kb.load import entry_files, locate_kb
from ..kb.versioning import extract_kb, meaning_changes, meaning_of

__all__ = ["EntryChange", "Effect", "KBDiff", "diff_kbs", "diff_revisions", "STANDARD_QUERIES"]

#: (label, query keywords) of the queries ``hpguide diff`` reruns on both revisions.
STANDARD_QUERIES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("7B/1T", {"params": "7B", "tokens": "1T"}),
    ("1B/20B", {"params": "1B", "tokens": "20B"}),
    ("d_model 4096/1T", {"d_model": 4096, "tokens": "1T"}),
)


@dataclass
class EntryChange:
    """How one entry differs between two KB versions."""

    id: str
    change: str  # "added", "removed" or "changed"
    old_version: int | None = None
    new_version: int | None = None
    keys_added: list[str] = field(default_factory=list)
    keys_removed: list[str] = field(default_factory=list)
    keys_changed: list[str] = field(default_factory=list)
    constants: list[tuple[str, Any, Any]] = field(default_factory=list)
    meaning: list[str] = field(default_factory=list)


@dataclass
class Effect:
    """One answer of a standard query that moved, appeared or disappeared."""

    query: str
    symbol: str
    entry: str
    old: float | None
    new: float | None


@dataclass
class KBDiff:
    old_label: str
    new_label: str
    old_release: str
    new_release: str
    entries: list[EntryChange]
    effects: list[Effect]


def _raw_entries(root: Path) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for path in entry_files(root):
        loaded, _ = load_yaml_file(path)
        if loaded is not None and isinstance(loaded.data, dict):
            entry_id = loaded.data.get("id")
            out[entry_id if isinstance(entry_id, str) else path.stem] = loaded.data
    return out


def _constant_values(data: Mapping[str, Any]) -> dict[str, Any]:
    value = meaning_of(data, "constants")
    return value if isinstance(value, dict) else {}


def _entry_change(entry_id: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> EntryChange | None:
    if old is None or new is None:
        data = new if old is None else old
        assert data is not None  # every id comes from one KB or the other
        version = data.get("version")
        return EntryChange(entry_id, "added" if old is None else "removed",
                           old_version=None if old is None else version, new_version=None if new is None else version)
    if old == new:
        return None
    before, after = _constant_values(old), _constant_values(new)
    return EntryChange(
        entry_id, "changed", old.get("version"), new.get("version"),
        keys_added=[k for k in new if k not in old],
        keys_removed=[k for k in old if k not in new],
        keys_changed=[k for k in new if k in old and old[k] != new[k]],
        constants=[(n, before.get(n), after.get(n)) for n in sorted(set(before) | set(after))
                   if before.get(n) != after.get(n)],
        meaning=meaning_changes(old, new),
    )


def _answers(root: Path, queries) -> tuple[str, dict[str, dict[tuple[str, str], float]]]:
    from ..kb.compiled import load_compiled
    from .api import parse_inputs
    from .resolve import resolve

    compiled = load_compiled(root)
    out: dict[str, dict[tuple[str, str], float]] = {}
    for label, inputs in queries:
        try:
            # the standard queries are fixed: a KB with no entry reading one of their inputs still answers
            result = resolve(compiled, parse_inputs(inputs, None, compiled.symbols), refuse_unused=False)
        except HpguideError:
            out[label] = {}
            continue
        out[label] = {(r.entry, r.symbol): r.value for r in result.results}
    return compiled.kb_version.split("+")[0], out


def diff_kbs(old_root: str | os.PathLike[str], new_root: str | os.PathLike[str],
             labels: tuple[str, str] = ("old", "new"), queries=STANDARD_QUERIES) -> KBDiff:
    """What changed from the KB at ``old_root`` to the one at ``new_root``, and the effect on ``queries``."""
    old_root, new_root = Path(old_root), Path(new_root)
    old, new = _raw_entries(old_root), _raw_entries(new_root)
    changes = [c for entry_id in sorted(set(old) | set(new))
               if (c := _entry_change(entry_id, old.get(entry_id), new.get(entry_id))) is not None]
    old_release, before = _answers(old_root, queries)
    new_release, after = _answers(new_root, queries)
    effects = []
    for label, _ in queries:
        a, b = before[label], after[label]
        for key in sorted(set(a) | set(b)):
            x, y = a.get(key), b.get(key)
            if x is not None and y is not None and abs(x - y) <= 1e-9 * max(abs(x), abs(y)):
                continue
            effects.append(Effect(label, key[1], key[0], x, y))
    return KBDiff(labels[0], labels[1], old_release, new_release, changes, effects)


def diff_revisions(kb_root: str | os.PathLike[str] | None, rev1: str, rev2: str | None = None,
                   queries=STANDARD_QUERIES) -> KBDiff:
    """:func:`diff_kbs` between git revisions ``rev1`` and ``rev2`` (None: the working tree)."""
    root = locate_kb(kb_root)
    with tempfile.TemporaryDirectory(prefix="hpguide-diff-") as tmp:
        old_root = extract_kb(root, rev1, Path(tmp) / "old")
        new_root = root if rev2 is None else extract_kb(root, rev2, Path(tmp) / "new")
        return diff_kbs(old_root, new_root, (rev1, rev2 or "working tree"), queries)
