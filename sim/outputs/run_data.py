"""One run's tables, read back from a result folder (or taken from an in-memory run), in the
shape the report's figures need: per-step aggregates and per-occupation (T, O) arrays.

The report and compare work from saved folders so that any past run can be re-read without
re-running it; :meth:`RunData.from_results` gives the same object for a run made in memory.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config.schema import SimConfig
from sim.errors import Problem, SimInputError
from sim.outputs.manifest import read_manifest, verify_files
from sim.outputs.results import year_end_step

#: Tables a result folder must hold (as ``.parquet`` or ``.csv``) for a report.
REQUIRED_TABLES = ("aggregates", "occupations", "occupation_info", "milestones")
ALLOWED_FOLDER = "allowed: a result folder written by `sim run` (with manifest.json and tables)"
ALLOWED_TABLE = "allowed: a Parquet or CSV table as `sim run` wrote it"
_STR_COLUMNS = {"occupation": str, "soc_major": str, "title": str, "soc_major_title": str,
                "name": str}

#: The columns the report reads, per table: "number" (finite), "number?" (NaN allowed: a
#: milestone not reached, a fact not known), "text". Every other numeric column of the
#: aggregates and occupations must be finite too: a run with NaN or inf is not a result.
_OCCUPATION_SERIES = ("employed", "unemployed", "retraining", "wage_usd_per_hour",
                      "automated_share", "capable_share", "augmentable_share", "displaced_total",
                      "reemployed_total")
#: The economy's columns the report reads (output, factor shares, the Gini of labour income and
#: the Acemoglu-Restrepo effects).
ECONOMY_COLUMNS = ("us_output_usd_per_yr", "labour_share", "ai_share",
                   "capital_income_usd_per_yr", "labour_income_gini", "ar_productivity",
                   "ar_displacement", "ar_reinstatement", "ar_other")
_AGGREGATES = ("unemployment_rate", "displaced_total", "unemployed", "retraining", "employed",
               "capable_share", "adopted_share", "augmentable_share", "augmented_share",
               "ai_human_equivalent_workers", "ai_workers_in_market", "rd_speedup",
               "ai_rd_multiplier", "software_growth_oom_per_yr", "hardware_growth_oom_per_yr",
               "research_automation_share", "mean_wage_usd_per_hour", *ECONOMY_COLUMNS)
#: Columns a folder written before augmentation, the AI R&D multiplier and the economy
#: (output, incomes, the wage-bill decomposition) were recorded lacks: such a folder is
#: refused with a hint to run it again (the current `sim run` writes them all).
NEWER_COLUMNS = frozenset({"augmentable_share", "augmented_share", "ai_rd_multiplier",
                           "software_growth_oom_per_yr", "hardware_growth_oom_per_yr",
                           *ECONOMY_COLUMNS})
COLUMNS = {
    "aggregates": {"step": "number", "year": "number", "date": "text",
                   **dict.fromkeys(_AGGREGATES, "number")},
    "occupations": {"step": "number", "occupation": "text",
                    **dict.fromkeys(_OCCUPATION_SERIES, "number")},
    "occupation_info": {"occupation": "text", "title": "text", "soc_major": "text",
                        "soc_major_title": "text", "employment_start": "number",
                        "wage_usd_per_hour_start": "number", "job_zone": "number?",
                        "exposure_score": "number?"},
    "milestones": {"milestone": "text", "year": "number?"},
}
ALL_FINITE = ("aggregates", "occupations")


# ----------------------------------------------------------------------------- chart series
# The lines every chart of the share of work and of AI R&D draws (the run's figures, the
# report and the dashboard), defined once. ``get(name)`` returns one recorded aggregate as a
# (T,) array: ``RunData.agg``, a column of ``Results.aggregates`` or a dashboard ``RunView``.


@dataclass(frozen=True)
class Line:
    """One line of a chart: its series key, legend label, short label, colour and style."""

    key: str
    label: str  #: legend of the report and run figures
    short: str  #: legend of the small dashboard charts
    color: str
    style: str  #: line style when one run is drawn
    compare_style: str = "-"  #: line style when runs are compared (one colour per run)


#: Shares of wage-weighted US work (fractions): augmentation green, automation blue; solid
#: what AI can do, dashed what is done. Augmented work is still done by people, faster.
WORK_SHARE_LINES = (
    Line("can_help", "AI can help: augment or automate", "AI can help", "C2", "-", ":"),
    Line("augmented", "done with AI's help (augmented)", "done with AI's help", "C2", "--",
         "-."),
    Line("can_automate", "AI can automate (end to end)", "AI can automate", "C0", "-", "-"),
    Line("automated", "automated (AI does it)", "automated by AI", "C0", "--", "--"),
)
#: The work-share lines drawn with an ensemble's band (the others, augmentation, as medians
#: only: four overlapping bands hide each other).
BANDED_SHARES = ("can_automate", "automated")
#: Levels of the share of work (%) every share chart marks with a grey line: the automation
#: milestones' levels.
SHARE_LEVELS = (20, 50, 95)


def work_shares(get: Callable[[str], np.ndarray]) -> dict[str, np.ndarray]:
    """The series of :data:`WORK_SHARE_LINES` (fractions of wage-weighted work, (T,) each):
    AI can help = it can augment (but not automate) + it can automate; augmented = work people
    do with AI's help (adopted); can automate = capability; automated = adopted.
    """
    return {"can_help": np.asarray(get("augmentable_share"), float)
            + np.asarray(get("capable_share"), float),
            "augmented": np.asarray(get("augmented_share"), float),
            "can_automate": np.asarray(get("capable_share"), float),
            "automated": np.asarray(get("adopted_share"), float)}


#: Rates of progress (OOM per year): software of the leading lab, hardware price-performance.
RD_RATE_LINES = (
    Line("software_growth_oom_per_yr", "software: algorithmic efficiency (leading lab)",
         "software", "C0", "-"),
    Line("hardware_growth_oom_per_yr", "hardware: chip FLOP/s per USD", "hardware", "C3", "--",
         "--"),
)


def rd_series(get: Callable[[str], np.ndarray]) -> dict[str, np.ndarray]:
    """The series of the AI R&D charts, (T,) each: ``ai_rd_multiplier`` (research input with
    AI over people alone, same compute; 1 = no help), the rates of :data:`RD_RATE_LINES`
    (OOM/yr), ``research_automation_share`` (fraction of AI-research work AI does) and
    ``software_base_rate`` (the 2023 base rate of software progress, OOM/yr: the software rate
    over ``rd_speedup``, constant).
    """
    out = {k: np.asarray(get(k), float) for k in
           ("ai_rd_multiplier", *(line.key for line in RD_RATE_LINES),
            "research_automation_share")}
    speedup = np.asarray(get("rd_speedup"), float)
    if speedup.ndim == 2:  # (T, N): every member of an ensemble, each with its own base rate
        columns = [rd_series(lambda k, j=j: np.asarray(get(k), float)[:, j])
                   ["software_base_rate"] for j in range(speedup.shape[1])]
        out["software_base_rate"] = np.stack(columns, axis=1)
        return out
    ok = np.flatnonzero(speedup > 0)
    base = (out["software_growth_oom_per_yr"][ok[0]] / speedup[ok[0]] if ok.size else np.nan)
    out["software_base_rate"] = np.full_like(speedup, base)
    return out


def growth_12m(times: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Growth over the past 12 months (fraction) at each step of ``values`` ((T,) or (T, N)):
    the value over the value a year before, less 1; NaN in the first year. At a year's last
    month it is that year's growth from year-end values, as in the report.
    """
    values = np.asarray(values, float)
    out = np.full(values.shape, np.nan)
    if len(times) < 2:
        return out
    lag = int(round(1.0 / float(times[1] - times[0])))
    if 0 < lag < len(values):
        with np.errstate(divide="ignore", invalid="ignore"):
            out[lag:] = values[lag:] / values[:-lag] - 1.0
    return out


