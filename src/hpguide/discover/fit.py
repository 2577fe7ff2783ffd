"""Fitting laws to data: a power law and the Chinchilla parametric loss, with bootstrap intervals.

Two forms:

``power``
    ``y = a * x1**b1 * x2**b2 ...``, fitted by ordinary least squares of
    ``log y`` on ``log x1, log x2, ...`` (equal weights). Constants ``a, b1, ..., bk``.

``chinchilla``
    ``L = E + A/N**alpha + B/D**beta`` (Hoffmann et al. 2022, Eq. 2; ``N`` and
    ``D`` are the first and second predictor, whatever their names), fitted as
    in the paper's Approach 3: the objective is the SUM over points of the
    Huber loss (delta 1e-3) of ``log L_hat - log L``, with ``log L_hat =
    LSE(a - alpha log N, b - beta log D, e)`` and ``A = exp(a)``, ``B = exp(b)``,
    ``E = exp(e)``, minimised by L-BFGS from every point of the grid alpha,
    beta in {0, 0.5, ..., 2}, e in {-1, -0.5, ..., 1}, a, b in {0, 5, ..., 25}
    (4,500 starts); the best objective wins. (Besiroglu et al. 2024 traced the
    paper's implausible estimates to an optimiser that stopped early on the
    *mean* loss; the sum does not.)

    All 4,500 starts run at once in :mod:`hpguide.discover.batchopt` with the analytic
    gradient, in coordinates centred on the data (``a - alpha * mean(log N)``
    instead of ``a``: the same objective and the same starts, a better
    conditioned problem); the five best end points are then polished by
    ``scipy.optimize.minimize(method="L-BFGS-B")`` with the same gradient.
    The compute-optimal allocation under ``C = 6 N D`` (Eq. 4) follows from the
    constants.

Confidence intervals: percentile bootstrap, 95 %: the points are resampled
with replacement ``bootstrap`` times from a ``numpy.random.default_rng(seed)``
generator and refitted (the Chinchilla refits start from the full fit's best
start only); the 2.5th and 97.5th percentiles of each constant are the
interval. Same data, form and seed give the same numbers.

:func:`emit_entry` (from :mod:`hpguide.discover.fitentry`) turns a result into a draft KB entry.
"""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.errors import UsageError
from .batchopt import minimize_batch
from .fitdata import FitData, require_positive

__all__ = [
    "FORMS",
    "HUBER_DELTA",
    "BUDGETS",
    "FitResult",
    "ChinchillaObjective",
    "chinchilla_grid",
    "fit",
    "result_json",
    "plot_fit",
]

FORMS = ("power", "chinchilla")
HUBER_DELTA = 1e-3
#: Compute budgets (FLOPs) at which the Chinchilla allocation is tabulated.
BUDGETS = (1e21, 1e22, 1e23, 1e24, 1e25)
CHINCHILLA_CONSTANTS = ("A", "B", "E", "alpha", "beta")
_POLISH = 5  # end points of the batch that scipy polishes
_CHUNK = 256  # rows of starts per vectorised block (keeps the work arrays in cache)


@dataclass(frozen=True)
class FitResult:
    """A fitted law: constants (with 95 % intervals when bootstrapped), residuals, allocation."""

    form: str
    data: FitData
    equation: str  # right-hand side over the data's names and the constants
    constants: dict[str, float]
    intervals: dict[str, tuple[float, float]] | None
    interval_method: str | None
    predicted: np.ndarray
    residuals: dict[str, str | float | None]  # "space" is "log"; the rest are numbers (r2 None when undefined)
    allocation: dict[str, Any] | None
    method: str
    details: dict[str, Any] = field(default_factory=dict)
    # the bootstrap refits, one row per refit, columns in the order of ``constants`` (None unbootstrapped)
    samples: np.ndarray | None = None

    @property
    def n_points(self) -> int:
        return self.data.n_points


# ---------------------------------------------------------------------------- shared pieces


