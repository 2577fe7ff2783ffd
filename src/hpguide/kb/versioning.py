"""Versions of entries and of the KB: the rules a pull request is checked by, diffs, the changelog.

- :func:`check_against` compares the KB with a git revision (``hpguide validate
  --against origin/main``): an entry whose meaning changed keeps its id but
  bumps ``version`` and adds a changelog line (HPG050); an id never disappears
  (HPG051: withdrawn and superseded entries stay in the KB, as SigmaHQ keeps
  deprecated rules) and is never reused for another entry (HPG052).
- :func:`extract_kb`: a revision's KB written to a folder (for
  :mod:`hpguide.resolver.kbdiff`, which compares the answers of two revisions).
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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..core.codes import Diagnostic
from ..core.errors import UsageError
from ..core.schema import Entry
from ..core.yamlio import load_yaml_text
from .load import KnowledgeBase, entry_files, load_kb, locate_kb
from .locate import REGISTRY_FILE, RELEASE_FILE

__all__ = [
    "MEANING_KEYS",
    "kb_files_at",
    "extract_kb",
    "meaning_changes",
    "meaning_of",
    "check_against",
    "changelog_markdown",
]

#: Keys whose change is a change of meaning (needs a version bump).
MEANING_KEYS = ("kind", "status", "superseded_by", "equations", "constants", "validity", "defaults_for", "refines",
                "table")

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


def meaning_of(data: Mapping[str, Any], key: str) -> Any:
    """The part of an entry that decides its meaning under ``key`` (constants by value only)."""
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
        before, after = meaning_of(old, key), meaning_of(new, key)
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
            first = next(key for key in MEANING_KEYS if meaning_of(old, key) != meaning_of(new, key))
            problems.append(item.diagnostic(
                "HPG050",
                f"changed since {rev} without a version bump ({'; '.join(changes)}): set version: {version} and "
                f"add '- {{version: {version}, date: {_dt.date.today().isoformat()}, change: ...}}' to changelog",
                first))
    return sorted(problems)


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
