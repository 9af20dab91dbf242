"""The released noise has the scale the stated epsilon (and delta) calls for.

OpenDP draws its noise from the operating system's secure generator and offers no seed
(a seedable generator would let whoever knows the seed subtract the noise), so these
tests cannot replay fixed draws. They compare the empirical distribution of many
releases with the distribution the stated parameters imply, using the
Dvoretzky-Kiefer-Wolfowitz inequality with Massart's constant: for n independent draws
from a distribution F (any F, discrete ones included),
P(sup_x |F_n(x) - F(x)| > t) <= 2 exp(-2 n t^2). With t chosen so that the bound is
1e-10, a correct mechanism fails a test about once in ten billion runs: never, in
practice. The same inequality makes each test able to fail: if the noise really came
from a distribution G at sup-distance D from F, F_n stays within t of G (same bound), so
the test rejects whenever D > 2t; each test checks that noise 25 % too small or too
large is that far away.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import pytest

from discreet.analytics.queries import (
    Record,
    cells_once,
    gaussian_mechanism,
    histogram_mechanism,
)

FAILURE = 1e-10
CELLS = 500  # noise draws per release: one per (empty) cell


def dkw_bound(n: int) -> float:
    return math.sqrt(math.log(2 / FAILURE) / (2 * n))


def discrete_laplace_cdf(scale: float) -> Callable[[float], float]:
    # P(X = k) = (1 - p) / (1 + p) * p^|k| with p = exp(-1 / scale).
    p = math.exp(-1 / scale)

    def cdf(x: float) -> float:
        k = math.floor(x)
        return p ** (-k) / (1 + p) if k < 0 else 1 - p ** (k + 1) / (1 + p)

    return cdf


def normal_cdf(scale: float) -> Callable[[float], float]:
    return lambda x: 0.5 * (1 + math.erf(x / (scale * math.sqrt(2))))


def sup_distance(draws: Sequence[float], cdf: Callable[[float], float], step: int) -> float:
    """Kolmogorov-Smirnov statistic: the largest gap between the empirical CDF and `cdf`,
    at each distinct draw x and just below it (`cdf(x - 1)` for integer-valued noise,
    `step` 1; the same `cdf(x)` for continuous noise, `step` 0)."""
    ordered = sorted(draws)
    n = len(ordered)
    gap = 0.0
    i = 0
    while i < n:
        j = i
        while j < n and ordered[j] == ordered[i]:
            j += 1
        x = ordered[i]
        gap = max(gap, abs(j / n - cdf(x)), abs(i / n - cdf(x - step)))
        i = j
    return gap


def cdf_distance(f: Callable[[float], float], g: Callable[[float], float], scale: float) -> float:
    grid = [scale * x / 100 for x in range(-1000, 1001)]
    return max(abs(f(x) - g(x)) for x in grid)


@pytest.mark.parametrize(("epsilon", "d_in"), [(1.0, 1), (0.5, 5)])
def test_laplace_noise_matches_epsilon(epsilon: float, d_in: int) -> None:
    # One subject changes at most d_in rows, so each count by at most d_in in total (L1):
    # epsilon-DP needs discrete Laplace noise of scale d_in / epsilon, not less.
    scale = d_in / epsilon
    mechanism = histogram_mechanism([f"c{i}" for i in range(CELLS)], epsilon, d_in)
    assert (mechanism.noise, mechanism.epsilon, mechanism.delta) == ("laplace", epsilon, 0.0)
    draws = [float(x) for _ in range(100) for x in mechanism.measurement([])]
    t = dkw_bound(len(draws))
    expected = discrete_laplace_cdf(scale)
    for wrong in (0.75 * scale, 1.25 * scale):
        assert cdf_distance(expected, discrete_laplace_cdf(wrong), scale) > 2 * t
    assert sup_distance(draws, expected, step=1) <= t


@pytest.mark.parametrize(("epsilon", "delta", "k"), [(0.5, 1e-6, 5), (1.0, 1e-7, 30)])
def test_gaussian_noise_matches_epsilon_and_delta(epsilon: float, delta: float, k: int) -> None:
    sensitivity = math.sqrt(k)
    mechanism = gaussian_mechanism(CELLS, epsilon, delta, sensitivity)
    assert mechanism.noise == "gaussian"
    assert mechanism.epsilon <= epsilon and mechanism.delta <= delta
    sigma = mechanism.scale
    # The stated (epsilon, delta) holds for Gaussian noise of this sigma by the exact
    # privacy profile of the Gaussian mechanism (Balle and Wang 2018, theorem 8) ...
    assert gaussian_delta(epsilon, sigma, sensitivity) <= delta
    # ... and the sigma is not wastefully large: within 10 % of the smallest that does.
    assert sigma <= 1.10 * smallest_sigma(epsilon, delta, sensitivity)
    draws = [x for _ in range(40) for x in mechanism.measurement([0.0] * CELLS)]
    t = dkw_bound(len(draws))
    expected = normal_cdf(sigma)
    for wrong in (0.75 * sigma, 1.25 * sigma):
        assert cdf_distance(expected, normal_cdf(wrong), sigma) > 2 * t
    assert sup_distance(draws, expected, step=0) <= t


def gaussian_delta(epsilon: float, sigma: float, sensitivity: float) -> float:
    phi = normal_cdf(1.0)
    a, b = sensitivity / (2 * sigma), epsilon * sigma / sensitivity
    return phi(a - b) - math.exp(epsilon) * phi(-a - b)


def smallest_sigma(epsilon: float, delta: float, sensitivity: float) -> float:
    low, high = 1e-3, 1e4
    for _ in range(200):
        mid = (low + high) / 2
        if gaussian_delta(epsilon, mid, sensitivity) <= delta:
            high = mid
        else:
            low = mid
    return high


def test_one_customer_moves_the_gaussian_counts_by_at_most_sqrt_k() -> None:
    """The sensitivity the Gaussian release is calibrated to (L2 distance sqrt(k)) holds
    for a customer who writes many times on a few days and once on many others."""
    from datetime import date, timedelta

    def rec(who: str, day: int) -> Record:
        return Record(who, "support", "de", date(2026, 11, 1) + timedelta(days=day), "x", "open")

    others = [rec(f"s{i}", i % 7) for i in range(50)]
    heavy = [rec("heavy", 0) for _ in range(10)] + [rec("heavy", d) for d in range(1, 20)]

    def cell(r: Record) -> str:
        return r.day.isoformat()

    for k in (1, 3, 5):
        without = cells_once(others, cell, k)
        with_heavy = cells_once(others + heavy, cell, k)
        changed = {c: with_heavy[c] - without[c] for c in with_heavy.keys() | without.keys()}
        assert all(v in (0, 1) for v in changed.values())
        assert math.sqrt(sum(v * v for v in changed.values())) == pytest.approx(math.sqrt(k))