def _log_residual_summary(predicted: np.ndarray, observed: np.ndarray) -> dict[str, str | float | None]:
    """RMS and max |log residual|, R^2 in log space (None when log y is constant), max relative error."""
    r = np.log(predicted) - np.log(observed)
    log_y = np.log(observed)
    total = float(np.sum((log_y - log_y.mean()) ** 2))
    rel = np.abs(predicted - observed) / np.maximum(np.abs(predicted), np.abs(observed))
    return {
        "space": "log",
        "rms": float(np.sqrt(np.mean(r**2))),
        "max_abs": float(np.max(np.abs(r))),
        "r2": None if total <= 0 else float(1.0 - np.sum(r**2) / total),
        "max_rel_error": float(np.max(rel)),
    }


def _resample_counts(n_points: int, replicates: int, seed: int) -> np.ndarray:
    """(replicates, n) how often each point is drawn when resampling n points with replacement."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_points, size=(replicates, n_points))
    counts = np.zeros((replicates, n_points))
    np.add.at(counts, (np.repeat(np.arange(replicates), n_points), draws.ravel()), 1.0)
    return counts


def _percentile_intervals(samples: dict[str, np.ndarray]) -> dict[str, tuple[float, float]]:
    return {name: (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))) for name, v in samples.items()}


def _interval_method(used: int, requested: int, seed: int, extra: str = "") -> str:
    dropped = f"; {requested - used} degenerate resamples skipped" if used < requested else ""
    return (f"percentile bootstrap, 95% (2.5th and 97.5th percentiles of {used} refits on points resampled "
            f"with replacement, seed {seed}{extra}{dropped})")


def _check_counts(data: FitData, n_params: int, form: str) -> None:
    n = data.n_points
    if n < 3:
        raise UsageError(f"only {n} point(s) remain after the filters; a fit needs at least 3")
    if n < n_params:
        raise UsageError(f"the {form} form has {n_params} parameters but only {n} points remain; "
                         "give more points or a form with fewer parameters")


# ---------------------------------------------------------------------------- power law


def _power_design(data: FitData) -> np.ndarray:
    return np.column_stack([np.ones(data.n_points), np.log(data.x)])


def lstsq(design: np.ndarray, target: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray | None:
    """Least squares; None when the (weighted) design is rank deficient."""
    if weights is not None:
        root = np.sqrt(weights)
        design, target = design * root[:, None], target * root
    coef, _res, rank, _sv = np.linalg.lstsq(design, target, rcond=None)
    return coef if rank == design.shape[1] else None


def _fit_power(data: FitData, bootstrap: int, seed: int) -> FitResult:
    k = len(data.x_names)
    _check_counts(data, k + 1, "power")
    require_positive(data, [*data.x_names, data.y_name], "the power form is fitted on logarithms")
    names = ["a", *(f"b{i + 1}" for i in range(k))]
    clash = sorted(set(names) & {*data.x_names, data.y_name})
    if clash:
        raise UsageError(f"the power form's constants are named {', '.join(names)}; rename the variable(s) "
                         f"{', '.join(clash)}")
    design, target = _power_design(data), np.log(data.y)
    coef = lstsq(design, target)
    if coef is None:
        flat = [n for i, n in enumerate(data.x_names) if np.ptp(design[:, i + 1]) == 0]
        why = f"{', '.join(flat)} takes a single value" if flat else "the predictors are collinear in log space"
        raise UsageError(f"cannot fit the exponents: {why}")
    constants = {"a": float(math.exp(coef[0])), **{f"b{i + 1}": float(c) for i, c in enumerate(coef[1:])}}
    predicted = np.exp(design @ coef)
    intervals = method = None
    details: dict[str, Any] = {"objective": "least squares of log y"}
    if bootstrap:
        rows = []
        for counts in _resample_counts(data.n_points, bootstrap, seed):
            sample = lstsq(design, target, counts)
            if sample is not None:
                rows.append([math.exp(sample[0]), *sample[1:]])
        if not rows:
            raise UsageError("every bootstrap resample was degenerate (too few distinct points)")
        samples = np.array(rows)
        intervals = _percentile_intervals({n: samples[:, i] for i, n in enumerate(names)})
        method = _interval_method(len(rows), bootstrap, seed)
        details["bootstrap"] = {"requested": bootstrap, "used": len(rows), "seed": seed}
    terms = " * ".join(f"{x}**b{i + 1}" for i, x in enumerate(data.x_names))
    return FitResult(
        form="power", data=data, equation=f"a * {terms}", constants=constants, intervals=intervals,
        interval_method=method, predicted=predicted, residuals=_log_residual_summary(predicted, data.y),
        allocation=None, method="ordinary least squares of log y on log x (numpy.linalg.lstsq), equal weights",
        details=details, samples=np.array(rows) if bootstrap else None)


# ---------------------------------------------------------------------------- Chinchilla


def chinchilla_grid(
    alpha: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0),
    beta: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0),
    e: tuple[float, ...] = (-1.0, -0.5, 0.0, 0.5, 1.0),
    a: tuple[float, ...] = (0.0, 5.0, 10.0, 15.0, 20.0, 25.0),
    b: tuple[float, ...] = (0.0, 5.0, 10.0, 15.0, 20.0, 25.0),
) -> np.ndarray:
    """The starts (k, 5) as columns (a, b, e, alpha, beta); the default is the paper's 4,500-point grid."""
    return np.array([(ai, bi, ei, al, be) for al, be, ei, ai, bi in itertools.product(alpha, beta, e, a, b)],
                    dtype=float)


