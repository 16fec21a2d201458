"""The compiled task-market step on small hand-worked cases."""

import numpy as np
import pytest

from sim.model.mechanisms import market


def test_factored_logistic_matches_the_logistic_and_flags_overflow():
    rng = np.random.default_rng(3)
    capability, theta = rng.uniform(22, 45, 4), rng.uniform(20, 40, 50)
    lab_f, task_f = np.empty(4), np.empty(50)
    assert market.feasibility_factors(capability, theta, 0.3, lab_f, task_f)
    got = 1.0 / (1.0 + lab_f[:, None] * task_f[None, :])
    want = [[market.soft_feasibility(c, t, 0.3) for t in theta] for c in capability]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    # exponents past +-300 would be clipped: the kernel must fall back to the plain logistic
    assert not market.feasibility_factors(capability, theta, 0.004, lab_f, task_f)


def _case(supply_lab1=1e9):
    """Two labs, three task bins in two occupations, one scenario (see the test for values)."""
    one = np.ones((1, 3))
    return dict(
        capability=np.array([[30.0, 30.0]]), oversight=np.array([[0.1, 0.2]]),
        cost=np.array([[5.0, 1.0]]), share=np.array([[0.5, 0.25]]),
        supply=np.array([[1e9, supply_lab1]]),
        theta0=np.array([[20.0, 20.0, 20.0]]), experience=np.zeros((1, 3)),
        adoption=0.1 * one, physical_threshold=one.copy(), cap=one.copy(),
        oversight_multiplier=one.copy(), wage_bill_weight=np.array([[1.0, 1.0, 2.0]]),
        physical=np.zeros(3, bool), occ=np.array([0, 0, 1]),
        hours_share=np.array([0.5, 0.5, 1.0]), softness=np.array([0.3]),
        learning=np.array([[0.2, 1e8, 1.0]]), robotics_index=np.zeros(1),
        lag_years=np.array([6.0]), world=np.array([2.0]), dt_years=1 / 12,
        wage=np.array([[50.0, 1.0]]), demand_bin=np.array([[500.0, 500.0, 500.0]]),
        aug_theta=np.full((1, 3), 1e3), aug_adoption=np.zeros((1, 3)),
        augmentation=np.array([[0.5, 0.1]]))


def test_lab_choice_price_adoption_and_sums():
    case = _case()
    by_occ, by_lab, shares, automated_share, by_bin = market.clear_scenarios(**case)
    sums = dict(zip(market.OCCUPATION_SUMS, by_occ[:, 0], strict=True))
    # occupation 0 (wage 50): lab 1 leaves customers more, (40 - 1) x 0.75 > (45 - 5) x 0.5;
    # occupation 1 (wage 1): neither lab beats the wage, a tie, so lab 0 and no adoption target
    a = market.adopt(0.1, 1.0, 1 / 12, 6.0)
    np.testing.assert_allclose(case["adoption"][0], [a, a, market.adopt(0.1, 0.0, 1 / 12, 6.0)])
    price = 1.0 + 0.25 * (40.0 - 1.0)
    served = np.array([a, a, case["adoption"][0, 2]]) * 500.0 * 2.0
    np.testing.assert_allclose(by_lab[1, 0], [served[2], served[0] + served[1]])
    np.testing.assert_allclose(by_lab[0, 0], [served[2] * 5.0, (served[0] + served[1]) * price])
    np.testing.assert_allclose(case["experience"][0], served / 12)
    np.testing.assert_allclose(sums["automated"], [(served[0] + served[1]) / 2, served[2] / 2])
    np.testing.assert_allclose(sums["automated"] + sums["human"], [1000.0, 500.0])
    np.testing.assert_allclose(sums["oversight"][0], 0.2 * sums["automated"][0])
    np.testing.assert_allclose(automated_share[0], served / 2 / 500.0)
    np.testing.assert_allclose(sums["capable_hours_share"], [1.0, 1.0])  # 10 OOM above
    assert shares[0, 0] == pytest.approx(4.0) and shares[1, 0] == pytest.approx(
        (automated_share[0] * [1.0, 1.0, 2.0]).sum())
    assert shares[2, 0] == 0.0 and shares[3, 0] == 0.0  # no augmentation above 1e3
    # per bin, US: AI's hours, people's, overseers' and what customers paid
    bins = dict(zip(market.BIN_VALUES, by_bin[:, 0], strict=True))
    np.testing.assert_allclose(bins["automated"], served / 2)
    np.testing.assert_allclose(bins["automated"] + bins["human"], 500.0)
    np.testing.assert_allclose(bins["oversight"], [0.2 * served[0] / 2, 0.2 * served[1] / 2,
                                                   0.1 * served[2] / 2])
    np.testing.assert_allclose(bins["ai_payment"], served / 2 * [price, price, 5.0])