class Members:
    """Every member of an ensemble at once: ``agg(name)`` is a (T, N) array (one column per
    member), so the figures' series functions, written for one run's (T,) series, give the
    members' series for bands. ``info`` is the folder's ``ensemble.json``.
    """

    def __init__(self, aggregates: pd.DataFrame, milestones: pd.DataFrame, info: dict,
                 median_member: int):
        self._frame = aggregates.sort_values(["scenario", "step"], kind="stable")
        self.n = int(self._frame["scenario"].nunique())
        self.times = self._frame["year"].to_numpy(float)[: len(self._frame) // self.n]
        self.info = info
        self.median_member = median_member
        years = milestones.pivot(index="scenario", columns="milestone", values="year")
        self.milestones = {str(k): years[k].to_numpy(float) for k in years.columns}
        self.seeds = (self._frame.groupby("scenario", sort=True)["seed"].first().to_numpy()
                      if "seed" in self._frame else np.zeros(self.n, int))
        self._cache: dict[str, np.ndarray] = {}

    def agg(self, name: str) -> np.ndarray:
        """An aggregate of every member, (T, N)."""
        if name not in self._cache:
            values = self._frame[name].to_numpy(float)
            self._cache[name] = values.reshape(self.n, -1).T
        return self._cache[name]

    def bands(self, values: np.ndarray) -> np.ndarray:
        """10th, 50th and 90th percentile across members of (T, N) ``values``: (3, T)."""
        from sim.ensemble import bands

        return bands(values)


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
    #: every member of an ensemble (None for a single run); the tables above then hold the
    #: median member, whose occupations are the ones recorded
    members: Members | None = None
    #: the run's configuration (None if not known): marks on figures, a compare's differences
    config: SimConfig | None = None
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
        return year_end_step(self.times, year)

    @property
    def wage_floor(self) -> float | None:
        """The run's minimum wage (``labour.wage_floor_usd_per_hour``), USD/h; None if the
        configuration is not known.
        """
        return None if self.config is None else self.config.labour.wage_floor_usd_per_hour

    @property
    def end_year(self) -> int:
        """Calendar year of the last step."""
        return int(np.floor(self.times[-1] + 1e-9))

    @property
    def view(self):
        """What the figures' series functions read: the members (``agg`` (T, N)) of an
        ensemble, else this run (``agg`` (T,)).
        """
        return self.members if self.members is not None else self

    @classmethod
    def from_results(cls, results, label: str, source: str, scenario: str = "") -> RunData:
        """The same view of an in-memory :class:`sim.outputs.results.Results` (scenario 0; an
        ensemble's median member, with every member in :attr:`members`). Without recorded
        occupations only the aggregate figures can be drawn. ``scenario`` empty: the name is
        not known here (the folder's config.yaml says what ran).
        """
        from sim import __version__

        k = results.median_member if results.ensemble is not None else 0
        res = results.scenario(k) if results.n_scenarios > 1 else results
        ms = res.milestones_frame()
        info = (res.occupation_info.copy() if res.occupation_info is not None
                else pd.DataFrame(columns=["occupation", "title", "soc_major"]))
        members = None
        seed = res.configs[0].seed
        if results.ensemble is not None:
            from sim.ensemble import summary

            members = Members(results.aggregates_frame(), results.milestones_frame(),
                              summary(results), k)
            seed = results.ensemble.seed
        return cls(label=label, source=source, aggregates=res.aggregates_frame(),
                   occupations=res.occupations_frame() if res.occupations else pd.DataFrame(),
                   info=info,
                   milestones=dict(zip(ms["milestone"], ms["year"].astype(float), strict=True)),
                   identity={"scenario": scenario or str(results.names[k]), "seed": seed,
                             "version": __version__, "created_utc": "", "command": ""},
                   members=members, config=res.configs[0])


def run_name(config: str | Path | None, scenario: str | None) -> str:
    """What a run of ``config`` (a file) with overlay ``scenario`` is called: the overlay, else
    the file's stem, else "default" (``--set`` changes do not rename it). A result folder's
    own ``config.yaml`` reruns under the folder's name, so the rerun reproduces the folder.
    """
    if scenario is not None:
        return Path(scenario).stem
    if config is None:
        return "default"
    summary = Path(config).parent / "summary.json"
    if Path(config).name == "config.yaml" and summary.is_file():
        try:
            named = json.loads(summary.read_text())
            named = named[0] if isinstance(named, list) else named
            if isinstance(named.get("name"), str):
                return named["name"]
        except (OSError, ValueError, AttributeError, IndexError):
            pass  # not a result folder's summary: name it after the file
    return Path(config).stem


def scenario_of(command: str) -> str:
    """The scenario a ``sim run`` command line ran (see :func:`run_name`), for folders
    written before runs were named.
    """
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    scenario = None
    for i, w in enumerate(words):
        if w == "--scenario" and i + 1 < len(words):
            scenario = words[i + 1]
        elif w.startswith("--scenario="):
            scenario = w.split("=", 1)[1]
    config = (words[2] if len(words) > 2 and words[:2] == ["sim", "run"]
              and not words[2].startswith("-") else None)
    return run_name(config, scenario)


def _bad(where: str, field: str, value, why: str) -> SimInputError:
    return SimInputError(where, [Problem(field, value, why)])


def read_table(path: Path, where: str, allowed: str = ALLOWED_TABLE) -> pd.DataFrame:
    """A Parquet or CSV table; one that cannot be parsed raises :class:`SimInputError`
    naming ``where`` and the file.
    """
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        df = pd.read_csv(path, dtype=_STR_COLUMNS)
        if "name" in df:  # an unnamed run's "" reads back as NaN
            df["name"] = df["name"].fillna("")
        return df
    except Exception as exc:  # noqa: BLE001 - pyarrow and pandas raise many kinds on bad bytes
        why = f"{type(exc).__name__}: {str(exc).replace(str(path), path.name)[:120]}"
        raise _bad(f"{where} {path}", "table", path.name, f"unreadable ({why}); {allowed}"
                   ) from None


def _is_number(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def _column_problem(values: pd.Series, kind: str) -> tuple[object, str] | None:
    """What is wrong with one column's values: (a bad value, why), or None."""
    if kind == "text":
        missing = values.isna().to_numpy()
        return (None, f"empty at row {int(np.argmax(missing))}; allowed: text in every row"
                ) if missing.any() else None
    if not _is_number(values):
        return values.iloc[0] if len(values) else str(values.dtype), (
            f"{values.dtype} values; allowed: numbers")
    x = values.to_numpy(float)
    bad = np.isinf(x) if kind == "number?" else ~np.isfinite(x)
    if bad.any():
        row = int(np.argmax(bad))
        return float(x[row]), (f"not finite at row {row} ({int(bad.sum())} of {len(x)} rows); "
                               "allowed: finite numbers (a run with NaN or inf is a failed run, "
                               "not a result)")
    return None


def check_columns(df: pd.DataFrame, stem: str, where: str) -> None:
    """The columns the report reads are there with the right kind of values; numbers are
    finite where they must be.
    """
    wanted = dict(COLUMNS[stem])
    if stem in ALL_FINITE:
        wanted.update({c: "number" for c in df.columns if c not in wanted and _is_number(df[c])})
    for col, kind in wanted.items():
        if col not in df and col in NEWER_COLUMNS:
            raise _bad(where, f"column {col}", "(missing)", "no such column: written by an "
                       "older version, before augmentation, the AI R&D multiplier and the "
                       "economy were recorded; allowed: a folder from the current `sim run` "
                       "(run it again)")
        if col not in df:
            raise _bad(where, f"column {col}", "(missing)", "no such column; allowed: a table "
                       f"with columns {', '.join(COLUMNS[stem])}")
        problem = _column_problem(df[col], kind)
        if problem is not None:
            raise _bad(where, f"column {col}", *problem)


def _check_info(info: pd.DataFrame, where: str) -> None:
    """Occupation facts the report divides by or groups on: start employment (weights, not
    all zero), start wages (positive), Job Zones (known for at least one occupation).
    """
    emp = info["employment_start"].to_numpy(float)
    wage = info["wage_usd_per_hour_start"].to_numpy(float)
    checks = (("employment_start", emp, (emp < 0).any() or emp.sum() <= 0,
               "allowed: numbers >= 0, not all zero"),
              ("wage_usd_per_hour_start", wage, (wage <= 0).any(), "allowed: numbers > 0"),
              ("job_zone", info["job_zone"].to_numpy(float),
               info["job_zone"].isna().all(), "allowed: a Job Zone for at least one occupation"))
    for col, values, bad, allowed in checks:
        if bad:
            raise _bad(where, f"column {col}", values.tolist(), allowed)


def _table_name(folder: Path, stem: str, listed: dict, arg: str) -> str:
    for name in (f"{stem}.parquet", f"{stem}.csv"):
        if name in listed:
            return name
    raise _bad(f"{arg} {folder}", stem, "(missing)", f"no {stem}.parquet or {stem}.csv listed "
               f"in manifest.json; {ALLOWED_FOLDER}")


def _scenario(df: pd.DataFrame, k: int = 0) -> pd.DataFrame:
    if "scenario" in df:
        df = df[df["scenario"] == k]
    return df.reset_index(drop=True)


def _load_tables(folder: Path, listed: dict, arg: str, k: int = 0
                 ) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Each required table, read and checked: scenario ``k`` (0, or an ensemble's median
    member), never empty; and each table whole, as read.
    """
    tables, whole = {}, {}
    for stem in REQUIRED_TABLES:
        path = folder / _table_name(folder, stem, listed, arg)
        df = read_table(path, arg)
        check_columns(df, stem, f"{arg} {path}")
        if stem == "occupation_info":
            _check_info(df, f"{arg} {path}")
        whole[stem] = df
        df = _scenario(df, k)
        if df.empty and stem != "milestones":
            raise _bad(f"{arg} {path}", "rows", 0, f"no rows of scenario {k}; allowed: a table "
                       "with at least one row per step (or occupation)")
        tables[stem] = df
    return tables, whole


#: ``ensemble.json`` is a few kB even for 1000 members; anything far larger is not one.
ENSEMBLE_MAX_BYTES = 4 * 2**20


def _ensemble_info(folder: Path, listed: dict, arg: str) -> dict | None:
    """An ensemble folder's ``ensemble.json`` (None for a single run), checked for what the
    report reads: the member count and the median member.
    """
    if "ensemble.json" not in listed:
        return None
    import json

    where = f"{arg} {folder / 'ensemble.json'}"
    try:
        with open(folder / "ensemble.json", "rb") as f:
            info = json.loads(f.read(ENSEMBLE_MAX_BYTES + 1))
    except (OSError, ValueError, RecursionError) as exc:
        raise _bad(where, "ensemble.json", "(unreadable)", f"not a JSON object ({str(exc)[:60]}"
                   f"); {ALLOWED_FOLDER}") from None
    n = info.get("members") if isinstance(info, dict) else None
    median = info.get("median_member") if isinstance(info, dict) else None
    k = median.get("scenario") if isinstance(median, dict) else None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n, k)) \
            or not 0 <= k < n or not isinstance(info.get("parameters"), list):
        raise _bad(where, "ensemble.json", str(info)[:80], "allowed: an object with 'members' "
                   "(an integer), 'median_member': {'scenario': a member's index} and "
                   "'parameters' (a list), as `sim run --ensemble` writes it")
    return info


def _check_members(folder: Path, agg: pd.DataFrame, ms: pd.DataFrame, info: dict,
                   steps: int, arg: str) -> None:
    """An ensemble's tables hold every member, each over the same steps."""
    n = info["members"]
    where = f"{arg} {folder}"
    if "scenario" not in agg:
        raise _bad(where, "aggregates column scenario", "(missing)", "an ensemble's aggregates "
                   "need one; allowed: the table as `sim run --ensemble` wrote it")
    ids = np.sort(agg["scenario"].unique())
    if len(ids) != n or not (ids == np.arange(n)).all() or len(agg) != n * steps:
        raise _bad(where, "aggregates rows", len(agg), f"not {steps} steps for each of the "
                   f"{n} members of ensemble.json; allowed: the table as `sim run --ensemble` "
                   "wrote it")
    if "scenario" not in ms or not ms["scenario"].isin(ids).all() \
            or ms.duplicated(["scenario", "milestone"]).any():
        raise _bad(where, "milestones rows", len(ms), "not one row per member and milestone; "
                   "allowed: the table as `sim run --ensemble` wrote it")


def _check_rows(folder: Path, agg: pd.DataFrame, occ: pd.DataFrame, info: pd.DataFrame,
                arg: str) -> None:
    """The tables fit together: one aggregate row per step in time order, one info row per
    occupation, one occupation row per step and occupation.
    """
    where = f"{arg} {folder}"
    for col in ("step", "year"):
        if not (np.diff(agg[col].to_numpy(float)) > 0).all():
            raise _bad(where, f"aggregates column {col}", agg[col].tolist(), "not increasing; "
                       "allowed: one row per step, in time order")
    if info["occupation"].duplicated().any():
        code = info.loc[info["occupation"].duplicated(), "occupation"].iloc[0]
        raise _bad(where, "occupation_info column occupation", code, "listed twice; allowed: "
                   "one row per occupation")
    unknown = ~occ["occupation"].isin(info["occupation"])
    if unknown.any():
        raise _bad(where, "occupations column occupation", occ.loc[unknown, "occupation"].iloc[0],
                   "not in occupation_info; allowed: the occupations of occupation_info")
    steps = occ["step"].isin(agg["step"])
    if not steps.all() or occ.duplicated(["step", "occupation"]).any() \
            or len(occ) != len(agg) * len(info):
        raise _bad(where, "occupations rows", len(occ), f"not one row per step and occupation "
                   f"({len(agg)} steps x {len(info)} occupations); allowed: the table as "
                   "`sim run` wrote it")


def _check_folder(folder: Path, arg: str) -> None:
    try:
        if not folder.is_dir():
            raise _bad(arg, arg, str(folder), f"not a folder; {ALLOWED_FOLDER}")
        if (folder / "sweep.yaml").is_file():
            raise _bad(arg, arg, str(folder), "a sweep folder (read it with `sim analyze`); "
                       f"{ALLOWED_FOLDER}")
    except OSError as exc:  # a folder that may not be looked into
        raise _bad(arg, arg, str(folder), f"cannot be read ({exc.strerror}); {ALLOWED_FOLDER}"
                   ) from None


def load_run(folder: Path | str, arg: str = "RUN_DIR", label: str | None = None) -> RunData:
    """Read a result folder, checking every file against its manifest and every table the
    report reads; bad input raises :class:`SimInputError` naming ``arg``, the file, the
    column and what is allowed.
    """
    folder = Path(folder)
    _check_folder(folder, arg)
    manifest = read_manifest(folder, arg)
    verify_files(folder, manifest, arg)
    ensemble = _ensemble_info(folder, manifest["files"], arg)
    k = ensemble["median_member"]["scenario"] if ensemble else 0
    tables, whole = _load_tables(folder, manifest["files"], arg, k)
    agg, occ, ms = tables["aggregates"], tables["occupations"], tables["milestones"]
    info = tables["occupation_info"].assign(
        occupation=tables["occupation_info"]["occupation"].astype(str))
    occ = occ.assign(occupation=occ["occupation"].astype(str))
    _check_rows(folder, agg, occ, info, arg)
    members = None
    if ensemble is not None:
        _check_members(folder, whole["aggregates"], whole["milestones"], ensemble, len(agg), arg)
        members = Members(whole["aggregates"], whole["milestones"], ensemble, k)
    config = _read_config(folder)
    command = str(manifest.get("command", ""))[:4000]  # shown in the report, parsed by shlex
    if "name" in agg:  # the record's name ("" for a run nobody named)
        scenario = str(agg["name"].iloc[0]) if len(agg) and agg["name"].iloc[0] else "unnamed"
    else:  # written before runs were named
        scenario = scenario_of(command)
    identity = {"scenario": scenario, "seed": manifest.get("seed"),
                "version": manifest.get("version", "?"),
                "created_utc": manifest.get("created_utc", ""), "command": command}
    return RunData(label=label or folder.name, source=str(folder), aggregates=agg,
                   occupations=occ, info=info,
                   milestones=dict(zip(ms["milestone"].astype(str), ms["year"].astype(float),
                                       strict=True)), identity=identity, members=members,
                   config=config)


def _read_config(folder: Path) -> SimConfig | None:
    """The folder's config.yaml, validated (None when it cannot be: it only adds marks to
    figures and a compare's list of differences, never a reason to refuse a folder).
    """
    from sim.config.loading import load_config

    try:
        return load_config(folder / "config.yaml")
    except SimInputError:
        return None
