"""Acceptance 3: Steinhardt's copy arithmetic [000] (rows marked V) from the model's own
functions. Figures the article states precisely are matched within 2%; two figures the
article rounds (14,000) or slips on (2,500) are checked against the exact identity and the
article's number with the rounding stated."""

import json

import numpy as np
import pytest

from sim.cli import main
from sim.model.mechanisms import copies as cp

GPT3_FLOP, GPT3_PARAMS = 3.14e23, 175e9


def test_human_token_rate():
    assert cp.human_tokens_per_s() == pytest.approx(8.42, rel=0.01)  # ~8.4 tokens/s
    assert cp.human_tokens_per_s() * 60 == pytest.approx(505, rel=0.01)  # ~505 tokens/min


def test_gpt3_training_compute_buys_3400_years():
    assert cp.tokens_from_flop(GPT3_FLOP, GPT3_PARAMS) == pytest.approx(9e11, rel=0.02)
    assert cp.human_years_from_flop(GPT3_FLOP, GPT3_PARAMS) == pytest.approx(3400, rel=0.02)


def test_3400_copies_at_5x_take_2_4_months():
    years = cp.human_years_from_flop(GPT3_FLOP, GPT3_PARAMS)
    months = 12 * cp.years_to_do(years, copies=years, speed=5.0)
    assert months == pytest.approx(2.4, rel=0.02)


def test_gpt2030_copies():
    # 1.8M years of work at 5x: 1.8M copies do it in 2.4 months.
    assert 12 * cp.years_to_do(1.8e6, 1.8e6, 5.0) == pytest.approx(2.4, rel=0.02)
    # A 1.2-year run's GPUs run ~1.5M copies at human speed continuously.
    assert 1.8e6 / 1.2 == pytest.approx(1.5e6, rel=0.02)


def test_k_rule_125x():
    fast_copies, fast_speed = cp.trade_speed(1.8e6, 5.0, 5.0)
    assert fast_speed == pytest.approx(125.0)
    assert fast_copies == pytest.approx(1.8e6 / 125)  # exact identity: 14,400
    assert fast_copies == pytest.approx(14000, rel=0.03)  # the article rounds to 14,000
    assert cp.DAYS_PER_YEAR / fast_speed == pytest.approx(3.0, rel=0.03)  # "in ~3 days"
    # throughput falls by exactly k
    assert fast_copies * fast_speed == pytest.approx(1.8e6 * 5.0 / 5.0)


def test_parallel_learning():
    # 1M copies at human speed: 1M days of experience per day = 2,738 years (the article
    # writes "1M days = 2,500 years", an arithmetic slip we do not copy).
    assert cp.experience_years_per_day(1e6) == pytest.approx(1e6 / 365.25)
    assert cp.experience_years_per_day(1e6) == pytest.approx(2500, rel=0.10)
    # 1M hours = 114 years
    assert 1e6 / 8766 == pytest.approx(114, rel=0.02)


def test_fleet_functions_agree_with_the_arithmetic():
    # A fleet given GPT-3's training compute spread over a year gets 3,400 copies at 1x.
    flop_per_s = GPT3_FLOP / (365.25 * 86400)
    copies_1x = cp.copies_at_human_speed(flop_per_s, cp.flop_per_token(GPT3_PARAMS))
    assert copies_1x == pytest.approx(3400, rel=0.02)
    copies, speed = cp.copies_at_speed(copies_1x, 5.0, 5.0)
    assert copies * speed == pytest.approx(copies_1x / 5.0)
    workers = cp.human_equivalent_workers(copies_1x, 1.0)
    assert workers == pytest.approx(copies_1x * 8766 / 2000)


def test_cli_copies_gpt3(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["copies", "--train-flop", "3.14e23", "--params", "175e9", "--json"])
    assert exit_.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["human_years_continuous"] == pytest.approx(3400, rel=0.02)
    assert out["months_for_same_copies_at_speed"] == pytest.approx(2.4, rel=0.02)
    assert out["traded_speed"] == pytest.approx(125)
    assert np.isfinite(out["traded_copies"])