def test_augmentation_saves_time_and_earns_a_share_of_it():
    case = _case()
    case.update(theta0=np.full((1, 3), 60.0), adoption=np.zeros((1, 3)),
                aug_theta=np.array([[20.0, 20.0, 40.0]]), aug_adoption=np.full((1, 3), 0.1))
    by_occ, by_lab, shares, automated_share, _ = market.clear_scenarios(**case)
    sums = dict(zip(market.OCCUPATION_SUMS, by_occ[:, 0], strict=True))
    a = market.adopt(0.1, 1.0, 1 / 12, 6.0)     # bins 0, 1 augmentable (10 OOM above)
    b = market.adopt(0.1, 0.0, 1 / 12, 6.0)     # bin 2 is not (10 OOM below): falls back
    np.testing.assert_allclose(case["aug_adoption"][0], [a, a, b])
    assert (automated_share < 1e-40).all()  # 30 OOM short of the requirement
    saved = np.array([500 * 0.5 * a * 2, 500 * 0.5 * b])    # by occupation
    np.testing.assert_allclose(sums["augmented"], saved)
    np.testing.assert_allclose(sums["human"], [1000.0, 500.0] - saved)
    # customers keep 90% of the wage value of the time saved, labs earn 10% (world: x2),
    # all of it to the most capable lab (a tie: the first)
    np.testing.assert_allclose(sums["saving"], saved * [50.0, 1.0] * 0.9)
    assert by_lab[0, 0, 0] == pytest.approx((saved * [50.0, 1.0]).sum() * 0.1 * 2.0)
    assert by_lab[1, 0, 0] == pytest.approx(saved.sum() * 2.0) and by_lab[:, 0, 1].sum() < 1e-30
    np.testing.assert_allclose(sums["augmentable_hours_share"], [1.0, 0.0], atol=1e-12)
    assert shares[2, 0] == pytest.approx(2.0) and shares[3, 0] == pytest.approx(
        a + a + 2 * b)


def test_a_short_lab_serves_the_highest_surplus_first():
    case = _case(supply_lab1=150.0)
    _, by_lab, _, automated_share, _ = market.clear_scenarios(**case)
    want = case["adoption"][0, 0] * 1000.0
    assert 100.0 < want < 150.0
    assert by_lab[1, 0, 1] == pytest.approx(150.0)
    # equal surplus: the lower task index is served in full first
    np.testing.assert_allclose(automated_share[0, :2] * 500.0 * 2.0, [want, 150.0 - want])


def test_a_scenario_is_cleared_the_same_alone_or_beside_another():
    alone, pair = _case(150.0), _case(150.0)
    other = _case()
    for name, x in pair.items():
        if isinstance(x, np.ndarray) and x.ndim == 2:
            y = other[name] * (1.3 if name in ("capability", "wage", "demand_bin") else 1.0)
            pair[name] = np.concatenate([x, y])
        elif name in ("softness", "robotics_index", "lag_years", "world"):
            pair[name] = np.concatenate([x, x * 0.9])
    one, two = market.clear_scenarios(**alone), market.clear_scenarios(**pair)
    scenario_axis = (1, 1, 1, 0, 1)  # by occupation, by lab, shares, automated share, by bin
    for a, b, axis in zip(one, two, scenario_axis, strict=True):
        np.testing.assert_array_equal(a, np.take(b, [0], axis=axis))
    np.testing.assert_array_equal(alone["adoption"], pair["adoption"][:1])


def test_compiled_code_calls_only_compiled_code_of_its_own_file():
    # numba's disk cache is invalidated only by edits to the defining file: a compiled caller
    # elsewhere would keep a stale copy of an edited helper (see sim/model/mechanisms/market.py).
    # So the files with compiled code are known, and none imports another's; the one shared
    # file, vector_math, is named by its hash in each caller, so editing it means editing them.
    import hashlib
    from pathlib import Path

    import sim
    root = Path(sim.__file__).parent
    users = {p.relative_to(root).as_posix() for p in root.rglob("*.py")
             if "from numba" in p.read_text() or "import numba" in p.read_text()}
    compiled = {"model/mechanisms/market.py", "model/mechanisms/production.py"}
    shared = "model/vector_math.py"
    assert users == compiled | {shared}
    digest = hashlib.sha256((root / shared).read_bytes()).hexdigest()
    for name in compiled:
        text = (root / name).read_text()
        others = [c for c in compiled if c != name]
        for other in others:
            module = "sim." + other.removesuffix(".py").replace("/", ".")
            assert f"from {module} import" not in text and f"import {module}" not in text
        assert f"# vector_math sha256: {digest}" in text, (
            f"sim/{shared} changed: put its new hash in sim/{name}'s '# vector_math sha256:' "
            "line, so numba compiles that file's kernels anew")


def test_customers_of_a_sold_out_lab_go_to_the_next_best():
    """Lab 1 is the better deal but sells out on the first bin; the second bin's customers
    then buy from lab 0 instead of queueing for lab 1."""
    case = _case(supply_lab1=10.0)
    case["adoption"][:] = 1.0
    _, by_lab, _, automated_share, by_bin = market.clear_scenarios(**case)
    bins = dict(zip(market.BIN_VALUES, by_bin[:, 0], strict=True))
    assert by_lab[1, 0, 1] == pytest.approx(10.0)  # lab 1 sells all it has
    assert by_lab[1, 0, 0] > 500.0  # lab 0 serves the second bin
    assert bins["ai_payment"][1] == pytest.approx(bins["automated"][1] * (5.0 + 0.5 * 40.0))
