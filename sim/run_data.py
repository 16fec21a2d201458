"""One run's tables, read back from a result folder (or taken from an in-memory run), in the
shape the report's figures need: per-step aggregates and per-occupation (T, O) arrays.

The report and compare work from saved folders so that any past run can be re-read without
re-running it; :meth:`RunData.from_results` gives the same object for a run made in memory.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import Problem, SimInputError

#: Tables a result folder must hold (as ``.parquet`` or ``.csv``) for a report.
REQUIRED_TABLES = ("aggregates", "occupations", "occupation_info", "milestones")
ALLOWED_FOLDER = "allowed: a result folder written by `sim run` (with manifest.json and tables)"
_STR_COLUMNS = {"occupation": str, "soc_major": str, "title": str, "soc_major_title": str}


@dataclass
class RunData:
    """Scenario 0 of one run: aggregates, occupations (long form), occupation facts."""

    label: str  #: short name shown in legends and tables
    source: str  #: where it came from (folder path, or "scenario NAME, run in memory")
    aggregates: pd.DataFrame  #: one row per step
    occupations: pd.DataFrame  #: one row per step and occupation
    info: pd.DataFrame  #: one row per occupation, in model order
    milestones: dict[str, float]  #: name -> year (NaN if not reached)
    identity: dict = field(default_factory=dict)  #: scenario, seed, version, created, command
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def times(self) -> np.ndarray:
        """Decimal year at the start of each step (T,)."""
        return self.aggregates["year"].to_numpy(float)

    @property
    def codes(self) -> list[str]:
        """Occupation codes in model order (O,)."""
        return self.info["occupation"].astype(str).tolist()

    def series(self, name: str) -> np.ndarray:
        """A per-occupation series as a (T, O) array, columns in :attr:`codes` order."""
        if name not in self._cache:
            wide = self.occupations.pivot(index="step", columns="occupation", values=name)
            self._cache[name] = wide.reindex(columns=self.codes).to_numpy(float)
        return self._cache[name]

    def agg(self, name: str) -> np.ndarray:
        """An aggregate series (T,)."""
        return self.aggregates[name].to_numpy(float)

    def step_of_year(self, year: float) -> int:
        """Index of the last step in ``year`` (or the last step run)."""
        idx = int(np.searchsorted(self.times, year + 1.0 - 1e-9)) - 1
        return int(np.clip(idx, 0, len(self.times) - 1))

    @property
    def end_year(self) -> int:
        """Calendar year of the last step."""
        return int(np.floor(self.times[-1] + 1e-9))

    @classmethod
    def from_results(cls, results, label: str, source: str, scenario: str = "") -> RunData:
        """The same view of an in-memory :class:`sim.results.Results` (scenario 0). Without
        recorded occupations only the aggregate figures can be drawn. ``scenario`` empty: the
        name is not known here (the folder's config.yaml says what ran).
        """
        from sim import __version__

        res = results.scenario(0) if results.n_scenarios > 1 else results
        ms = res.milestones_frame()
        info = (res.occupation_info.copy() if res.occupation_info is not None
                else pd.DataFrame(columns=["occupation", "title", "soc_major"]))
        return cls(label=label, source=source, aggregates=res.aggregates_frame(),
                   occupations=res.occupations_frame(), info=info,
                   milestones=dict(zip(ms["milestone"], ms["year"].astype(float), strict=True)),
                   identity={"scenario": scenario, "seed": res.configs[0].seed,
                             "version": __version__, "created_utc": "", "command": ""})


def _read_table(folder: Path, stem: str, arg: str) -> pd.DataFrame:
    for suffix in (".parquet", ".csv"):
        path = folder / f"{stem}{suffix}"
        if path.is_file():
            try:
                if suffix == ".parquet":
                    return pd.read_parquet(path)
                return pd.read_csv(path, dtype=_STR_COLUMNS)
            except (OSError, ValueError) as exc:  # pyarrow and pandas errors derive from these
                raise SimInputError(arg, [Problem(arg, str(path), f"unreadable table ("
                                                  f"{str(exc)[:60]}); {ALLOWED_FOLDER}")]
                                    ) from None
    raise SimInputError(arg, [Problem(arg, str(folder), f"no {stem}.parquet or {stem}.csv; "
                                      f"{ALLOWED_FOLDER}")])


def scenario_of(command: str) -> str:
    """The scenario a ``sim run`` command line ran: ``--scenario NAME``, a config file, or the
    built-in default.
    """
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    for i, w in enumerate(words):
        if w == "--scenario" and i + 1 < len(words):
            return words[i + 1]
        if w.startswith("--scenario="):
            return w.split("=", 1)[1]
    if len(words) > 2 and words[:2] == ["sim", "run"] and not words[2].startswith("-"):
        return Path(words[2]).stem
    return "default"


def load_run(folder: Path | str, arg: str = "RUN_DIR", label: str | None = None) -> RunData:
    """Read a result folder; bad input raises :class:`SimInputError` naming ``arg``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SimInputError(arg, [Problem(arg, str(folder), f"not a folder; {ALLOWED_FOLDER}")])
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        raise SimInputError(arg, [Problem(arg, str(folder), "no readable manifest.json (an "
                                          f"incomplete or foreign folder); {ALLOWED_FOLDER}")]
                            ) from None
    tables = {stem: _read_table(folder, stem, arg) for stem in REQUIRED_TABLES}
    agg = tables["aggregates"]
    occ = tables["occupations"]
    if "scenario" in agg:
        agg = agg[agg["scenario"] == 0]
    if "scenario" in occ:
        occ = occ[occ["scenario"] == 0]
    ms = tables["milestones"]
    if "scenario" in ms:
        ms = ms[ms["scenario"] == 0]
    if agg.empty or occ.empty or tables["occupation_info"].empty:
        raise SimInputError(arg, [Problem(arg, str(folder), "empty aggregates, occupations or "
                                          f"occupation_info table; {ALLOWED_FOLDER}")])
    info = tables["occupation_info"].copy()
    info["occupation"] = info["occupation"].astype(str)
    occ = occ.assign(occupation=occ["occupation"].astype(str))
    command = str(manifest.get("command", ""))
    identity = {"scenario": scenario_of(command), "seed": manifest.get("seed"),
                "version": manifest.get("version", "?"),
                "created_utc": manifest.get("created_utc", ""), "command": command}
    return RunData(label=label or folder.name, source=str(folder),
                   aggregates=agg.reset_index(drop=True), occupations=occ.reset_index(drop=True),
                   info=info, milestones=dict(zip(ms["milestone"], ms["year"].astype(float),
                                                  strict=True)), identity=identity)
