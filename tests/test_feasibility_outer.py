"""The product form of the soft feasibility ramp matches the tanh form, row by row."""

import numpy as np

from sim.mechanisms.tasks import soft_feasibility, soft_feasibility_outer


def test_outer_matches_tanh_form_and_is_row_invariant():
    rng = np.random.default_rng(3)
    level = rng.uniform(22, 45, (6, 4))
    theta = rng.uniform(20, 40, (6, 50))
    s = np.array([[0.3], [0.05], [1.0], [0.004], [5.0], [0.3]])  # row 3 takes the tanh path
    got = soft_feasibility_outer(level, theta, s)
    want = soft_feasibility(level[:, :, None], theta[:, None, :], s[:, :, None])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    for rows in ([0], [3], [2, 5], [5, 3, 0]):
        np.testing.assert_array_equal(soft_feasibility_outer(level[rows], theta[rows], s[rows]),
                                      got[rows])
