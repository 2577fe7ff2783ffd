"""Benchmark of the Chinchilla fit (issue 6). Run: python benchmarks/bench_fit.py

Times ``hpguide.discover.fit.fit(data, "chinchilla")`` (the paper's full 4,500-start
grid, batched L-BFGS plus the scipy polish) on Epoch AI's 240 points
(../shared/data/chinchilla-fig4-epoch-extracted.csv, 5 highest losses
dropped), median of ``--runs`` runs. Target: < 15 s on the 2-core machine.

Baseline, measured in the same run: one ``scipy.optimize.minimize(method=
"L-BFGS-B")`` run from one start with the same analytic gradient (the median
over ``--baseline-starts`` starts spread over the grid). The ratio says how
many single-start scipy runs the whole grid costs; the naive per-start loop
would cost 4,500 of them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from hpguide.discover.fit import ChinchillaObjective, chinchilla_grid, fit
from hpguide.discover.fitdata import load_points

TARGET_SECONDS = 15.0
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "chinchilla-fig4-epoch-extracted.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-starts", type=int, default=30)
    parser.add_argument("--data", default=str(DATA))
    args = parser.parse_args()
    if not Path(args.data).is_file():
        sys.exit(f"reference data missing: {args.data}")
    data = load_points(args.data, ["N=Model Size", "D=Training_FLOP/(6*N)"], "L=loss", drop_top=5)
    grid = chinchilla_grid()

    times, result = [], None
    for _ in range(args.runs):
        start = time.perf_counter()
        result = fit(data, "chinchilla")
        times.append(time.perf_counter() - start)
    full = statistics.median(times)

    objective = ChinchillaObjective(np.log(data.x[:, 0]), np.log(data.x[:, 1]), np.log(data.y))
    member = np.array([0])

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = objective(x[None, :], member)
        return float(f[0]), g[0]

    picks = np.linspace(0, len(grid) - 1, args.baseline_starts).round().astype(int)
    single = []
    for i in picks:
        start = time.perf_counter()
        minimize(fun, objective.to_centred(grid[i]), jac=True, method="L-BFGS-B")
        single.append(time.perf_counter() - start)
    baseline = statistics.median(single)

    print(f"data: {data.n_points} points; grid: {len(grid)} starts")
    print(f"full grid fit (batched L-BFGS + scipy polish), median of {args.runs}: {full:.2f} s  "
          f"(runs: {', '.join(f'{t:.2f}' for t in times)})")
    print(f"baseline: one scipy L-BFGS-B run from one start, median of {len(picks)} starts: {baseline * 1e3:.1f} ms")
    print(f"ratio full grid / one start: {full / baseline:.0f} (a per-start loop: {len(grid)}, "
          f"about {baseline * len(grid):.0f} s)")
    print(f"target: < {TARGET_SECONDS:.0f} s -> {'met' if full < TARGET_SECONDS else 'NOT met'}")
    constants = ", ".join(f"{k} = {v:.6g}" for k, v in result.constants.items())
    print(f"fitted: {constants}")


if __name__ == "__main__":
    main()
