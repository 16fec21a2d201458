"""Peer presets: Davidson's compute-centric takeoff model (Epoch AI's "FTM") mapped onto this
model's parameters, written as scenario overlays ``configs/scenarios/ftm_*.yaml``.

The mapping is code, not prose, so each overlay is a fresh build from the peer's published
playground inputs (``../shared/peers/ftm_preset_inputs.json``; ``python -m sim.config.peers --data
FOLDER`` rewrites the overlays and a test checks they equal a fresh build). What cannot be mapped
is listed in :data:`NOT_MAPPED` and in the README.

The FTM is an economy-wide model: world output, a wake-up of spending, software and hardware
research with returns, tasks with compute requirements. This model has labs, vendors, fleets
and US occupations; the mapping keeps the peer's requirements, returns, ceilings, research
substitution and spending path, and switches off what the FTM does not have (unhobbling
counted apart from software, a robotics gate on physical work, parallel learning, a cap on
experiment-bound work, the revenue flywheel).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import yaml

from sim.config.loading import REPO_CONFIGS, load_config

PRESETS = {"ftm_best_guess": "best_guess_parameters", "ftm_aggressive": "aggressive_parameters",
           "ftm_conservative": "conservative_parameters"}
INPUTS_FILE = "ftm_preset_inputs.json"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "peers"
LN_10 = math.log(10.0)
#: The FTM's growth of world output apart from AI (labour and TFP growth, 1% each, and capital).
FTM_BASE_GROWTH = 0.03

#: This model's values that stand for the FTM's absences (the same in every preset).
FIXED = [
    ("algorithms.max_unhobbling_oom", 0.0, "the FTM's software level holds every algorithmic "
     "gain; no unhobbling counted apart"),
    ("tasks.physical_low", 0.0, "the FTM's tasks have no robotics gate"),
    ("tasks.physical_high", 0.0, "(with the coupling below, physical work is never gated)"),
    ("robotics.capability_coupling", 5.0, "robotics follows capability at once"),
    ("tasks.experiment_cap", 1.0, "no cap on experiment-bound work"),
    ("learning.max_oom", 0.0, "no parallel learning lowers requirements"),
    ("capital.wakeup_revenue_usd_per_yr", math.inf, "the FTM wakes up on automation only"),
    ("capital.revenue_growth_sensitivity", 0.0, "spending follows its share of output, not "
     "lab revenue"),
    ("capital.revenue_reinvested_share", 0.0, "compute is bought out of output at the "
     "preset's share, not out of AI revenue"),
    ("capital.trend_output_growth_per_yr", FTM_BASE_GROWTH, "the output growth added to the "
     "share's growth above, so investment grows as the share times output"),
    ("algorithms.runtime_efficiency_share", 1.0, "the FTM divides run-time requirements by the "
     "software level too"),
    ("market.adoption_lag_years", 1.0, "the FTM moves a task to AI once AI is cheaper, with no "
     "diffusion lag (a year here)"),
    ("tasks.softness_oom", 0.05, "the FTM's requirements are sharp thresholds (steepness 0)"),
]

#: FTM inputs with no counterpart here, and why.
NOT_MAPPED = {
    "full_automation_requirements_runtime": "run-time compute per worker follows the deployed "
                                            "model's size and thinking (flop_per_s_per_ai_worker"
                                            " is reported beside it)",
    "flop_gap_runtime, goods_vs_rnd_requirements_runtime": "as above",
    "runtime_training_tradeoff*": "no trade of run-time for training compute",
    "frac_compute_training_*": "labs set their own training share (training.*)",
    "frac_*_rnd_* (shares of labour, capital, compute in R&D)": "research input is each lab's "
    "own staff and experiment compute; their growth is research.researcher_growth_per_yr",
    "initial_*_share_goods, initial_capital_growth, initial_gwp": "the economy starts from "
    "US 2023 data (economy.*), world output in step with it",
    "labour_growth, initial_population": "the labour force is the US one, constant",
    "capital_substitution_rnd": "research uses no capital here",
    "hardware_delay, initial_hardware_production, ratio_hardware_to_initial_hardware_production":
        "chips come from vendors with their own capacity and lead times",
    "money_cap_training_before_wakeup, training_requirements_steepness, "
    "runtime_requirements_steepness": "no counterpart",
}


#: Inputs taken over one to one: (this model's key, the FTM's input, how its value converts).
DIRECT = [
    ("tasks.automation.requirement_100pct_oom", "full_automation_requirements_training", "log10"),
    ("tasks.automation.flop_gap_oom", "flop_gap_training", "log10"),
    ("tasks.automation.research_easier_oom", "goods_vs_rnd_requirements_training", "log10"),
    ("algorithms.software_returns", "software_returns", "same"),
    ("algorithms.max_efficiency_oom", "software_ceiling", "log10"),
    ("hardware.hardware_returns", "hardware_returns", "same"),
    ("hardware.depreciation_life_years", "compute_depreciation", "1/x"),
    ("research.parallel_exponent", "rnd_parallelization_penalty", "same"),
    ("research.task_substitution_rho", "labour_substitution_rnd", "same"),
    ("research.ces_rho", "research_experiments_substitution_software", "same"),
    ("research.labour_share", "initial_experiment_share_software_rnd", "1-x"),
    ("capital.max_ai_spend_share_of_gdp", "frac_gwp_compute_ceiling", "same"),
    ("capital.wakeup_automated_share", "rampup_trigger", "same"),
    ("economy.task_substitution_rho", "labour_substitution_goods", "same"),
    ("economy.capital_substitution_rho", "capital_substitution_goods", "same"),
    ("economy.tfp_growth_per_yr", "tfp_growth", "same"),
]
_CONVERT = {"same": lambda x: x, "log10": math.log10, "1/x": lambda x: 1.0 / x,
            "1-x": lambda x: 1.0 - x}


def mapping(ftm: dict) -> list[tuple[str, float, str]]:
    """Parameter values for one FTM preset: (dotted key, value, source)."""
    out = [(key, round(_CONVERT[how](ftm[name]), 4),
            f"{name} = {ftm[name]:g}" + ("" if how == "same" else f" ({how})"))
           for key, name, how in DIRECT]
    return out + [
        ("algorithms.base_efficiency_oom_per_yr",
         round(ftm["software_returns"] * ftm["ratio_initial_to_cumulative_input_software_rnd"]
               / LN_10, 4),
         "software_returns x ratio_initial_to_cumulative_input_software_rnd (the FTM's "
         "starting growth), in OOM/yr"),
        ("hardware.price_performance_oom_per_yr",
         round(ftm["hardware_returns"] * ftm["ratio_initial_to_cumulative_input_hardware_rnd"]
               / LN_10, 4),
         "hardware_returns x ratio_initial_to_cumulative_input_hardware_rnd, in OOM/yr"),
        ("hardware.max_price_performance_oom",
         round(math.log10(ftm["hardware_performance_ceiling"]
                          / ftm["initial_buyable_hardware_performance"]), 4),
         "hardware_performance_ceiling / initial_buyable_hardware_performance"),
        ("hardware.research_growth_per_yr",
         round(ftm["frac_labour_hardware_rnd_growth"] + FTM_BASE_GROWTH, 4),
         "frac_labour_hardware_rnd_growth + output growth (~3%/yr)"),
        ("research.researcher_growth_per_yr",
         round(ftm["frac_labour_software_rnd_growth"] + ftm["labour_growth"], 4),
         "frac_labour_software_rnd_growth + labour_growth"),
        ("capital.investor_growth_per_yr",
         round(ftm["frac_gwp_compute_growth"] + FTM_BASE_GROWTH, 4),
         "frac_gwp_compute_growth + output growth (~3%/yr)"),
        ("capital.wakeup_growth_per_yr",
         round(ftm["frac_gwp_compute_growth_rampup"] + FTM_BASE_GROWTH, 4),
         "frac_gwp_compute_growth_rampup + output growth"),
    ]


def overlay_text(name: str, ftm: dict) -> str:
    """The YAML overlay of one preset, every value with its source as a comment."""
    lines = [f"# Davidson's takeoff model, {name.removeprefix('ftm_').replace('_', ' ')} preset "
             "(Epoch AI's playground inputs), mapped onto this model.",
             "# Generated by `python -m sim.config.peers` from "
             "../shared/peers/ftm_preset_inputs.json; do not edit by hand.",
             "# What cannot be mapped: see sim/config/peers.py (NOT_MAPPED) and the README."]
    tree: dict = {}
    notes: dict[str, str] = {}
    for key, value, why in [*mapping(ftm), *FIXED]:
        node = tree
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
        notes[parts[-1] + ":" + key] = why
    lines += _yaml_lines(tree, notes, [])
    return "\n".join(lines) + "\n"


def _yaml_lines(tree: dict, notes: dict, path: list[str]) -> list[str]:
    out = []
    pad = "  " * len(path)
    for k, v in tree.items():
        if isinstance(v, dict):
            out.append(f"{pad}{k}:")
            out += _yaml_lines(v, notes, [*path, k])
        else:
            text = yaml.safe_dump(v).strip().removesuffix("...").strip()
            out.append(f"{pad}{k}: {text}  # {notes[k + ':' + '.'.join([*path, k])]}")
    return out


def read_inputs(data_dir: Path | str = DEFAULT_DATA_DIR) -> dict:
    """The peer's preset inputs, by preset name."""
    raw = json.loads((Path(data_dir) / INPUTS_FILE).read_text())
    return {name: raw[key] for name, key in PRESETS.items()}


def overlay_path(name: str) -> Path:
    """Where a preset's overlay lives."""
    return REPO_CONFIGS / "scenarios" / f"{name}.yaml"


def main(argv: list[str] | None = None) -> int:
    """Write the three overlays from the peer's inputs; each must load as a valid config."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="folder of the peer "
                        "records (default: ../shared/peers beside the checkout)")
    args = parser.parse_args(argv)
    for name, ftm in read_inputs(args.data).items():
        path = overlay_path(name)
        path.write_text(overlay_text(name, ftm))
        load_config(scenario=name)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
