"""GPU hardware: chip generations, price-performance, scarcity pricing, depreciation, power."""

from __future__ import annotations

import numpy as np


def generations_released(t_year, first_generation_year, interval_years):
    """Chip generations released after the starting one by calendar time ``t_year``."""
    return np.maximum(0.0, np.floor((t_year - first_generation_year) / interval_years) + 1.0)


def chip_flop_per_s(initial_flop_per_s, gain_per_generation, generations):
    """Peak FLOP/s of the newest chip: 2-3x per generation [003]."""
    return initial_flop_per_s * gain_per_generation**generations


def chip_cost_usd(initial_cost_usd, gain_per_generation, generations, log10_price_performance):
    """Unit cost of the newest chip: its FLOP/s (``gain`` per generation) at the FLOP/s per
    USD reached when it came out (``log10_price_performance`` OOM above the first chip's).
    """
    return initial_cost_usd * gain_per_generation**generations / 10.0**log10_price_performance


def scarcity_price(list_price_usd, orders_usd, capacity_chips):
    """Clearing price: the list price, or higher when dollars ordered exceed what capacity buys.

    At ``orders_usd / capacity_chips`` the dollars ordered buy exactly the capacity.
    """
    return np.maximum(list_price_usd, orders_usd / np.maximum(capacity_chips, 1e-300))


def depreciation_factor(dt_years, life_years):
    """Share of installed compute left after ``dt_years`` of exponential depreciation."""
    return np.exp(-dt_years / life_years)


def power_cap_w(t_years_since_start, initial_gw, growth_per_yr, max_gw):
    """Power (W) available to AI data centres."""
    return 1e9 * np.minimum(initial_gw * np.exp(growth_per_yr * t_years_since_start), max_gw)

