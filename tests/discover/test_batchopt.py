"""The batched L-BFGS minimiser: many starts at once, each as good as scipy's L-BFGS-B alone."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from hpguide.discover.batchopt import minimize_batch


def rosenbrock(x, members):
    a, b = x[:, 0], x[:, 1]
    f = (1 - a) ** 2 + 100 * (b - a**2) ** 2
    g = np.column_stack([-2 * (1 - a) - 400 * a * (b - a**2), 200 * (b - a**2)])
    return f, g


def test_every_start_reaches_the_minimum_of_rosenbrock():
    starts = np.array([[-1.2, 1.0], [2.0, 2.0], [0.0, 0.0], [-3.0, 5.0], [1.5, -1.0]])
    result = minimize_batch(rosenbrock, starts, ftol=1e-15)
    assert result.converged.all()
    np.testing.assert_allclose(result.x, np.ones_like(starts), atol=1e-5)
    single = minimize(lambda x: tuple(v[0] for v in rosenbrock(x[None, :], None)), starts[0], jac=True,
                      method="L-BFGS-B")
    assert result.f[0] <= single.fun + 1e-10


def test_rows_may_have_their_own_objective():
    centres = np.array([[1.0, -2.0], [3.0, 4.0], [-5.0, 0.5]])

    def shifted_quadratic(x, members):
        d = x - centres[members]
        return 0.5 * np.sum(d * d * [1.0, 50.0], axis=1), d * [1.0, 50.0]

    result = minimize_batch(shifted_quadratic, np.zeros((3, 2)))
    np.testing.assert_allclose(result.x, centres, atol=1e-6)


def test_a_start_where_the_objective_is_not_finite_stays_put():
    def log_barrier(x, members):
        with np.errstate(all="ignore"):
            f = x[:, 0] - np.log(x[:, 0])
        return f, (1 - 1 / x[:, :1])

    result = minimize_batch(log_barrier, np.array([[-1.0], [3.0]]))
    assert result.x[0, 0] == -1.0 and result.iterations[0] == 0 and not result.converged[0]
    assert result.x[1, 0] == pytest.approx(1.0, abs=1e-6)


def test_it_is_deterministic():
    starts = np.random.default_rng(0).normal(size=(50, 2)) * 3
    one, two = minimize_batch(rosenbrock, starts), minimize_batch(rosenbrock, starts)
    assert np.array_equal(one.x, two.x) and np.array_equal(one.iterations, two.iterations)
