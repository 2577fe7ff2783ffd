"""Versions of entries and of the KB: the rules a pull request is checked by, diffs, the changelog.

- :func:`check_against` compares the KB with a git revision (``hpguide validate
  --against origin/main``): an entry whose meaning changed keeps its id but
  bumps ``version`` and adds a changelog line (HPG050); an id never disappears
  (HPG051: withdrawn and superseded entries stay in the KB, as SigmaHQ keeps
  deprecated rules) and is never reused for another entry (HPG052).
- :func:`diff_revisions` / :func:`diff_kbs`: what changed between two
  revisions, per entry, and how the answers of a few standard queries moved.
- :func:`changelog_markdown`: the KB's changelog page, generated from the
  ``changelog`` of every entry.

Old revisions are read with ``git ls-tree`` and ``git cat-file`` (no checkout,
nothing executed) and parsed with the safe loader of :mod:`hpguide.core.yamlio`.
"""

from __future__ import annotations

import datetime as _dt
import html
import os
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..core.codes import Diagnostic
from ..core.errors import HpguideError, UsageError
from .load import KnowledgeBase, entry_files, load_kb, locate_kb
from .locate import REGISTRY_FILE, RELEASE_FILE
from ..core.schema import Entry
from ..core.yamlio import load_yaml_file, load_yaml_text

__all__ = [
    "MEANING_KEYS",
    "STANDARD_QUERIES",
    "kb_files_at",
    "extract_kb",
    "meaning_changes",
    "check_against",
    "EntryChange",
    "Effect",
    "KBDiff",
    "diff_kbs",
    "diff_revisions",
    "changelog_markdown",
]

#: Keys whose change is a change of meaning (needs a version bump).
MEANING_KEYS = ("kind", "status", "superseded_by", "equations", "constants", "validity", "defaults_for", "table")

#: (label, query keywords) of the queries ``hpguide diff`` reruns on both revisions.
STANDARD_QUERIES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("7B/1T", {"params": "7B", "tokens": "1T"}),
    ("1B/20B", {"params": "1B", "tokens": "20B"}),
    ("d_model 4096/1T", {"d_model": 4096, "tokens": "1T"}),
)

_GIT_TIMEOUT = 60


# ---------------------------------------------------------------------------- reading a revision


def _git(folder: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(folder), *args], input=stdin, capture_output=True,
                              timeout=_GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed (comparing with a revision needs git)") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} took longer than {_GIT_TIMEOUT} s") from None


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace").strip()
    return text.splitlines()[0] if text else "no message"


