"""Confidence intervals against published reference values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipelines.lib.analysis.intervals import byar, newcombe, poisson_exact, poisson_interval, wilson

Z = 1.959963984540054


def test_wilson_reference_values():
    lo, hi = wilson(np.array([5.0, 0.0, 50.0]), np.array([50.0, 20.0, 50.0]))
    assert lo.round(4).tolist() == [0.0435, 0.0, 0.9287]
    assert hi.round(4).tolist() == [0.2136, 0.1611, 1.0]


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "low", "high"),
    [  # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
    ],
)
def test_newcombe_hybrid_score_reference_values(x1, n1, x2, n2, low, high):
    lo, hi = newcombe(x1, n1, x2, n2)
    assert round(float(lo), 4) == low and round(float(hi), 4) == high


def test_exact_poisson_reference_values():
    lo, hi = poisson_exact(np.array([0.0, 10.0, 1.0]), np.array([1.0, 1.0, 1.0]))
    # Garwood limits: 0 → 0–3.6889, 10 → 4.7954–18.3904, 1 → 0.0253–5.5716
    assert lo.round(4).tolist() == [0.0, 4.7954, 0.0253]
    assert hi.round(4).tolist() == [3.6889, 18.3904, 5.5716]


def test_byar_by_hand_and_close_to_exact():
    x = 150.0
    lower = x * (1 - 1 / (9 * x) - Z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + Z / (3 * math.sqrt(x + 1))) ** 3
    lo, hi = byar(np.array([x]), np.array([1000.0]))
    assert lo[0] == pytest.approx(lower / 1000, rel=1e-12) and hi[0] == pytest.approx(upper / 1000, rel=1e-12)
    assert (round(lower, 2), round(upper, 2)) == (126.95, 176.02)
    e_lo, e_hi = poisson_exact(np.array([x]), np.array([1000.0]))
    assert abs(lo[0] / e_lo[0] - 1) < 1e-4 and abs(hi[0] / e_hi[0] - 1) < 1e-4


def test_poisson_interval_switches_to_byar_at_100_events():
    x = np.array([99.0, 100.0])
    n = np.array([2000.0, 2000.0])
    lo, hi = poisson_interval(x, n)
    e_lo, e_hi = poisson_exact(x, n)
    b_lo, b_hi = byar(x, n)
    assert lo[0] == e_lo[0] and hi[0] == e_hi[0]
    assert lo[1] == b_lo[1] and hi[1] == b_hi[1] and lo[1] != e_lo[1]
