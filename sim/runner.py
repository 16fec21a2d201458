"""Run one scenario or a batch of scenarios in lock-step and return their results."""

from __future__ import annotations

from collections.abc import Sequence

from tqdm.auto import tqdm

from sim.config import SimConfig
from sim.errors import OccupationTableError, Problem
from sim.model import AIEconomyModel
from sim.occupations import OccupationTable, load_builtin, load_research_profile
from sim.params import stack_configs
from sim.results import Results


def _bins(config: SimConfig) -> dict[str, int]:
    r = config.tasks
    return {"e0": r.bins.e0, "e1": r.bins.e1, "e2": r.bins.e2}


def load_occupations(config: SimConfig) -> OccupationTable:
    """The occupation table a config asks for (the detailed one is cached per folder)."""
    if config.occupations.source == "builtin":
        return load_builtin(_bins(config))
    if config.occupations.source == "detailed":
        return _detailed(config)[0]
    raise OccupationTableError("config", [Problem("occupations.source",
                                                  config.occupations.source,
                                                  "allowed: 'builtin' or 'detailed'")])


def _detailed(config: SimConfig) -> tuple[OccupationTable, dict]:
    """The detailed table and its join report (cached per folder)."""
    from sim.data.detailed import load_detailed

    return load_detailed(config.occupations.data_dir, _bins(config))


def resolve_data_dir(config: SimConfig) -> SimConfig:
    """The config with the detailed data folder written out, so a result folder's config.yaml
    reruns without the environment variable that may have named it; with no folder given
    (the table shipped with the package) ``data_dir`` stays None.
    """
    if config.occupations.source != "detailed":
        return config
    from sim.data.detailed import find_data_dir

    folder = find_data_dir(config.occupations.data_dir)
    if folder is None:
        return config
    return config.model_copy(update={"occupations": config.occupations.model_copy(
        update={"data_dir": str(folder)})})


def build_model(configs: Sequence[SimConfig], record_occupations: bool = True,
                table: OccupationTable | None = None, record_aggregates=None
                ) -> AIEconomyModel:
    """A model stepping ``configs`` (structurally identical) in lock-step; it records the
    aggregates named in ``record_aggregates`` (default: all) and the milestones' inputs.
    """
    first = configs[0]
    params = stack_configs(list(configs))
    table = table or load_occupations(first)
    return AIEconomyModel(
        params, table, load_research_profile(_bins(first)), [c.seed for c in configs],
        start_year=first.time.start_year, steps_per_year=first.time.steps_per_year,
        n_steps=first.time.n_steps, record_occupations=record_occupations,
        record_aggregates=record_aggregates)


def run_batch(configs: Sequence[SimConfig], *, progress: bool = False,
              record_occupations: bool = True, table: OccupationTable | None = None,
              record_aggregates=None) -> Results:
    """Run structurally identical scenarios in one model; results per scenario.

    A scenario's results are identical whether it runs alone or in any batch.
    """
    configs = [resolve_data_dir(c) for c in configs]
    model = build_model(configs, record_occupations, table, record_aggregates)
    with tqdm(total=model.n_steps, disable=not progress,
                                          unit="month", desc="simulating") as bar:
        model.run(progress=bar)
    results = Results.from_model(model, list(configs))
    if table is None and configs[0].occupations.source == "detailed":
        results.join_report = _detailed(configs[0])[1]  # kept with the results it explains
    return results


def run(config: SimConfig | None = None, *, progress: bool = False,
        record_occupations: bool = True) -> Results:
    """Run one scenario (the built-in default if ``config`` is None)."""
    return run_batch([config or SimConfig()], progress=progress,
                     record_occupations=record_occupations)
