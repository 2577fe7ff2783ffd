"""The compiled KB: everything a query needs, as plain JSON, cached by content hash.

Reading YAML, validating with pydantic and solving with sympy take about a
second; a query should take a few milliseconds. So the first run compiles the
KB into plain data (entry metadata, formula trees, definitions already solved
for each of their inputs, recipe rows) and writes it to a cache file named by
the KB's content hash. Later runs hash the KB files, find the cache, check its
structure, and never import sympy, pydantic, the YAML parser or even ``json``.

The cache file is ``MAGIC``, a BLAKE2b checksum of the body, and the body in
``marshal`` format (plain dicts, lists, strings and numbers: the fastest
thing CPython loads). The checksum is verified before the body is read, so a
truncated or corrupt file is never unmarshalled; the cache directory is
created private (0700) because ``marshal`` is not meant for data an attacker
can write.

The cache is only an accelerator. Writes are atomic (temporary file, then
``os.replace``), a cache that cannot be read, verified or checked is ignored,
and a directory that cannot be written is skipped: the answer is always the
one the KB gives.
"""

from __future__ import annotations

import gc
import marshal
import os
import sys

from .. import __version__
from ..core.derive import Relation
from ..core.errors import FormulaError
from ..core.evaluate import check_node
from .locate import blake2b, content_hash, find_kb, stat_key

TYPE_CHECKING = False  # no run-time typing import (start-up time)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "FORMAT",
    "CACHE_ENV",
    "CompiledEntry",
    "CompiledKB",
    "cache_dir",
    "compile_kb",
    "load_compiled",
    "encode_cache",
    "decode_cache",
    "compile_payload",
    "from_payload",
]

FORMAT = 7

#: (output, input) pairs of laws solved backwards at compile time: "if this N is to be compute-optimal, which
#: budget C does the law imply?" (resolve.inverse_rows).
INVERSE_QUESTIONS = frozenset({("N_opt", "C")})
CACHE_ENV = "HPGUIDE_CACHE_DIR"
MAGIC = b"HPGUIDE-KB-CACHE\x00"
#: How many compiled KBs (and stat indexes) a cache directory keeps (each KB edit leaves one behind).
KEEP_CACHES = 8


class CompiledEntry:
    """What the resolver needs of one entry (plain attributes, see :func:`from_payload`)."""

    __slots__ = ("id", "version", "kind", "status", "title", "topics", "citation", "reference", "warnings",
                 "validity", "defaults_for", "refines", "equations", "relations", "table", "breaks_down",
                 "output_bounds", "unranged", "context", "uncertainty")
    id: str
    version: int
    kind: str
    status: str
    title: str
    topics: list[str]
    citation: str
    reference: str
    warnings: list[str]
    validity: dict[str, list[float]]
    defaults_for: list[str]
    refines: list[str]
    equations: dict[str, str]
    relations: list[Relation]
    table: list[dict[str, Any]]
    breaks_down: list[dict[str, Any]]
    output_bounds: dict[str, dict[str, Any]]
    unranged: dict[str, str]
    context: dict[str, str]
    uncertainty: dict[str, Any] | None

    def __init__(self, **fields: Any) -> None:
        missing = set(self.__slots__) - set(fields)
        if missing:
            raise TypeError(f"CompiledEntry needs {sorted(missing)}")
        for name, value in fields.items():
            setattr(self, name, value)  # an unknown name raises AttributeError (slots)

    def active(self, include_drafts: bool = False) -> bool:
        """Whether queries use this entry: never withdrawn or superseded ones, drafts on request."""
        return self.status not in ("withdrawn", "superseded") and (include_drafts or self.status != "draft")


class CompiledKB:
    """A compiled KB: its root, version, registry symbols and entries."""

    def __init__(self, root: str, kb_version: str, content_hash: str, symbols: dict[str, dict[str, Any]],
                 entries: list[CompiledEntry], problems: int = 0) -> None:
        self.root = root
        self.kb_version = kb_version
        self.content_hash = content_hash
        self.symbols = symbols
        self.entries = entries
        self.problems = problems

    def entry(self, entry_id: str) -> CompiledEntry | None:
        for item in self.entries:
            if item.id == entry_id:
                return item
        return None


# ---------------------------------------------------------------------------- building (heavy imports inside)