class ChinchillaObjective:
    """Sum of Huber(log L_hat - log L) and its gradient, for many parameter rows at once.

    Rows are ``(a_c, b_c, e, alpha, beta)`` with ``a_c = a - alpha * mean(log N)``
    and ``b_c = b - beta * mean(log D)`` (centred coordinates, see the module
    docstring). ``weights`` (rows, n), when given, weight each point per row:
    the bootstrap's resampling counts.
    """

    def __init__(self, log_n: np.ndarray, log_d: np.ndarray, log_l: np.ndarray, delta: float = HUBER_DELTA,
                 weights: np.ndarray | None = None):
        self.mean_n, self.mean_d = float(log_n.mean()), float(log_d.mean())
        self.z_n, self.z_d, self.log_l = log_n - self.mean_n, log_d - self.mean_d, log_l
        self.basis_n = np.column_stack([np.ones_like(self.z_n), -self.z_n])
        self.basis_d = np.column_stack([np.ones_like(self.z_d), -self.z_d])
        self.delta = delta
        self.weights = weights

    def to_centred(self, theta: np.ndarray) -> np.ndarray:
        out = np.array(theta, dtype=float, copy=True)
        out[..., 0] -= out[..., 3] * self.mean_n
        out[..., 1] -= out[..., 4] * self.mean_d
        return out

    def from_centred(self, theta: np.ndarray) -> np.ndarray:
        out = np.array(theta, dtype=float, copy=True)
        out[..., 0] += out[..., 3] * self.mean_n
        out[..., 1] += out[..., 4] * self.mean_d
        return out

    def __call__(self, theta: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        f = np.empty(theta.shape[0])
        g = np.empty_like(theta)
        with np.errstate(all="ignore"):
            for start in range(0, theta.shape[0], _CHUNK):
                stop = start + _CHUNK
                w = None if self.weights is None else self.weights[members[start:stop]]
                f[start:stop], g[start:stop] = self._block(theta[start:stop], w)
        return f, g

    def _block(self, theta: np.ndarray, w: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        a, b, e, alpha, beta = (theta[:, i:i + 1] for i in range(5))
        u1 = a - alpha * self.z_n
        u2 = b - beta * self.z_d
        top = np.maximum(np.maximum(u1, u2), e)
        u1 -= top
        u2 -= top
        u3 = e - top
        for u in (u1, u2, u3):  # in place: u becomes exp(u - top)
            # terms below e**-300 of the largest change nothing, but exp() of them is subnormal
            # and three times slower (the grid's far starts are full of them)
            np.maximum(u, -300.0, out=u)
            np.exp(u, out=u)
        total = u1 + u2 + u3
        r = np.log(total) + top - self.log_l
        psi = np.clip(r, -self.delta, self.delta)  # Huber'(r)
        loss = psi * (r - 0.5 * psi)  # = r^2/2 inside delta, delta(|r| - delta/2) outside
        if w is not None:
            loss, psi = loss * w, psi * w
        q = psi / total  # d loss / d LSE, over the softmax denominator
        grad = np.empty((theta.shape[0], 5))
        grad[:, 0::3] = (q * u1) @ self.basis_n  # d/da, d/dalpha
        grad[:, 1::3] = (q * u2) @ self.basis_d  # d/db, d/dbeta
        grad[:, 2] = np.einsum("ij,ij->i", q, u3)
        return loss.sum(axis=1), grad


def _polish(objective: ChinchillaObjective, start: np.ndarray, member: int = 0) -> tuple[np.ndarray, float]:
    from scipy.optimize import minimize

    members = np.array([member])

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = objective(x[None, :], members)
        return float(f[0]), g[0]

    res = minimize(fun, start, jac=True, method="L-BFGS-B",
                   options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-12, "maxcor": 20})
    return np.asarray(res.x, dtype=float), float(res.fun)


def _chinchilla_constants(theta: np.ndarray) -> np.ndarray:
    """(..., 5) of (a, b, e, alpha, beta) -> (..., 5) of (A, B, E, alpha, beta)."""
    theta = np.asarray(theta, dtype=float)
    with np.errstate(over="ignore"):
        return np.stack([np.exp(theta[..., 0]), np.exp(theta[..., 1]), np.exp(theta[..., 2]),
                         theta[..., 3], theta[..., 4]], axis=-1)


def _allocation_numbers(A, B, alpha, beta, budgets: np.ndarray) -> dict[str, np.ndarray]:
    """Chinchilla Eq. 4 under C = 6ND (vectorised over constants): G, a, b, N_opt, D_opt, D_opt/N_opt."""
    A, B, alpha, beta = (np.asarray(v, dtype=float)[..., None] for v in (A, B, alpha, beta))
    with np.errstate(all="ignore"):
        G = ((alpha * A) / (beta * B)) ** (1.0 / (alpha + beta))
        a, b = beta / (alpha + beta), alpha / (alpha + beta)
        n_opt = G * (budgets / 6.0) ** a
        d_opt = (budgets / 6.0) ** b / G
    return {"G": G[..., 0], "a": a[..., 0], "b": b[..., 0], "N_opt": n_opt, "D_opt": d_opt, "ratio": d_opt / n_opt}


def _allocation(constants: dict[str, float], samples: np.ndarray | None, n_name: str, d_name: str
                ) -> dict[str, Any] | None:
    A, B, alpha, beta = (constants[k] for k in ("A", "B", "alpha", "beta"))
    if not (alpha > 0 and beta > 0):
        return None  # no finite optimum: the loss does not fall with N or with D
    budgets = np.array(BUDGETS)
    point = _allocation_numbers(A, B, alpha, beta, budgets)
    spread = None
    if samples is not None:
        ok = (samples[:, 3] > 0) & (samples[:, 4] > 0)
        spread = _allocation_numbers(samples[ok, 0], samples[ok, 1], samples[ok, 3], samples[ok, 4], budgets)

    def ci(values: np.ndarray | None) -> list[float] | None:
        if values is None or values.size == 0:
            return None
        values = values[np.isfinite(values)]
        return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))] if values.size else None

    return {
        "assumes": f"C = 6*{n_name}*{d_name} ({n_name} parameters, {d_name} training tokens); "
                   f"{n_name}_opt = G*(C/6)**a, {d_name}_opt = (C/6)**b/G (Chinchilla Eq. 4)",
        "G": {"value": float(point["G"]), "ci": ci(None if spread is None else spread["G"])},
        "a": {"value": float(point["a"]), "ci": ci(None if spread is None else spread["a"])},
        "b": {"value": float(point["b"]), "ci": ci(None if spread is None else spread["b"])},
        "budgets": [
            {"C": float(c), "N_opt": float(point["N_opt"][i]), "D_opt": float(point["D_opt"][i]),
             "tokens_per_param": float(point["ratio"][i]),
             "tokens_per_param_ci": ci(None if spread is None else spread["ratio"][:, i])}
            for i, c in enumerate(budgets)
        ],
    }


