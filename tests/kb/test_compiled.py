"""The compiled-KB cache: fresh, stale, corrupt, read-only and concurrent."""

from __future__ import annotations

import json
import marshal
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hpguide.kb.compiled import MAGIC, compile_kb, decode_cache, encode_cache, load_compiled
from hpguide.resolver.resolve import resolve

from ..conftest import CORPUS, KB, ROOT

FILES = [KB / "accounting" / "compute-6nd.yaml", CORPUS / "resolver" / "test-n-law.yaml"]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("HPGUIDE_CACHE_DIR", str(folder))
    return folder


def eta(kb, n=1e8):
    return [r.value for r in resolve(kb, {"N": n}).results if r.symbol == "eta"]


def test_cache_is_written_then_used(make_kb, cache):
    root = make_kb(copy=FILES)
    first = load_compiled(root)
    (written,) = list(cache.glob("kb-*.cache"))
    payload = decode_cache(written.read_bytes(), first.content_hash)
    assert payload["content_hash"] == first.content_hash
    second = load_compiled(root)
    assert eta(first) == eta(second)


@pytest.fixture
def compiles(monkeypatch):
    """A list that gets one item per real compilation of a KB (calls of compile_payload)."""
    from hpguide.kb import compiled as module

    calls = []
    real = module.compile_payload

    def counting(root, digest):
        calls.append(root)
        return real(root, digest)

    monkeypatch.setattr(module, "compile_payload", counting)
    return calls


def test_second_load_reads_the_cache_and_compiles_nothing(make_kb, cache, compiles):
    root = make_kb(copy=FILES)
    load_compiled(root)
    assert len(compiles) == 1
    files = sorted(cache.iterdir())
    assert [p.name.split("-")[0] for p in files] == ["kb", "stat"]  # the compiled KB and its stat index
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in files}
    second = load_compiled(root)
    assert len(compiles) == 1, "the second load compiled the KB again instead of reading the cache"
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(cache.iterdir())} == before  # not rewritten
    assert eta(second) == pytest.approx([0.5e-4])


def test_load_without_the_stat_index_still_hits_the_cache(make_kb, cache, compiles):
    root = make_kb(copy=FILES)
    load_compiled(root)
    for index in cache.glob("stat-*"):
        index.unlink()  # e.g. the KB was copied elsewhere: new inodes, same content
    load_compiled(root)
    assert len(compiles) == 1
    assert len(list(cache.glob("stat-*"))) == 1  # the index is written again for the next run


def test_an_edit_compiles_once_more(make_kb, cache, compiles):
    root = make_kb(copy=FILES)
    load_compiled(root)
    law = root / "test-n-law.yaml"
    law.write_text(law.read_text() + "\n# an edit\n")
    load_compiled(root)
    load_compiled(root)
    assert len(compiles) == 2


