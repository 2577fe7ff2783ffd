"""Finding a knowledge-base directory and fingerprinting its files.

Kept free of heavy imports (no pathlib, pydantic, sympy, YAML or numpy) because
every ``hpguide query`` runs it before it knows whether its compiled cache is
fresh; paths are plain strings here.
"""

from __future__ import annotations

import os

from .. import __version__
from ..core.errors import KBError

try:  # the builtin module: importing hashlib would also load OpenSSL (slower start-up)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always has it
    from hashlib import blake2b

__all__ = ["ENV_VAR", "REGISTRY_FILE", "RELEASE_FILE", "fallback_kbs", "find_kb", "yaml_files", "content_hash",
           "stat_key"]

ENV_VAR = "HPGUIDE_KB"
REGISTRY_FILE = "symbols.yaml"
RELEASE_FILE = "kb.yaml"


def _is_kb(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, REGISTRY_FILE))


def _checkout_kb(start: str) -> str | None:
    """The heuristics/ of an hpguide source checkout at or above ``start``."""
    folder = os.path.abspath(start)
    while True:
        candidate = os.path.join(folder, "heuristics")
        project = os.path.join(folder, "pyproject.toml")
        if _is_kb(candidate) and os.path.isfile(project):
            try:
                with open(project, encoding="utf-8", errors="replace") as handle:
                    if 'name = "hpguide"' in handle.read():
                        return candidate
            except OSError:
                return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def fallback_kbs() -> tuple[str, str]:
    """The KB of the source tree this package runs from (``src/hpguide`` -> ``heuristics/``) and the copy
    installed inside the package (``hpguide/_kb``): the last two places :func:`find_kb` looks."""
    package_dir = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # hpguide/, above kb/
    return (os.path.join(os.path.dirname(os.path.dirname(package_dir)), "heuristics"),
            os.path.join(package_dir, "_kb"))


def find_kb(explicit: str | os.PathLike[str] | None = None) -> str:
    """Find the KB directory (as a string path).

    Order: ``explicit`` (``--kb``), the ``HPGUIDE_KB`` environment variable,
    the ``heuristics/`` of an hpguide checkout containing the current directory
    (so contributors see their own edits), the checkout this module runs from,
    and finally the copy shipped inside the installed package.
    """
    for label, value in (("--kb", explicit), (ENV_VAR, os.environ.get(ENV_VAR) or None)):
        if value is None:
            continue
        path = os.fspath(value)
        if not os.path.exists(path):
            raise KBError(f"{label}: no such directory: {path}")
        if not os.path.isdir(path):
            raise KBError(f"{label}: {path} is a file; give the directory that holds {REGISTRY_FILE}")
        if not _is_kb(path):
            raise KBError(f"{label}: {path} is not a knowledge base (no {REGISTRY_FILE} in it)")
        return path
    try:
        here = _checkout_kb(os.getcwd())
    except OSError:
        here = None
    if here is not None:
        return here
    source_tree, packaged = fallback_kbs()
    if _is_kb(source_tree):
        return source_tree
    if _is_kb(packaged):
        return packaged
    raise KBError(f"no knowledge base found: pass --kb DIR or set {ENV_VAR}")


def yaml_files(root: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """(posix path relative to ``root``, full path) of every *.yaml below ``root``, sorted."""
    found: list[tuple[str, str]] = []
    stack = [(os.fspath(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                items = list(it)
        except OSError:
            continue
        for item in items:
            rel = prefix + item.name
            if item.is_dir(follow_symlinks=False):
                stack.append((item.path, rel + "/"))
            elif item.name.endswith(".yaml"):
                found.append((rel, item.path))
    return sorted(found)


def content_hash(root: str | os.PathLike[str]) -> str:
    """A BLAKE2b digest over every YAML file of the KB (names and bytes) and hpguide's version."""
    digest = blake2b(f"hpguide {__version__}\n".encode(), digest_size=32)
    for rel, path in yaml_files(root):
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            data = b"<unreadable>"
        digest.update(rel.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


def stat_key(root: str | os.PathLike[str]) -> str:
    """A digest of every YAML file's name, size, inode, mtime and ctime (no file is read).

    Like git's index: if it is unchanged, no file was written since it was
    taken. ctime is included because no tool can set it back: any write to a
    file moves it, even one that restores size and mtime.
    """
    digest = blake2b(f"hpguide {__version__} stat\n".encode(), digest_size=32)
    for rel, path in yaml_files(root):
        try:
            st = os.stat(path)
            item = f"{rel}\0{st.st_size}\0{st.st_ino}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\n"
        except OSError:
            item = f"{rel}\0<unreadable>\n"
        digest.update(item.encode())
    return digest.hexdigest()
