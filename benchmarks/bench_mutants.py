"""Mutation benchmark: plant one known bug at a time and see whether the tests catch it.

    python benchmarks/bench_mutants.py                 # every mutant, then the table and the catch rate
    python benchmarks/bench_mutants.py --only median-upper-middle --only cache-never-reused
    python benchmarks/bench_mutants.py --list          # the mutants and their test selections

Each mutant is a file under src/hpguide, an exact snippet of it (which must occur once), its replacement and
the tests that should notice. The mutant is applied to a fresh copy of src/ in a temporary directory (the
checkout is never edited) and the selected tests run against that copy (PYTHONPATH, which the tests' own
`python -m hpguide` subprocesses inherit) with an empty compiled-KB cache. A mutant is caught when the tests
fail. First every selection runs once unmutated: it must pass, or a "caught" would mean nothing.

The list covers the bugs an earlier round of planted bugs got past the suite (a cache that is never reused,
an example tolerance made 10x looser, a median that takes the upper middle value, in_range always true) and
the usual suspects (off-by-one range checks, a sign flip in a formula evaluator, a dropped warning, ...).
No mutation tool is needed: a scripted list keeps each mutant meaningful and the run short (mutmut or
cosmic-ray would generate hundreds of mutants, most of them equivalent or trivially caught).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 900  # seconds per test run: a mutant that hangs the tests counts as caught, marked "timeout"


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str  # under src/hpguide
    original: str
    replacement: str
    tests: tuple[str, ...]
    why: str


RESOLVER = ("tests/resolver", "tests/cli/test_golden.py")

MUTANTS = [
    Mutant("cache-never-reused", "kb/compiled.py",
           'f"kb-{FORMAT}-{digest[:32]}.cache"', 'f"kb-{FORMAT}-{digest[:32]}-{os.getpid()}.cache"',
           ("tests/kb/test_compiled.py",), "the cache file name has the pid: no later process finds it"),
    Mutant("cache-checksum-skipped", "kb/compiled.py",
           "    if blake2b(body, digest_size=32).digest() != data[len(MAGIC):head]:\n        return None\n", "",
           ("tests/kb/test_compiled.py",), "a corrupt cache body is unmarshalled"),
    Mutant("stat-index-without-ctime", "kb/locate.py",
           r"{st.st_mtime_ns}\0{st.st_ctime_ns}\n", r"{st.st_mtime_ns}\n",
           ("tests/kb/test_compiled.py",), "an edit that restores size and mtime is served from a stale cache"),
    Mutant("tolerance-10x-looser", "kb/validate.py",
           "error <= example.rel_tol))", "error <= 10 * example.rel_tol))",
           ("tests/kb/test_validate.py",), "examples pass at ten times their rel_tol"),
    Mutant("tolerance-relative-to-got", "kb/validate.py",
           "scale = max(abs(expected), abs(got))", "scale = abs(got)",
           ("tests/kb/test_validate.py",), "the relative error is taken against the computed value only"),
    Mutant("median-upper-middle", "resolver/resolve.py",
           "return sorted_values[mid] if n % 2 else (sorted_values[mid - 1] + sorted_values[mid]) / 2",
           "return sorted_values[mid]", RESOLVER, "the median of an even count is the upper middle value"),
    Mutant("in-range-always-true", "resolver/resolve.py",
           "        if not lo <= value <= hi:\n", "        if False:\n",
           RESOLVER, "no extrapolation is ever flagged"),
    Mutant("range-upper-bound-exclusive", "resolver/resolve.py",
           "if not lo <= value <= hi:", "if not lo <= value < hi:",
           RESOLVER, "off by one: an input on the upper end of the validity range is flagged"),
    Mutant("range-lower-bound-exclusive", "resolver/resolve.py",
           "if not lo <= value <= hi:", "if not lo < value <= hi:",
           RESOLVER, "off by one: an input on the lower end of the validity range is flagged"),
    Mutant("spread-pools-out-of-range", "resolver/resolve.py",
           "inside = sorted(r.value for r in rows if r.in_range)", "inside = sorted(r.value for r in rows)",
           RESOLVER, "extrapolated answers are pooled into the spread"),
    Mutant("range-warning-dropped", "resolver/resolve.py",
           "warnings=range_notes + base_warnings", "warnings=base_warnings",
           RESOLVER, "the extrapolation warning is not shown"),
    Mutant("assumed-value-least-common", "resolver/resolve.py",
           "best = max(counts.values())", "best = min(counts.values())",
           RESOLVER, "a shape value is filled in from the least common of the nearest configs"),
    Mutant("scalar-power-sign-flip", "core/evaluate.py",
           "return lambda env: _pow(base(env), exponent(env))", "return lambda env: _pow(base(env), -exponent(env))",
           RESOLVER, "the resolver's evaluator negates every exponent (the numpy path used by validate does not)"),
    Mutant("scalar-log10-for-ln", "core/evaluate.py",
           "        return math.log(x)\n", "        return math.log10(x)\n",
           ("tests/discover/test_sweep.py", "tests/cli/test_golden.py"),
           "log is read as log10 by the resolver's evaluator"),
    Mutant("formula-subtraction-adds", "core/formula.py",
           "            return left - right\n", "            return left + right\n",
           ("tests/core/test_formula.py",), "a - b compiles to a + b"),
    Mutant("suffix-T-is-1e9", "core/quantities.py",
           '"B": 9, "T": 12}', '"B": 9, "T": 9}',
           ("tests/core/test_quantities.py",), "1T reads as a billion"),
    Mutant("duplicate-key-allowed", "core/yamlio.py",
           "            if key in out:\n", "            if False:\n",
           ("tests/core/test_yamlio.py", "tests/kb/test_validate.py"), "YAML keeps the last of two equal keys"),
    Mutant("version-bump-off-by-one", "kb/versioning.py",
           'if changes and new["version"] <= old["version"]:', 'if changes and new["version"] < old["version"]:',
           ("tests/kb/test_versioning.py",), "a change of meaning without a version bump passes"),
    Mutant("sweep-margin-ignored", "discover/sweep.py",
           "log_grid(lr_span[0] / margin, lr_span[1] * margin, points)", "log_grid(lr_span[0], lr_span[1], points)",
           ("tests/discover/test_sweep.py",), "the LR grid is not widened by the margin"),
    Mutant("cosine-decay-inverted", "discover/schedules.py",
           "0.5 * (1.0 + math.cos(math.pi * x))", "0.5 * (1.0 - math.cos(math.pi * x))",
           ("tests/discover/test_schedules.py",), "the cosine schedule rises instead of decaying"),
    Mutant("usage-error-exit-1", "cli/main.py",
           "EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2", "EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 1",
           ("tests/cli/test_main.py",), "bad input exits 1, like an invalid KB"),
]


def _copy_src(dest: Path) -> Path:
    src = dest / "src"
    shutil.copytree(ROOT / "src", src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return src


def apply(mutant: Mutant, src: Path) -> None:
    """Write the mutant into the copy ``src``; ValueError if its snippet is not in the file exactly once."""
    path = src / "hpguide" / mutant.file
    text = path.read_text(encoding="utf-8")
    count = text.count(mutant.original)
    if count != 1:
        raise ValueError(f"{mutant.name}: the snippet occurs {count} times in src/hpguide/{mutant.file} (want 1)")
    path.write_text(text.replace(mutant.original, mutant.replacement), encoding="utf-8")


def run_tests(src: Path, tests: tuple[str, ...], scratch: Path) -> tuple[str, float, str]:
    """(outcome, seconds, last line) of pytest over ``tests`` with ``src`` first on the path.

    Test paths this checkout does not have are left out (to score an older revision's tests with the same
    list); with none left the outcome is "passed": nothing could catch the mutant.
    """
    tests = tuple(t for t in tests if (ROOT / t.split("::")[0]).exists())
    if not tests:
        return "passed", 0.0, "no such tests in this checkout"
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=scratch))
    env = {**os.environ, "PYTHONPATH": str(src), "HPGUIDE_CACHE_DIR": str(cache)}
    env.pop("HPGUIDE_KB", None)
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
    except subprocess.TimeoutExpired:
        return "timeout", time.perf_counter() - start, f"no result after {TIMEOUT} s"
    seconds = time.perf_counter() - start
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    last = lines[-1] if lines else proc.stderr.strip()[-200:]
    outcome = {0: "passed", 1: "failed"}.get(proc.returncode, f"error (exit {proc.returncode})")
    return outcome, seconds, last


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="run only this mutant")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run of each selection")
    args = parser.parse_args(argv)
    names = {m.name for m in MUTANTS}
    unknown = sorted(set(args.only) - names)
    if unknown:
        parser.error(f"unknown mutant {unknown[0]!r} (see --list)")
    chosen = [m for m in MUTANTS if not args.only or m.name in args.only]
    if args.list:
        for m in chosen:
            print(f"{m.name:30} src/hpguide/{m.file:22} {' '.join(m.tests)}\n{'':30} {m.why}")
        return 0

    with tempfile.TemporaryDirectory(prefix="hpguide-mutants-") as tmp:
        scratch = Path(tmp)
        for m in chosen:  # every snippet must still be in the source, before anything runs
            apply(m, _copy_src(Path(tempfile.mkdtemp(dir=scratch))))
        if not args.no_baseline:
            clean = _copy_src(Path(tempfile.mkdtemp(dir=scratch)))
            for tests in dict.fromkeys(m.tests for m in chosen):
                outcome, seconds, last = run_tests(clean, tests, scratch)
                print(f"baseline {' '.join(tests)}: {outcome} in {seconds:.0f} s", flush=True)
                if outcome != "passed":
                    print(f"the unmutated tests do not pass ({last}): fix that first", file=sys.stderr)
                    return 1
        rows = []
        for m in chosen:
            src = _copy_src(Path(tempfile.mkdtemp(dir=scratch)))
            apply(m, src)
            outcome, seconds, last = run_tests(src, m.tests, scratch)
            caught = outcome != "passed"
            rows.append((m, caught, outcome, seconds, last))
            print(f"{'caught  ' if caught else 'SURVIVED'} {m.name} ({outcome}, {seconds:.0f} s): {last}", flush=True)
            shutil.rmtree(src.parent, ignore_errors=True)

    print("\n| mutant | file | tests | result | time |\n|---|---|---|---|---|")
    for m, caught, outcome, seconds, _ in rows:
        result = "caught" if caught else "**survived**"
        if outcome not in ("passed", "failed"):
            result += f" ({outcome})"
        print(f"| {m.name} | {m.file} | {' '.join(t.removeprefix('tests/') for t in m.tests)} | {result} "
              f"| {seconds:.0f} s |")
    caught = sum(1 for _, c, *_ in rows if c)
    print(f"\ncatch rate: {caught}/{len(rows)} = {caught / len(rows):.0%}")
    survivors = [m for m, c, *_ in rows if not c]
    for m in survivors:
        print(f"survived: {m.name}: {m.why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
