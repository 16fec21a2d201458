"""Run one scenario or a batch of scenarios in lock-step and return their record
(:mod:`sim.outputs.record`: an ``xarray.Dataset``; ``record.sim`` gives numpy and pandas views).
"""

from __future__ import annotations

from collections.abc import Sequence

from tqdm.auto import tqdm

from sim.config.schema import SimConfig
from sim.data.occupations import OccupationTable, detailed_with_report
from sim.model.model import AIEconomyModel


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
    return AIEconomyModel(*configs, table=table, record_occupations=record_occupations,
                          record_aggregates=record_aggregates)


def run_batch(configs: Sequence[SimConfig], *, progress: bool = False,
              record_occupations: bool = True, table: OccupationTable | None = None,
              record_aggregates=None, names: Sequence[str] | None = None):
    """Run structurally identical scenarios in one model; returns their record, an
    ``xarray.Dataset`` with a ``scenario`` dimension (``record.sim``: :class:`sim.outputs.results.
    Results`).

    A scenario's results are identical whether it runs alone or in any batch. ``names``:
    each scenario's name, kept in the record (``name`` beside ``scenario``) and its tables.
    """
    from sim.outputs import record

    configs = [resolve_data_dir(c) for c in configs]
    model = build_model(configs, record_occupations, table, record_aggregates)
    with tqdm(total=model.n_steps, disable=not progress, unit="month",
              desc="simulating") as bar:
        model.run(progress=bar)
    join_report = (detailed_with_report(configs[0])[1]  # kept with the results it explains
                   if table is None and configs[0].occupations.source == "detailed" else None)
    return record.from_model(model, list(configs), join_report, names)


def run(config: SimConfig | None = None, *, progress: bool = False,
        record_occupations: bool = True, name: str | None = None):
    """Run one scenario (the built-in default if ``config`` is None); returns its record
    (see :func:`run_batch`). ``name``: what to call it (default: "default" for the built-in
    default, else unnamed).
    """
    if name is None:
        name = "default" if config is None else ""
    return run_batch([config or SimConfig()], progress=progress,
                     record_occupations=record_occupations, names=[name])