def compile_payload(root: str, digest: str) -> dict[str, Any]:
    """Load and compile the KB at ``root``: the JSON-ready payload of the cache."""
    from ..core.schema import bounds_payload
    from .cite import short_citation, short_reference
    from .load import load_kb

    kb = load_kb(root)
    entries = []
    for item in kb.entries.values():
        e = item.entry
        constants = {name: c.value for name, c in e.constants.items()}
        relations = []
        for rel in item.relations:
            inverses = {}
            if e.kind == "definition":
                inverses = {target: [list_tree(t) for t in rel.inverse_trees(target)] for target in sorted(rel.inputs)}
            elif (rel.output, "C") in INVERSE_QUESTIONS and "C" in rel.inputs:
                # a compute-optimal law solved for its budget once, here: queries with N fixed ask it backwards
                inverses = {"C": [list_tree(t) for t in rel.inverse_trees("C")]}
            relations.append({"output": rel.output, "formula": rel.source, "tree": list_tree(rel.tree),
                              "inverses": inverses})
        table = [
            {"model": row.model, "where": row.where, "note": row.note, "numbers": row.numbers(), "texts": row.texts()}
            for row in e.table or []
        ]
        entries.append({
            "id": e.id, "version": e.version, "kind": e.kind, "status": e.status, "title": e.title,
            "topics": list(e.topics), "citation": short_citation(e.sources[0]),
            "reference": short_reference(e.sources[0]), "warnings": list(e.warnings),
            "validity": {k: list(v) for k, v in e.validity.items()}, "defaults_for": list(e.defaults_for),
            "refines": list(e.refines),
            "equations": dict(e.equations), "relations": relations, "table": table,
            "breaks_down": [{"symbol": b.symbol, "where": b.where, **bounds_payload(b)} for b in e.breaks_down],
            "output_bounds": {name: {"why": b.why, **bounds_payload(b, constants)} for name, b in
                              e.output_bounds.items()},
            "unranged": dict(e.unranged),
            "context": {k: v for k, v in (e.context.model_dump() if e.context else {}).items() if v is not None},
            "uncertainty": _uncertainty_payload(item),
        })
    symbols = {
        name: {"meaning": s.meaning, "unit": s.unit, "group": s.group, "convention": s.convention, "latex": s.latex,
               "physical": bounds_payload(s.physical), "comparable_by": list(s.comparable_by)}
        for name, s in kb.registry.symbols.items()
    }
    return {
        "format": FORMAT, "hpguide": __version__, "content_hash": digest, "kb_version": kb.version,
        "problems": len(kb.diagnostics), "symbols": symbols, "entries": entries,
    }


#: Draws taken from a published covariance (seeded: the same KB compiles to the same bands).
COVARIANCE_DRAWS = 400


def _uncertainty_payload(item: Any) -> dict[str, Any] | None:
    from .load import band_trees

    unc = item.entry.uncertainty
    if unc is None:
        return None
    if unc.method == "bootstrap":
        draws = [list(row) for row in unc.draws]
    else:
        import numpy as np

        rng = np.random.default_rng(0)
        draws = rng.multivariate_normal(unc.mean, unc.covariance, size=COVARIANCE_DRAWS).tolist()
    # one list per constant (the draws' columns): a query reads them so, and a cache loads 5 lists faster
    # than 200 rows
    columns = [[float(row[i]) for row in draws] for i in range(len(unc.constants))]
    return {"method": unc.method, "level": unc.level, "origin": unc.origin, "constants": list(unc.constants),
            "columns": columns, "where": unc.where, "trees": {k: list_tree(v) for k, v in band_trees(item).items()}}


def list_tree(tree: Any) -> Any:
    """A tree with tuples turned into lists (its JSON form)."""
    if isinstance(tree, (tuple, list)):
        return [tree[0], *(list_tree(child) for child in tree[1:])]
    return tree


def _tuple_tree(tree: Any, depth: int = 0) -> Any:
    """A tree read from the cache, as tuples, checked node by node (FormulaError if malformed)."""
    if depth > 200:
        raise FormulaError("compiled formula is nested too deeply")
    check_node(tree)
    if type(tree) is list:
        return (tree[0], *[_tuple_tree(child, depth + 1) for child in tree[1:]])
    return tree