def _heavy_imports(cache: Path, root: Path) -> set[str]:
    """Which of sympy, pydantic, ruamel a real `hpguide query` imports (from -X importtime, on stderr)."""
    cmd = [sys.executable, "-X", "importtime", "-m", "hpguide", "query", "--kb", str(root), "--params", "1e8",
           "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
                          env={**os.environ, "HPGUIDE_CACHE_DIR": str(cache)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert [row["value"] for row in json.loads(proc.stdout)["results"] if row["symbol"] == "eta"] == \
        pytest.approx([0.5e-4])
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    return {name for name in ("sympy", "pydantic", "ruamel.yaml") if name in imported}


def test_second_query_process_uses_the_cache_of_the_first(make_kb, cache):
    # across processes: a cache that only the process that wrote it can find (a name with the pid, say)
    # passes every in-process test
    root = make_kb(copy=FILES)
    assert _heavy_imports(cache, root) == {"sympy", "pydantic", "ruamel.yaml"}  # the first run compiles
    assert _heavy_imports(cache, root) == set()


def test_stale_cache_after_an_edit(make_kb, cache):
    root = make_kb(copy=FILES)
    assert eta(load_compiled(root)) == pytest.approx([0.5e-4])
    law = root / "test-n-law.yaml"
    law.write_text(law.read_text().replace("value: 0.5", "value: 0.25").replace("eta: 5.0e-4", "eta: 2.5e-4"))
    assert eta(load_compiled(root)) == pytest.approx([0.25e-4])


@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated", "flipped-byte", "wrong-magic"])
def test_corrupt_cache_falls_back_to_compiling(make_kb, cache, damage):
    root = make_kb(copy=FILES)
    good = load_compiled(root)
    (written,) = list(cache.glob("kb-*.cache"))
    data = written.read_bytes()
    damaged = {
        "empty": b"",
        "garbage": b"\xff\xfe{[" * 50,
        "truncated": data[: len(data) // 2],
        "flipped-byte": data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:],
        "wrong-magic": b"X" + data[1:],
    }[damage]
    written.write_bytes(damaged)
    assert decode_cache(damaged, good.content_hash) is None
    assert eta(load_compiled(root)) == eta(good)


def test_corrupt_body_that_still_unmarshals_is_refused(make_kb, cache):
    # most damage makes marshal fail anyway; a same-length change inside a string does not, only the checksum sees it
    root = make_kb(copy=FILES)
    good = load_compiled(root)
    (written,) = list(cache.glob("kb-*.cache"))
    data = written.read_bytes()
    title = next(e.title for e in good.entries if e.id == "test-n-law").encode()
    forged = data.replace(title, title.upper(), 1)
    assert forged != data and marshal.loads(forged[len(MAGIC) + 32:])["content_hash"] == good.content_hash
    assert decode_cache(forged, good.content_hash) is None
    written.write_bytes(forged)
    assert title.decode() in [e.title for e in load_compiled(root).entries]


def test_tampered_tree_in_cache_is_refused(make_kb, cache):
    root = make_kb(copy=FILES)
    good = load_compiled(root)
    (written,) = list(cache.glob("kb-*.cache"))
    payload = decode_cache(written.read_bytes(), good.content_hash)
    for entry in payload["entries"]:
        for rel in entry["relations"]:
            rel["tree"] = ["__import__", "os"]
    written.write_bytes(encode_cache(payload))  # a well-formed file with a malformed tree
    assert eta(load_compiled(root)) == eta(good)


def test_old_cache_files_are_pruned(make_kb, cache):
    root = make_kb(copy=FILES)
    law = root / "test-n-law.yaml"
    for i in range(12):
        law.write_text(law.read_text() + f"\n# edit {i}\n")
        load_compiled(root)
    assert 1 <= len(list(cache.glob("kb-*.cache"))) <= 8
    assert len(list(cache.glob("stat-*"))) <= 8


def test_stat_index_never_hides_an_edit_that_keeps_size_and_mtime(make_kb, cache):
    root = make_kb(copy=FILES)
    law = root / "test-n-law.yaml"
    assert eta(load_compiled(root)) == pytest.approx([0.5e-4])
    before = law.stat()
    text = law.read_text().replace("value: 0.5", "value: 0.4").replace("eta: 5.0e-4", "eta: 4.0e-4")
    law.write_text(text)  # same size
    os.utime(law, ns=(before.st_atime_ns, before.st_mtime_ns))  # and mtime put back, as cp -p would
    assert law.stat().st_size == before.st_size and law.stat().st_mtime_ns == before.st_mtime_ns
    assert eta(load_compiled(root)) == pytest.approx([0.4e-4])


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_cache_directory(make_kb, cache):
    root = make_kb(copy=FILES)
    cache.mkdir()
    cache.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert eta(load_compiled(root)) == pytest.approx([0.5e-4])
    finally:
        cache.chmod(stat.S_IRWXU)


def _immutable(path: Path, on: bool) -> bool:
    """chattr +i / -i: read-only even for root (the suite runs as root in CI containers)."""
    import shutil

    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", "+i" if on else "-i", str(path)], capture_output=True).returncode == 0


@pytest.mark.parametrize("content", ["empty", "stale", "corrupt"])
def test_immutable_cache_directory(make_kb, cache, content):
    root = make_kb(copy=FILES)
    cache.mkdir()
    if content != "empty":
        assert eta(load_compiled(root)) == pytest.approx([0.5e-4])  # leaves a cache for this content
        if content == "corrupt":
            for path in cache.iterdir():
                path.write_bytes(b"\x00garbage")
        else:  # the KB changes after the cache was written: the cache is stale
            law = root / "test-n-law.yaml"
            law.write_text(law.read_text().replace("value: 0.5", "value: 0.25").replace("eta: 5.0e-4", "eta: 2.5e-4"))
    if not _immutable(cache, True):
        pytest.skip("chattr +i is not available on this file system (test_read_only_cache_directory covers non-root)")
    try:
        assert not _can_create(cache)  # really read-only, for root too
        want = 0.25e-4 if content == "stale" else 0.5e-4
        assert eta(load_compiled(root)) == pytest.approx([want])
        cmd = [sys.executable, "-m", "hpguide", "query", "--kb", str(root), "--params", "1e8", "--json"]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120,
                              env={**os.environ, "HPGUIDE_CACHE_DIR": str(cache)})
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
        values = [row["value"] for row in json.loads(proc.stdout)["results"] if row["symbol"] == "eta"]
        assert values == pytest.approx([want])
    finally:
        _immutable(cache, False)


def _can_create(folder: Path) -> bool:
    try:
        (folder / "probe").write_text("x")
    except OSError:
        return False
    (folder / "probe").unlink()
    return True


def test_unwritable_cache_location(make_kb, tmp_path, monkeypatch):
    # a cache "directory" that is a file cannot be written, even by root
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("HPGUIDE_CACHE_DIR", str(blocker / "sub"))
    assert eta(load_compiled(make_kb(copy=FILES))) == pytest.approx([0.5e-4])


def test_concurrent_queries_agree(make_kb, cache):
    root = make_kb(copy=FILES)
    cmd = [sys.executable, "-m", "hpguide", "query", "--kb", str(root), "--params", "1e8", "--json"]
    env = {**os.environ, "HPGUIDE_CACHE_DIR": str(cache)}
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
             for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outputs]
    assert len({o[0] for o in outputs}) == 1
    assert not list(Path(cache).glob(".kb-*.tmp"))


def test_compile_without_cache_matches(make_kb, cache):
    root = make_kb(copy=FILES)
    assert eta(compile_kb(root)) == eta(load_compiled(root))