def _resolve(folder: Path, rev: str) -> tuple[str, str]:
    """(commit id, path of ``folder`` inside the repository, '' or ending in '/')."""
    if not rev or rev.startswith("-") or any(ch.isspace() or ord(ch) < 32 for ch in rev):
        raise UsageError(f"{rev!r} is not a git revision (e.g. main, origin/main, HEAD~1, a tag or a commit id)")
    inside = _git(folder, "rev-parse", "--show-prefix")
    if inside.returncode != 0:
        raise UsageError(f"{folder} is not inside a git checkout ({_first_line(inside.stderr)}); "
                         "comparing with a revision needs the KB's git history")
    commit = _git(folder, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if commit.returncode != 0:
        raise UsageError(f"unknown git revision {rev!r} (try 'git log --oneline' or 'git fetch')")
    return commit.stdout.decode().strip(), inside.stdout.decode().strip()


def kb_files_at(kb_root: str | os.PathLike[str], rev: str) -> dict[str, bytes]:
    """{path relative to the KB: bytes} of every YAML file of the KB directory at revision ``rev``.

    Empty when the directory did not exist at ``rev``.
    """
    return _files_at(Path(kb_root).resolve(), rev)[1]


def _files_at(folder: Path, rev: str) -> tuple[str, dict[str, bytes]]:
    """(the KB's path in the repository, its files at ``rev``)."""
    commit, prefix = _resolve(folder, rev)
    listing = _git(folder, "ls-tree", "-r", "-z", "--full-tree", "--name-only", f"{commit}:{prefix}")
    if listing.returncode != 0:
        return prefix, {}
    names = [n for n in listing.stdout.decode("utf-8", errors="replace").split("\0") if n.endswith(".yaml")]
    if not names:
        return prefix, {}
    request = "".join(f"{commit}:{prefix}{name}\n" for name in names).encode()
    batch = _git(folder, "cat-file", "--batch", stdin=request)
    if batch.returncode != 0:
        raise UsageError(f"git cat-file failed: {_first_line(batch.stderr)}")
    out: dict[str, bytes] = {}
    data, pos = batch.stdout, 0
    for name in names:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        pos = end + 1
        if len(header) != 3 or header[1] != b"blob":
            continue  # "missing" or a submodule: nothing to read
        size = int(header[2])
        out[name] = data[pos:pos + size]
        pos += size + 1
    return prefix, out


def extract_kb(kb_root: str | os.PathLike[str], rev: str, dest: str | os.PathLike[str]) -> Path:
    """Write the KB at revision ``rev`` into the directory ``dest`` (which it creates); returns it."""
    target = Path(dest)
    files = kb_files_at(kb_root, rev)
    if REGISTRY_FILE not in files:
        raise UsageError(f"the KB has no {REGISTRY_FILE} at revision {rev!r}: nothing to compare with")
    for name, data in files.items():
        parts = Path(name).parts
        if Path(name).is_absolute() or ".." in parts:  # git never stores such names; be sure anyway
            continue
        path = target.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return target


# ---------------------------------------------------------------------------- comparing entries


def _meaning(data: Mapping[str, Any], key: str) -> Any:
    value = data.get(key)
    if key == "constants" and isinstance(value, Mapping):
        return {name: c.get("value") if isinstance(c, Mapping) else c for name, c in value.items()}
    if key == "table" and isinstance(value, list):  # the numbers; a new note or locator is not a new meaning
        return [{k: v for k, v in row.items() if k not in ("where", "note")} if isinstance(row, Mapping) else row
                for row in value]
    return value


def meaning_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What changed in meaning between two versions of an entry (raw YAML data), e.g.
    ``['constants.c_eta 0.3118 -> 0.31', 'status stable -> disputed']``."""
    out = []
    for key in MEANING_KEYS:
        before, after = _meaning(old, key), _meaning(new, key)
        if before == after:
            continue
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            for name in sorted(set(before) | set(after)):
                if before.get(name) != after.get(name):
                    out.append(f"{key}.{name} {_show(before.get(name))} -> {_show(after.get(name))}")
        else:
            out.append(f"{key} {_show(before)} -> {_show(after)}")
    return out


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, float):
        return f"{value:.6g}"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _history(data: Mapping[str, Any]) -> list[tuple[Any, str]]:
    return [(item.get("version"), str(item.get("date"))) for item in data.get("changelog") or []
            if isinstance(item, Mapping)]


def _old_entries(files: Mapping[str, bytes]) -> dict[str, tuple[str, Any]]:
    """id -> (path in the KB, LoadedYaml) of every entry of an old revision that is valid."""
    out = {}
    for name, raw in sorted(files.items()):
        if name in (REGISTRY_FILE, RELEASE_FILE):
            continue
        loaded, _ = load_yaml_text(raw.decode("utf-8", errors="replace"))
        if loaded is None or not isinstance(loaded.data, dict):
            continue
        try:
            entry = Entry.model_validate(loaded.data)
        except ValidationError:
            continue  # an entry that was invalid then cannot be compared with; validate judges it now
        out[entry.id] = (name, loaded)
    return out


def check_against(kb_root: str | os.PathLike[str] | None, rev: str,
                  kb: KnowledgeBase | None = None) -> list[Diagnostic]:
    """HPG050/HPG051/HPG052 for the KB at ``kb_root`` (working tree) compared with git revision ``rev``.

    Pass ``kb`` when the KB is already loaded (``validate`` has it) to avoid loading it twice.
    """
    root = locate_kb(kb_root) if kb is None else kb.root
    prefix, files = _files_at(Path(root).resolve(), rev)
    kb = kb or load_kb(root)
    present = {path.stem for path in entry_files(kb.root)}
    problems = []
    for entry_id, (name, loaded) in _old_entries(files).items():
        old = loaded.data
        if entry_id not in kb.entries:
            if entry_id in present:
                continue  # the file is there but does not load: validate reports why
            problems.append(Diagnostic(
                f"{rev}:{prefix}{name}", loaded.line_of(("id",)), "HPG051",
                f"entry {entry_id!r} (version {old['version']}) was removed; ids are never removed: restore the "
                "file and set status: withdrawn (with status_note) or superseded (with superseded_by)"))
            continue
        item = kb.entries[entry_id]
        new = item.yaml.data
        old_history, new_history = _history(old), _history(new)
        if new["version"] < old["version"] or new_history[:len(old_history)] != old_history:
            problems.append(item.diagnostic(
                "HPG052",
                f"id {entry_id!r} had version {old['version']} with changelog {old_history} at {rev}; now version "
                f"{new['version']} with {new_history}: an id is never reused, give the new entry a new id "
                "(and keep the old one)", "changelog"))
            continue
        changes = meaning_changes(old, new)
        if changes and new["version"] <= old["version"]:
            version = old["version"] + 1
            first = next(key for key in MEANING_KEYS if _meaning(old, key) != _meaning(new, key))
            problems.append(item.diagnostic(
                "HPG050",
                f"changed since {rev} without a version bump ({'; '.join(changes)}): set version: {version} and "
                f"add '- {{version: {version}, date: {_dt.date.today().isoformat()}, change: ...}}' to changelog",
                first))
    return sorted(problems)


# ---------------------------------------------------------------------------- diff


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
    out = {}
    for path in entry_files(root):
        loaded, _ = load_yaml_file(path)
        if loaded is not None and isinstance(loaded.data, dict):
            entry_id = loaded.data.get("id")
            out[entry_id if isinstance(entry_id, str) else path.stem] = loaded.data
    return out


def _constant_values(data: Mapping[str, Any]) -> dict[str, Any]:
    value = _meaning(data, "constants")
    return value if isinstance(value, dict) else {}


def _entry_change(entry_id: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> EntryChange | None:
    if old is None or new is None:
        data = new if old is None else old
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
    from ..resolver.api import query
    from .compiled import load_compiled

    compiled = load_compiled(root)
    out = {}
    for label, inputs in queries:
        try:
            result = query(kb=compiled, **inputs)
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


# ---------------------------------------------------------------------------- changelog


def changelog_markdown(kb: KnowledgeBase, link: Callable[[str], str] | None = None) -> str:
    """The KB's changelog as Markdown: every entry's changelog lines grouped by date, newest first.

    ``link(entry_id)`` may return the URL of an entry's page (the site passes one).
    """
    by_date: dict[str, list[tuple[str, int, str, str]]] = {}
    for entry_id, item in kb.entries.items():
        entry = item.entry
        for change in entry.changelog:
            by_date.setdefault(change.date.isoformat(), []).append(
                (entry_id, change.version, change.change, entry.status))
    lines = [
        "# Changelog of the knowledge base",
        "",
        f"Release **{kb.release}** ({len(kb.entries)} entries). Generated by `hpguide changelog` from the "
        "`changelog` of every entry, newest first. An entry's version goes up whenever its meaning changes "
        "(equations, constants, validity, status); ids are never removed or reused.",
    ]
    for date in sorted(by_date, reverse=True):
        lines += ["", f"## {date}", ""]
        for entry_id, version, text, status in sorted(by_date[date], key=lambda row: (row[0], -row[1])):
            name = f"[`{entry_id}`]({link(entry_id)})" if link else f"`{entry_id}`"
            flag = f" *({status})*" if status in ("disputed", "superseded", "withdrawn") else ""
            lines.append(f"- {name} v{version}{flag}: {html.escape(' '.join(text.split()), quote=False)}")
    return "\n".join(lines) + "\n"
