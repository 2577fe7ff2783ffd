"""A batched L-BFGS minimiser: many independent starts advanced together in numpy.

Fitting the Chinchilla loss from the paper's grid of 4,500 initialisations
with one ``scipy.optimize.minimize`` call per start takes minutes, because
each call evaluates a 240-point objective in Python thousands of times. Here
every start is a row of one array: each iteration evaluates the objective and
its gradient for all unfinished rows in one vectorised call, so the Python
overhead is paid per iteration, not per start.

The method is textbook L-BFGS (two-loop recursion, ``history`` pairs, the
usual ``s.y / y.y`` initial scaling) with a weak-Wolfe line search by
bisection and doubling (Lewis and Overton, "Nonsmooth optimization via
quasi-Newton methods", 2013): it needs no interpolation, copes with the kinks
of a Huber objective, and guarantees ``s.y > 0`` for the update. Rows stop
independently: on a small relative decrease (``ftol``, scipy's default), a
small gradient (``gtol``), a failed line search (no step satisfies the
conditions: a kink or the limit of float precision), or ``max_iter``.

numpy only, no threads, no randomness: results are deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["BatchResult", "minimize_batch"]

#: fun_grad(X, members) -> (f, G): objective (k,) and gradient (k, n) at the rows X (k, n);
#: ``members`` are the rows' indices in the batch (for objectives that differ per row).
FunGrad = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class BatchResult:
    """Where each start ended: ``x`` (S, n), ``f`` (S,), iterations and stop reasons per row."""

    x: np.ndarray
    f: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray  # bool: stopped by ftol/gtol (not by max_iter or a failed line search)
    evaluations: int  # objective+gradient evaluations, counted per row


def _dot(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", u, v)


def _direction(grad: np.ndarray, s_hist: np.ndarray, y_hist: np.ndarray, rho: np.ndarray,
               count: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The L-BFGS direction ``-H g`` for ``rows`` by the two-loop recursion."""
    m = s_hist.shape[0]
    q = grad.copy()
    depth = min(m, int(count.max(initial=0)))
    alphas = []
    for j in range(depth):  # newest pair first
        slot = (count - 1 - j) % m
        valid = j < count
        s, y = s_hist[slot, rows], y_hist[slot, rows]
        a = np.where(valid, rho[slot, rows] * _dot(s, q), 0.0)
        alphas.append((slot, valid, a))
        q -= a[:, None] * y
    if depth:
        slot = (count - 1) % m
        s, y = s_hist[slot, rows], y_hist[slot, rows]
        gamma = np.where(count > 0, _dot(s, y) / np.maximum(_dot(y, y), 1e-300), 1.0)
        q *= gamma[:, None]
    for slot, valid, a in reversed(alphas):
        s, y = s_hist[slot, rows], y_hist[slot, rows]
        b = np.where(valid, rho[slot, rows] * _dot(y, q), 0.0)
        q += (a - b)[:, None] * s
    return -q


def minimize_batch(
    fun_grad: FunGrad,
    x0: np.ndarray,
    *,
    history: int = 10,
    max_iter: int = 1000,
    ftol: float = 2.2e-9,
    gtol: float = 1e-10,
    max_line_search: int = 40,
    c1: float = 1e-4,
    c2: float = 0.9,
) -> BatchResult:
    """Minimise from every row of ``x0`` (S, n) at once; see the module docstring."""
    x = np.array(x0, dtype=float, copy=True)
    size, dim = x.shape
    members = np.arange(size)
    f, g = fun_grad(x, members)
    f, g = np.array(f, dtype=float), np.array(g, dtype=float)
    evaluations = size
    s_hist = np.zeros((history, size, dim))
    y_hist = np.zeros((history, size, dim))
    rho = np.zeros((history, size))
    count = np.zeros(size, dtype=int)
    iterations = np.zeros(size, dtype=int)
    converged = np.zeros(size, dtype=bool)
    active = np.isfinite(f) & np.all(np.isfinite(g), axis=1)
    for _ in range(max_iter):
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        xr, fr, gr, cr = x[rows], f[rows], g[rows], count[rows]
        p = _direction(gr, s_hist, y_hist, rho, cr, rows)
        slope = _dot(gr, p)
        reset = ~(slope < 0)  # not a descent direction: restart from steepest descent
        if reset.any():
            p[reset] = -gr[reset]
            slope[reset] = -_dot(gr[reset], gr[reset])
            cr[reset] = 0
            count[rows[reset]] = 0
        # first step of a fresh history is scaled to length ~1, as scipy does
        step = np.where(cr == 0, np.minimum(1.0, 1.0 / np.maximum(np.abs(gr).sum(axis=1), 1e-300)), 1.0)
        lo, hi = np.zeros(rows.size), np.full(rows.size, np.inf)
        f_new, g_new = fr.copy(), gr.copy()
        done = np.zeros(rows.size, dtype=bool)
        for _ls in range(max_line_search):
            trial = np.flatnonzero(~done)
            if trial.size == 0:
                break
            ft, gt = fun_grad(xr[trial] + step[trial, None] * p[trial], rows[trial])
            evaluations += trial.size
            finite = np.isfinite(ft) & np.all(np.isfinite(gt), axis=1)
            armijo = finite & (ft <= fr[trial] + c1 * step[trial] * slope[trial])
            curvature = _dot(np.where(finite[:, None], gt, 0.0), p[trial]) >= c2 * slope[trial]
            ok = armijo & curvature
            accepted = trial[ok]
            f_new[accepted], g_new[accepted], done[accepted] = ft[ok], gt[ok], True
            hi[trial[~armijo]] = step[trial[~armijo]]
            lo[trial[armijo & ~curvature]] = step[trial[armijo & ~curvature]]
            again = trial[~ok]
            step[again] = np.where(np.isfinite(hi[again]), 0.5 * (lo[again] + hi[again]), 2.0 * lo[again])
        s = step[:, None] * p
        y = g_new - gr
        sy = _dot(s, y)
        update = done & (sy > 1e-12 * np.sqrt(_dot(s, s) * _dot(y, y)))
        upd_rows = rows[update]
        slot = count[upd_rows] % history
        s_hist[slot, upd_rows], y_hist[slot, upd_rows] = s[update], y[update]
        rho[slot, upd_rows] = 1.0 / sy[update]
        count[upd_rows] += 1
        x[rows[done]] = xr[done] + s[done]
        small_step = (fr - f_new) <= ftol * np.maximum(np.maximum(np.abs(fr), np.abs(f_new)), 1.0)
        flat = np.abs(g_new).max(axis=1) <= gtol
        stop = done & (small_step | flat)
        f[rows[done]], g[rows[done]] = f_new[done], g_new[done]
        iterations[rows] += 1
        converged[rows[stop]] = True
        active[rows[stop | ~done]] = False
    return BatchResult(x=x, f=f, iterations=iterations, converged=converged, evaluations=evaluations)