def from_payload(root: str, payload: dict[str, Any]) -> CompiledKB:
    """Rebuild the compiled KB; raises (KeyError, TypeError, ValueError, FormulaError) if malformed."""
    entries = []
    for e in payload["entries"]:
        relations = []
        for r in e["relations"]:
            tree = _tuple_tree(r["tree"])
            inverses = {str(target): tuple(_tuple_tree(t) for t in trees) for target, trees in r["inverses"].items()}
            relations.append(Relation(str(r["output"]), tree, str(e["id"]), str(r["formula"]), inverses))
        entries.append(CompiledEntry(
            id=str(e["id"]), version=int(e["version"]), kind=str(e["kind"]), status=str(e["status"]),
            title=str(e["title"]), topics=[str(t) for t in e["topics"]], citation=str(e["citation"]),
            reference=str(e["reference"]),
            warnings=[str(w) for w in e["warnings"]],
            validity={str(k): [float(v[0]), float(v[1])] for k, v in e["validity"].items()},
            defaults_for=[str(s) for s in e["defaults_for"]], refines=[str(r) for r in e["refines"]],
            equations=dict(e["equations"]),
            relations=relations, table=list(e["table"]),
            breaks_down=[_bounds(b, symbol=str(b["symbol"]), where=str(b["where"])) for b in e["breaks_down"]],
            output_bounds={str(k): _bounds(b, why=str(b["why"])) for k, b in e["output_bounds"].items()},
            unranged={str(k): str(v) for k, v in e["unranged"].items()},
            context={str(k): str(v) for k, v in e["context"].items()},
            uncertainty=_read_uncertainty(e["uncertainty"]),
        ))
    symbols = {str(name): {**meta, "physical": _bounds(meta["physical"]),
                           "comparable_by": [str(k) for k in meta["comparable_by"]]}
               for name, meta in payload["symbols"].items()}
    return CompiledKB(root, str(payload["kb_version"]), str(payload["content_hash"]), symbols,
                      entries, int(payload["problems"]))


def _read_uncertainty(data: Any) -> dict[str, Any] | None:
    if data is None:
        return None
    names = [str(n) for n in data["constants"]]
    columns = data["columns"]
    if type(columns) is not list or len(columns) != len(names) or not columns or \
            any(type(col) is not list or len(col) != len(columns[0]) or set(map(type, col)) != {float}
                for col in columns):
        raise ValueError("uncertainty draws do not match their constants")
    origin = str(data["origin"])
    if origin not in ("published", "recomputed"):
        raise ValueError(f"unknown uncertainty origin {origin!r}")
    return {"method": str(data["method"]), "level": float(data["level"]), "origin": origin, "constants": names,
            "columns": columns, "where": str(data["where"]),
            "trees": {str(k): _tuple_tree(v) for k, v in data["trees"].items()}}


def _bound(value: Any) -> float | str | None:
    if value is None or type(value) is str:
        return value
    return float(value)


def _bounds(data: dict[str, Any], **extra: str) -> dict[str, Any]:
    """A bounds payload read from the cache, each field checked for its type."""
    return {"lo": _bound(data["lo"]), "lo_open": bool(data["lo_open"]), "hi": _bound(data["hi"]),
            "hi_open": bool(data["hi_open"]), **extra}


# ---------------------------------------------------------------------------- cache


