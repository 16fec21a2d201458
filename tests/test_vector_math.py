"""The kernels' exp and log: within 1 ulp of the C library, its special values, and the same
bits for an element in a SIMD lane as alone (so no scenario's numbers depend on the batch)."""

import math

import numpy as np
import pytest
from numba import njit

from sim.model import vector_math


@njit(error_model="numpy")
def _exp_each(x, out):
    for i in range(x.size):
        out[i] = vector_math.exp(x[i])


@njit(error_model="numpy")
def _log_each(x, out):
    for i in range(x.size):
        out[i] = vector_math.log(x[i])


@njit(error_model="numpy")
def _power_each(x, y, out):
    for i in range(x.size):
        out[i] = vector_math.power(x[i], y[i])


def _apply(each, x):
    out = np.empty_like(x)
    each(x, out)
    return out


def _ulps(a, b):
    return np.abs(a.view(np.int64) - b.view(np.int64))


RNG = np.random.default_rng(11)
EXP_ARGS = np.concatenate([RNG.uniform(-745.0, 709.7, 100_000), RNG.uniform(-3, 3, 100_000),
                           RNG.uniform(-1e-9, 1e-9, 1_000)])
LOG_ARGS = np.concatenate([np.exp(RNG.uniform(-700, 700, 100_000)),
                           RNG.uniform(0.5, 2.0, 100_000), 1.0 + RNG.uniform(-1e-9, 1e-9, 1_000),
                           RNG.uniform(0.0, 2.2e-308, 1_000)])  # subnormals too


@pytest.mark.parametrize(("each", "args", "reference"), [(_exp_each, EXP_ARGS, np.exp),
                                                         (_log_each, LOG_ARGS, np.log)])
def test_within_one_ulp_of_the_c_library(each, args, reference):
    want = np.array([getattr(math, reference.__name__)(x) for x in args])
    assert _ulps(_apply(each, args), want).max() <= 1


def test_special_values():
    x = np.array([-np.inf, -1000.0, -745.2, 0.0, 709.7, 709.8, 1000.0, np.inf, np.nan])
    got = _apply(_exp_each, x)
    np.testing.assert_array_equal(got[:4], [0.0, 0.0, 0.0, 1.0])
    assert got[4] == math.exp(709.7) and np.isposinf(got[5:8]).all() and np.isnan(got[8])
    y = np.array([0.0, -0.0, -1.0, np.nan, np.inf, 1.0, 5e-324])
    got = _apply(_log_each, y)
    assert np.isneginf(got[:2]).all() and np.isnan(got[2:4]).all() and np.isposinf(got[4])
    assert got[5] == 0.0 and got[6] == math.log(5e-324)


@pytest.mark.parametrize(("each", "args"), [(_exp_each, EXP_ARGS), (_log_each, LOG_ARGS)])
def test_an_element_gets_the_same_bits_in_a_simd_lane_as_alone(each, args):
    together = _apply(each, args[:10_007])   # most in vector lanes, a few in the remainder
    for i in RNG.integers(0, 10_007, 300):
        assert _apply(each, args[i:i + 1])[0] == together[i]


def test_power_is_close_to_pow_and_keeps_its_limits():
    # the kernels' powers: task prices (~1e-3 to 1e4) to -sigma, shares of a bin (0, 1] to e < 0
    x = np.concatenate([10.0 ** RNG.uniform(-3, 4, 50_000), RNG.uniform(1e-5, 1.0, 50_000)])
    y = -RNG.uniform(0.01, 5.0, x.size)
    got = np.empty_like(x)
    _power_each(x, y, got)
    np.testing.assert_allclose(got, x ** y, rtol=1e-13)
    edge = np.empty(3)
    _power_each(np.array([0.0, 1.0, 0.0]), np.array([-0.5, -3.0, 2.0]), edge)
    np.testing.assert_array_equal(edge, [np.inf, 1.0, 0.0])