def _fit_chinchilla(data: FitData, bootstrap: int, seed: int, grid: np.ndarray | None) -> FitResult:
    if len(data.x_names) != 2:
        raise UsageError(f"the chinchilla form takes two predictors, parameters then tokens "
                         f"(--x N=... --x D=...), got {len(data.x_names)}")
    _check_counts(data, 5, "chinchilla")
    n_name, d_name = data.x_names
    require_positive(data, [n_name, d_name, data.y_name], "the chinchilla form is fitted on logarithms")
    clash = sorted(set(CHINCHILLA_CONSTANTS) & {*data.x_names, data.y_name})
    if clash:
        raise UsageError(f"the chinchilla form's constants are named {', '.join(CHINCHILLA_CONSTANTS)}; "
                         f"rename the variable(s) {', '.join(clash)}")
    starts = chinchilla_grid() if grid is None else np.asarray(grid, dtype=float)
    if starts.ndim != 2 or starts.shape[1] != 5 or starts.shape[0] < 1:
        raise UsageError("a grid of starts is an array of rows (a, b, e, alpha, beta)")
    log_n, log_d, log_l = np.log(data.x[:, 0]), np.log(data.x[:, 1]), np.log(data.y)
    objective = ChinchillaObjective(log_n, log_d, log_l)
    batch = minimize_batch(objective, objective.to_centred(starts))
    finite = np.flatnonzero(np.isfinite(batch.f))
    if finite.size == 0:
        raise UsageError("the chinchilla fit diverged from every start; check the data")
    best_rows = finite[np.argsort(batch.f[finite], kind="stable")[:_POLISH]]
    candidates = [(float(batch.f[i]), int(i), batch.x[i]) for i in best_rows]
    for i in best_rows:
        x, f = _polish(objective, batch.x[i])
        if math.isfinite(f):
            candidates.append((f, int(i), x))
    best_f, start, best_x = min(candidates, key=lambda c: c[0])
    theta = objective.from_centred(best_x)
    values = _chinchilla_constants(theta)
    constants = dict(zip(CHINCHILLA_CONSTANTS, (float(v) for v in values)))
    details: dict[str, Any] = {
        "objective": "sum of Huber(log L_hat - log L), delta 1e-3",
        "objective_value": best_f,
        "starts": int(starts.shape[0]),
        "converged_starts": int(batch.converged.sum()),
        "best_start": dict(zip(("a", "b", "e", "alpha", "beta"), (float(v) for v in starts[start]))),
        "log_params": dict(zip(("a", "b", "e", "alpha", "beta"), (float(v) for v in theta))),
    }
    intervals = method = None
    samples = None
    if bootstrap:
        counts = _resample_counts(data.n_points, bootstrap, seed)
        boot_objective = ChinchillaObjective(log_n, log_d, log_l, weights=counts)
        first = boot_objective.to_centred(np.repeat(theta[None, :], bootstrap, axis=0))
        boot = minimize_batch(boot_objective, first)
        ok = np.isfinite(boot.f)
        samples = _chinchilla_constants(boot_objective.from_centred(boot.x[ok]))
        samples = samples[np.all(np.isfinite(samples), axis=1)]
        if samples.shape[0] == 0:
            raise UsageError("every bootstrap refit diverged; check the data")
        intervals = _percentile_intervals({n: samples[:, i] for i, n in enumerate(CHINCHILLA_CONSTANTS)})
        method = _interval_method(samples.shape[0], bootstrap, seed, "; each refit starts from the best start")
        details["bootstrap"] = {"requested": bootstrap, "used": int(samples.shape[0]), "seed": seed}
    A, B, E, alpha, beta = values
    with np.errstate(all="ignore"):
        predicted = E + A / data.x[:, 0] ** alpha + B / data.x[:, 1] ** beta
    residuals = _log_residual_summary(predicted, data.y)
    residuals["huber_objective"] = best_f
    return FitResult(
        form="chinchilla", data=data, equation=f"E + A/{n_name}**alpha + B/{d_name}**beta",
        constants=constants, intervals=intervals, interval_method=method, predicted=predicted,
        residuals=residuals, allocation=_allocation(constants, samples, n_name, d_name),
        method=(f"Huber loss (delta 1e-3) on log {data.y_name}, summed over points; L-BFGS from "
                f"{starts.shape[0]} starts (batched, analytic gradient), best 5 polished by scipy L-BFGS-B"),
        details=details, samples=samples)


