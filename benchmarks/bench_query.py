"""Benchmarks of the query path (issue 3). Run: python benchmarks/bench_query.py

1. `hpguide query --d-model 4096 --tokens 1T` wall time, median of N runs,
   as a ratio to `python -c pass` measured in the same run, interleaved with
   it (target <= 2.0), and the same query with `--json` (same target); the
   ratio of CPU times beside each (steadier on a shared machine).
   The compiled-KB cache is warmed first: the target is the everyday run.
2. API grid evaluation of every entry over 10,000 (N, D) points
   (target < 0.2 s), reported with the same-run `python -c pass` baseline.

Figures are ratios against a baseline measured in the same run, because
these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time


def interleaved(commands: list[list[str]], runs: int) -> list[tuple[float, float]]:
    """Median wall time and median CPU time (user + system, from the children's rusage) of each command,
    the commands run in turn ``runs`` times (baseline, query, query, baseline, ...), so that a machine
    that slows down or speeds up during the benchmark moves every figure alike. CPU time does not count
    waiting for the other core, so it varies less on a shared machine."""
    walls: list[list[float]] = [[] for _ in commands]
    cpus: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for i, cmd in enumerate(commands):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            walls[i].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[i].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return [(statistics.median(w), statistics.median(c)) for w, c in zip(walls, cpus)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    # the console script installed beside this interpreter (a venv's bin/); a shim on PATH
    # (pyenv) would add its own start-up to one side of the ratio only
    script = os.path.join(os.path.dirname(sys.executable), "hpguide")
    words = ["query", "--d-model", "4096", "--tokens", "1T"]
    query = [script, *words] if os.access(script, os.X_OK) else [sys.executable, "-m", "hpguide", *words]
    subprocess.run(query, check=True, stdout=subprocess.DEVNULL)  # warm the compiled-KB cache
    commands = [[sys.executable, "-c", "pass"], query, [*query, "--json"]]
    interleaved(commands, 3)  # warm the file cache for all three
    (baseline, baseline_cpu), (q, q_cpu), (qj, qj_cpu) = interleaved(commands, args.runs)
    print(f"python -c pass:                                 {baseline * 1000:7.1f} ms (median of {args.runs}; "
          f"CPU {baseline_cpu * 1000:.1f} ms)")
    print(f"hpguide query --d-model 4096 --tokens 1T:        {q * 1000:7.1f} ms  ratio {q / baseline:.2f} "
          f"(target <= 2.0; CPU time ratio {q_cpu / baseline_cpu:.2f})")
    print(f"hpguide query --d-model 4096 --tokens 1T --json: {qj * 1000:7.1f} ms  ratio {qj / baseline:.2f} "
          f"(target <= 2.0; CPU time ratio {qj_cpu / baseline_cpu:.2f})")

    import numpy as np

    from hpguide.kb.compiled import load_compiled
    from hpguide.resolver.api import evaluate_grid

    kb = load_compiled()
    n, d = np.meshgrid(np.logspace(7, 12, 100), np.logspace(9, 14, 100))
    grid = {"N": n.ravel(), "D": d.ravel(), "d_model": np.full(n.size, 4096.0), "n_layers": np.full(n.size, 32.0),
            "seq_len": np.full(n.size, 4096.0), "vocab_size": np.full(n.size, 32000.0)}
    grid.pop("d_model"), grid.pop("n_layers")  # N is given directly; shape only feeds M
    evaluate_grid(grid, kb=kb)  # compile closures once
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        out = evaluate_grid(grid, kb=kb)
        times.append(time.perf_counter() - start)
    g = statistics.median(times)
    print(f"grid: {len(out)} (entry, symbol) series over {n.size} points: {g * 1000:7.1f} ms "
          f"(target < 200 ms; {g / baseline:.2f}x python -c pass)")


if __name__ == "__main__":
    main()
