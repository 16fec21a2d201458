"""The model as a Mesa user meets it: built with no arguments, parameters by keyword, and
Mesa's own DataCollector attached."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

import sim
from sim.errors import SimInputError
from sim.model.model import AIEconomyModel


def test_no_arguments_is_the_default_scenario():
    model = AIEconomyModel()
    assert model.n_scenarios == 1 and model.configs[0] == sim.SimConfig()
    model.run()
    assert not model.running
    reference = sim.run(sim.SimConfig()).sim
    np.testing.assert_array_equal(model.recorder.aggregates["unemployment_rate"],
                                  reference.aggregates["unemployment_rate"])
    with pytest.raises(RuntimeError, match="run has ended"):
        model.step()


def test_keyword_parameters_by_section_scenario_and_seed():
    model = AIEconomyModel(seed=3, scenario="slow_adoption", market={"adoption_lag_years": 8.0})
    expected = sim.load_config(scenario="slow_adoption", seed=3,
                               overrides=["market.adoption_lag_years=8"])
    assert model.configs[0] == expected
    with pytest.raises(SimInputError, match="market.adoption_lag_years"):
        AIEconomyModel(market={"adoption_lag_years": -1.0})
    with pytest.raises(TypeError, match="not both"):
        AIEconomyModel(sim.SimConfig(), seed=1)


def test_mesa_datacollector_collects_model_reporters():
    model = AIEconomyModel(time={"end_year": 2024})
    collector = mesa.DataCollector(model_reporters={
        "unemployment_rate": lambda m: float((m.workers.unemployed + m.workers.retraining).sum()
                                             / m.workers.labour_force_0[0, 0]),
        "us_output_usd_per_yr": lambda m: float(m.economy.output[0, 0]),
    })
    for _ in range(12):
        model.step()
        collector.collect(model)
    frame = collector.get_model_vars_dataframe()
    assert len(frame) == 12
    recorded = model.recorder.aggregates
    np.testing.assert_array_equal(frame["us_output_usd_per_yr"],
                                  recorded["us_output_usd_per_yr"][:12, 0])
    np.testing.assert_allclose(frame["unemployment_rate"], recorded["unemployment_rate"][:12, 0],
                               rtol=1e-12)
