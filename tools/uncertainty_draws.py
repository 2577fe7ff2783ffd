"""Make the ``uncertainty:`` draws of two entries from their sources, and show how they were checked.

Neither draw set is typed by hand; this script is the record of how each was made.

``steplaw``: Step Law's repository releases 1,000 bootstrap refits of its law
(data/1004_fitted_lr_bs_scaling_model_parameters.csv: lr_intercept, lr_coefN,
lr_coefD, bs_intercept, bs_coefD). The entry's constants are c_eta = exp(lr_intercept),
a_N = -lr_coefN, a_D = lr_coefD, c_B = exp(bs_intercept), b_D = bs_coefD; the entry
keeps every 5th refit (rows 1, 6, 11, ...; 200 in all), 6 significant digits, and this
script reports how far the kept rows' bands are from those of all 1,000.

``epoch``: Epoch's notebook bootstraps its refit 4,000 times but releases only the
summaries (standard errors and 95 % percentile intervals per constant), not the refits,
and not their covariance; the constants are strongly correlated, so the intervals alone
cannot make a band. The draws are therefore recomputed by hpguide with the notebook's
method (resample the 240 points kept after dropping the 5 highest losses, refit the Huber
objective on log loss from the best fit) on Epoch's own extracted points
(shared/data/chinchilla-fig4-epoch-extracted.csv); the script compares the recomputed
95 % intervals with the notebook's printed ones. The entry says the draws are recomputed.

Usage::

    python tools/uncertainty_draws.py steplaw PATH/TO/1004_fitted_lr_bs_scaling_model_parameters.csv
    python tools/uncertainty_draws.py epoch ../shared/data/chinchilla-fig4-epoch-extracted.csv

Each prints the YAML ``draws:`` rows to paste into the entry and, on stderr, the checks.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys

import numpy as np

KEEP_EVERY = 5
EPOCH_BOOTSTRAP = 4000
EPOCH_KEEP = 200
# analyzing-chinchilla data_analysis.ipynb, "95% Confidence Intervals for Parameter Estimates"
EPOCH_PRINTED_95 = {"A": (285.214, 743.626), "B": (1042.357, 5810.344), "E": (1.769, 1.871),
                    "alpha": (0.317, 0.373), "beta": (0.331, 0.415)}


def _g6(value: float) -> str:
    return f"{float(f'{value:.6g}')!r}"


def _rows(rows: np.ndarray) -> str:
    return "\n".join("    - [" + ", ".join(_g6(v) for v in row) + "]" for row in rows)


def _band(values: np.ndarray, level: float) -> tuple[float, float]:
    tail = (1 - level) / 2
    return float(np.quantile(values, tail)), float(np.quantile(values, 1 - tail))


def _eta(rows: np.ndarray, n_ne: float, tokens: float) -> np.ndarray:
    """Step Law's eta = c_eta N_ne^-a_N D^a_D per row of (c_eta, a_N, a_D, ...)."""
    return rows[:, 0] * n_ne ** (-rows[:, 1]) * tokens ** rows[:, 2]


def _tokens_per_param(rows: np.ndarray, compute: float) -> np.ndarray:
    """D_opt / N_opt under C = 6ND (Chinchilla Eq. 4) per row of (E, A, B, alpha, beta)."""
    a, b, al, be = (rows[:, i] for i in range(1, 5))
    g = ((al * a) / (be * b)) ** (1 / (al + be))
    n_opt = g * (compute / 6) ** (be / (al + be))
    d_opt = (compute / 6) ** (al / (al + be)) / g
    return d_opt / n_opt


def steplaw(path: str) -> None:
    with open(path, newline="") as fh:
        raw = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(fh)]
    full = np.array([[math.exp(r["lr_intercept"]), -r["lr_coefN"], r["lr_coefD"], math.exp(r["bs_intercept"]),
                      r["bs_coefD"]] for r in raw])
    kept = full[::KEEP_EVERY]
    kept_rounded = np.array([[float(f"{v:.6g}") for v in row] for row in kept])
    print(f"{len(raw)} refits in the file, {len(kept)} kept (every {KEEP_EVERY}th from the first)", file=sys.stderr)
    worst = 0.0
    for n_ne in (2.15e8, 1e9, 7e9, 7e10):
        for d in (4e9, 1e11, 1e12, 1.5e13):
            lo_f, hi_f = _band(_eta(full, n_ne, d), 0.9)
            lo_k, hi_k = _band(_eta(kept_rounded, n_ne, d), 0.9)
            worst = max(worst, abs(lo_k / lo_f - 1), abs(hi_k / hi_f - 1))
            print(f"  N_ne {n_ne:.3g} D {d:.3g}: eta 5-95 % all {lo_f:.4g}..{hi_f:.4g} (x{hi_f / lo_f:.3f}), "
                  f"kept {lo_k:.4g}..{hi_k:.4g}", file=sys.stderr)
    print(f"largest relative difference of a kept band end from the full one: {worst:.2%}", file=sys.stderr)
    print(_rows(kept_rounded))


def epoch(path: str) -> None:
    from hpguide.discover.fit import fit
    from hpguide.discover.fitdata import load_points

    data = load_points(path, ["N=Model Size", "D=Training_FLOP / (6 * N)"], "L=loss", drop_top=5)
    result = fit(data, "chinchilla", bootstrap=EPOCH_BOOTSTRAP, seed=0)
    print(f"{data.n_points} points; fit {result.constants}", file=sys.stderr)
    for name, (lo, hi) in EPOCH_PRINTED_95.items():
        got = result.intervals[name] if result.intervals else (math.nan, math.nan)
        print(f"  {name}: recomputed 95 % {got[0]:.4g}..{got[1]:.4g}, notebook prints {lo}..{hi}", file=sys.stderr)
    if result.samples is None:
        raise SystemExit("the fit did not keep its bootstrap samples")
    samples = result.samples
    order = ["E", "A", "B", "alpha", "beta"]
    columns = {"A": 0, "B": 1, "E": 2, "alpha": 3, "beta": 4}
    kept = samples[:: samples.shape[0] // EPOCH_KEEP][:EPOCH_KEEP][:, [columns[n] for n in order]]
    kept = np.array([[float(f"{v:.6g}") for v in row] for row in kept])
    all_rows = samples[:, [columns[n] for n in order]]
    for c in (1e21, 5.88e23, 1e24, 1e25):
        for level in (0.8, 0.9):
            lo_f, hi_f = _band(_tokens_per_param(all_rows, c), level)
            lo_k, hi_k = _band(_tokens_per_param(kept, c), level)
            print(f"  C {c:.3g}: tokens/param {level:.0%} all {lo_f:.3g}..{hi_f:.3g}, kept {lo_k:.3g}..{hi_k:.3g}",
                  file=sys.stderr)
    print(f"# constants in the order {order}", file=sys.stderr)
    print(_rows(kept))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", choices=["steplaw", "epoch"])
    parser.add_argument("path")
    args = parser.parse_args()
    (steplaw if args.source == "steplaw" else epoch)(args.path)


if __name__ == "__main__":
    main()