# ---------------------------------------------------------------------------- public API


def fit(data: FitData, form: str, bootstrap: int = 0, seed: int = 0, grid: np.ndarray | None = None) -> FitResult:
    """Fit ``form`` (``power`` or ``chinchilla``) to ``data``; see the module docstring.

    ``bootstrap`` > 0 adds 95 % percentile intervals from that many resamples
    drawn with ``seed``. ``grid`` replaces the Chinchilla starts (rows of
    ``(a, b, e, alpha, beta)``; default :func:`chinchilla_grid`). Raises
    :class:`UsageError` on data the form cannot be fitted to.
    """
    if form not in FORMS:
        raise UsageError(f"unknown form {form!r}; choose one of {', '.join(FORMS)}")
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or not 0 <= bootstrap <= 100_000:
        raise UsageError(f"--bootstrap takes a whole number from 0 to 100000, got {bootstrap!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"--seed takes a whole number >= 0, got {seed!r}")
    if form == "power":
        return _fit_power(data, bootstrap, seed)
    return _fit_chinchilla(data, bootstrap, seed, grid)


def result_json(result: FitResult) -> dict[str, Any]:
    """The ``hpguide fit --json`` object (a stable contract for scripts)."""
    intervals = result.intervals or {}
    return {
        "form": result.form,
        "equation": f"{result.data.y_name} = {result.equation}",
        "constants": {
            name: {"value": value, "ci": list(intervals[name]) if name in intervals else None}
            for name, value in result.constants.items()
        },
        "n_points": result.n_points,
        "residuals": result.residuals,
        "allocation": result.allocation,
        "interval_method": result.interval_method,
        "method": result.method,
        "data": {"path": result.data.path, "x": result.data.x_names, "y": result.data.y_name,
                 "mappings": result.data.mappings, "selection": result.data.selection},
        "fit": result.details,
    }


def plot_fit(result: FitResult, path: str | os.PathLike[str], force: bool = False) -> None:
    """Save a PNG: observed vs fitted (log-log) and the log residuals against the first predictor.

    An existing ``path`` is replaced only with ``force`` (see :func:`hpguide.core.safewrite.write_file`).
    """
    import io

    from ..core.safewrite import check_target, write_file

    check_target(path, force)
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install 'hpguide[plot]'") from None
    data = result.data
    first = data.x[:, 0]
    residual = np.log(result.predicted) - np.log(data.y)
    figure = Figure(figsize=(10, 4.2), layout="constrained")
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2)
    low, high = float(min(data.y.min(), result.predicted.min())), float(max(data.y.max(), result.predicted.max()))
    left.plot([low, high], [low, high], color="0.6", lw=1, label="perfect fit")
    if high / low > 10:  # log axes only when they help: within a decade their tick labels clutter
        left.set_xscale("log")
        left.set_yscale("log")
    points = left.scatter(data.y, result.predicted, c=np.log10(first), s=14, cmap="viridis")
    left.set_xlabel(f"observed {data.y_name}")
    left.set_ylabel(f"fitted {data.y_name}")
    left.set_title(f"{data.y_name} = {result.equation}", fontsize=9)
    left.legend(loc="upper left", fontsize=8)
    figure.colorbar(points, ax=left, label=f"log10 {data.x_names[0]}")
    right.axhline(0.0, color="0.6", lw=1)
    right.scatter(first, residual, s=14, color="C1")
    right.set_xscale("log")
    right.set_xlabel(data.x_names[0])
    right.set_ylabel(f"log fitted - log observed {data.y_name}")
    right.set_title(f"{data.n_points} points, rms {result.residuals['rms']:.3g}", fontsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, dpi=120, format="png")
    write_file(path, buffer.getvalue(), force)