def cache_dir() -> str:
    """``$HPGUIDE_CACHE_DIR``, else ``$XDG_CACHE_HOME/hpguide``, else ``~/.cache/hpguide``."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "hpguide")


def _cache_file(digest: str) -> str:
    return os.path.join(cache_dir(), f"kb-{FORMAT}-{digest[:32]}.cache")


def encode_cache(payload: dict[str, Any]) -> bytes:
    """The bytes of a cache file for ``payload``."""
    body = marshal.dumps(_interned(payload))
    return MAGIC + blake2b(body, digest_size=32).digest() + body


#: Strings up to this long are interned before the payload is marshalled (symbol names, keys, units).
INTERN_UP_TO = 40


def _interned(value: Any) -> Any:
    """``value`` with its keys and short strings interned: marshal writes each such string once and
    refers back to it, so the cache is smaller and loads faster (fewer objects to build)."""
    kind = type(value)
    if kind is str:
        return sys.intern(value) if len(value) <= INTERN_UP_TO else value
    if kind is dict:
        return {_interned(k): _interned(v) for k, v in value.items()}
    if kind is list:
        return [_interned(v) for v in value]
    if kind is tuple:
        return tuple(_interned(v) for v in value)
    return value


def decode_cache(data: bytes, digest: str) -> dict[str, Any] | None:
    """The payload in ``data`` if it is an intact cache of the KB with content hash ``digest``."""
    head = len(MAGIC) + 32
    if len(data) <= head or not data.startswith(MAGIC):
        return None
    body = data[head:]
    if blake2b(body, digest_size=32).digest() != data[len(MAGIC):head]:
        return None
    try:
        payload = marshal.loads(body)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or payload.get("content_hash") != digest:
        return None
    return payload


def _read_cache(path: str, digest: str) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return decode_cache(data, digest)


def _write_cache(path: str, payload: dict[str, Any]) -> None:
    import tempfile

    try:
        folder = os.path.dirname(path)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".kb-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(encode_cache(payload))
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except (OSError, ValueError):
        return  # read-only or full cache directory: run without a cache


def _prune(folder: str, keep: str) -> None:
    """Keep the newest KEEP_CACHES compiled KBs and stat indexes (each KB edit leaves one of each)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for prefix, suffix in (("kb-", ".cache"), ("stat-", "")):
        try:
            paths = sorted((os.path.join(folder, n) for n in names if n.startswith(prefix) and n.endswith(suffix)),
                           key=os.path.getmtime, reverse=True)
        except OSError:
            continue
        for old in paths[KEEP_CACHES:]:
            if old != keep:
                try:
                    os.unlink(old)
                except OSError:
                    pass


def compile_kb(root: str | os.PathLike[str] | None = None) -> CompiledKB:
    """Compile the KB at ``root`` afresh (no cache)."""
    folder = find_kb(root)
    digest = content_hash(folder)
    return from_payload(folder, compile_payload(folder, digest))


def _stat_index(folder: str, key: str) -> str:
    name = blake2b((os.path.abspath(folder) + key).encode()).hexdigest()[:32]
    return os.path.join(cache_dir(), f"stat-{FORMAT}-{name}")


def _digest_from_index(index: str) -> str | None:
    try:
        with open(index, "rb") as handle:  # binary: a text file would import the ascii codec
            digest = handle.read(200).decode("ascii", "replace").strip()
    except OSError:
        return None
    return digest if len(digest) == 64 and all(c in "0123456789abcdef" for c in digest) else None


def _write_index(index: str, digest: str) -> None:
    try:
        os.makedirs(os.path.dirname(index), mode=0o700, exist_ok=True)
        tmp = f"{index}.{os.getpid()}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(digest.encode("ascii"))
        os.replace(tmp, index)
    except OSError:
        return


def _from_cache(folder: str, digest: str) -> CompiledKB | None:
    """The compiled KB from the cache file of ``digest``, or None if it is missing, corrupt or malformed."""
    # Unmarshalling and rebuilding create some 20,000 containers and no reference cycles, but each
    # thousand of them starts a garbage collection over every object of the process: a quarter of
    # the load time (benchmarks/bench_query.py). So the collector waits until the KB is built.
    collecting = gc.isenabled()
    gc.disable()
    try:
        payload = _read_cache(_cache_file(digest), digest)
        if payload is None:
            return None
        try:
            return from_payload(folder, payload)
        except Exception:  # noqa: BLE001 - any malformed cache means: compile afresh
            return None
    finally:
        if collecting:
            gc.enable()


def load_compiled(root: str | os.PathLike[str] | None = None, use_cache: bool = True) -> CompiledKB:
    """The compiled KB at ``root``, from the cache when it is fresh and sound.

    The cache is keyed by the content hash of the KB files. To skip reading
    every file on each run, a small index maps the files' stat key (names,
    sizes, inodes, mtimes, ctimes) to the content hash it was computed for.
    """
    folder = find_kb(root)
    if use_cache:
        key = stat_key(folder)
        index = _stat_index(folder, key)
        known = _digest_from_index(index)
        compiled = _from_cache(folder, known) if known is not None else None
        if compiled is not None:
            return compiled
    digest = content_hash(folder)
    path = _cache_file(digest)
    if use_cache:
        compiled = _from_cache(folder, digest)
        if compiled is not None:
            _write_index(index, digest)
            return compiled
    payload = compile_payload(folder, digest)
    compiled = from_payload(folder, payload)
    if use_cache and content_hash(folder) == digest:  # not edited while we compiled
        _write_cache(path, payload)
        if stat_key(folder) == key:
            _write_index(index, digest)
        _prune(cache_dir(), keep=path)
    return compiled
