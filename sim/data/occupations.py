"""Occupations and their tasks, held as arrays (one row per occupation, one per task bin).

The built-in table is the 22 SOC major groups in ``sim/data/major_groups.csv``, rebuilt from the
public O*NET x BLS data by ``python -m sim.data.build_major_groups``. Each occupation's task-hours
are split into *task bins*: exposure class (E0/E1/E2) x physical or not x a few threshold
quantiles inside the class. A detailed table (~800 occupations) plugs in by producing the same
:class:`OccupationTable`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.errors import OccupationTableError, Problem

if TYPE_CHECKING:
    from sim.config.schema import SimConfig

#: Exposure classes in task arrays: index -> label (Eloundou et al. 2023 rubric).
EXPOSURE_CLASSES = ("e0", "e1", "e2")

#: Upper bound on an occupation's employment: the US civilian labour force (161M in 2021, under
#: 170M to date); no occupation, not even all of them together (141M in May 2021), exceeds it.
MAX_EMPLOYMENT = 170_000_000

#: Upper bound on a mean hourly wage: 20 times the BLS top code of $100/h (the highest
#: occupation mean published in May 2021 is $170/h).
MAX_HOURLY_WAGE = 2_000.0

REQUIRED_COLUMNS = (
    "soc_major", "title", "employment", "mean_wage_usd_per_hour", "share_e0", "share_e1",
    "share_e2", "physical_share_e0", "physical_share_e1", "physical_share_e2", "verifiability",
    "experiment_share",
)


@dataclass(frozen=True)
class TaskProfile:
    """Task bins of a set of occupations; every array has one entry per bin (axis K)."""

    occupation: np.ndarray  #: index of the bin's occupation (int, K)
    hours_share: np.ndarray  #: share of its occupation's task-hours (K); sums to 1 per occupation
    exposure: np.ndarray  #: 0=E0, 1=E1, 2=E2 (int, K)
    quantile: np.ndarray  #: position of the bin's threshold inside its class's range, 0-1 (K)
    physical: np.ndarray  #: 1.0 if the bin is physical work, else 0.0 (K)
    verifiability: np.ndarray  #: 0-1 proxy (K)
    experiment_share: np.ndarray  #: share of the bin's hours bound by real-world experiments (K)
    #: GPT-4 automation rating T0-T4 as 0-1 (K); None where the table carries no ratings
    automation: np.ndarray | None = None

    @property
    def automation_or_nan(self) -> np.ndarray:
        """Automation ratings, NaN where unknown (the rules then treat the bin as unrated)."""
        return (self.automation if self.automation is not None
                else np.full(self.n_tasks, np.nan))

    @property
    def n_tasks(self) -> int:
        """Number of task bins (K)."""
        return len(self.occupation)


@dataclass(frozen=True)
class OccupationTable:
    """Occupations (axis O) with their start-of-run labour market and their task bins."""

    codes: tuple[str, ...]
    titles: tuple[str, ...]
    employment: np.ndarray  #: workers employed at the start (O)
    wage_usd_per_hour: np.ndarray  #: mean hourly wage at the start, USD 2021 (O)
    tasks: TaskProfile
    job_zone: np.ndarray  #: O*NET Job Zone 1-5, employment-weighted (O); NaN where unknown
    source: str
    #: the data's own exposure score ``dv_rating_beta`` (E1 + 0.5 E2), (O); NaN where unknown
    exposure_score: np.ndarray | None = None

    @property
    def n_occupations(self) -> int:
        """Number of occupations (O)."""
        return len(self.codes)

    @property
    def major_codes(self) -> tuple[str, ...]:
        """SOC major group of each occupation: the first two characters of its code."""
        return tuple(major_group(c) for c in self.codes)

    def info_frame(self) -> pd.DataFrame:
        """Static facts of every occupation, written beside the results of a run."""
        titles = major_group_titles()
        n = self.n_occupations
        score = self.exposure_score if self.exposure_score is not None else np.full(n, np.nan)
        return pd.DataFrame({
            "occupation": list(self.codes), "title": list(self.titles),
            "soc_major": list(self.major_codes),
            "soc_major_title": [titles.get(m, m) for m in self.major_codes],
            "employment_start": self.employment, "wage_usd_per_hour_start":
            self.wage_usd_per_hour, "job_zone": self.job_zone, "exposure_score": score,
        })


def _allowed_range(col: str) -> tuple[float, float, bool, str]:
    """``(low, high, low_included, text)`` of a numeric column of an occupation table."""
    if col == "employment":
        return 0.0, MAX_EMPLOYMENT, False, f"workers, above 0 and at most {MAX_EMPLOYMENT:,}"
    if col == "mean_wage_usd_per_hour":
        return 0.0, MAX_HOURLY_WAGE, False, f"above 0 and at most {MAX_HOURLY_WAGE:,.0f}"
    if col.startswith(("share", "physical", "verif", "experiment")):
        return 0.0, 1.0, True, "a share in [0, 1]"
    return 0.0, np.inf, True, ">= 0"


def _checked_numbers(column: pd.Series, col: str, source: str) -> pd.Series:
    """A numeric column, every value finite and in its range; else an input error naming the
    first bad row (text, ``inf`` and ``NaN`` included).
    """
    values = pd.to_numeric(column, errors="coerce").astype(float)
    low, high, low_included, text = _allowed_range(col)
    above_low = values >= low if low_included else values > low
    bad = ~np.isfinite(values.to_numpy()) | ~(above_low & (values <= high)).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise OccupationTableError(source, [Problem(f"{col} (row {i + 1})", column.iloc[i],
                                                    f"allowed: a finite number, {text}")])
    return values


def _bins_for_row(row: pd.Series, bins: dict[str, int]) -> list[tuple]:
    """Task bins for one occupation: (exposure, quantile, physical, hours_share)."""
    out = []
    for e, cls in enumerate(EXPOSURE_CLASSES):
        share = float(row[f"share_{cls}"])
        phys = float(row[f"physical_share_{cls}"])
        n = bins[cls]
        for physical, part in ((0.0, 1.0 - phys), (1.0, phys)):
            for j in range(n):
                out.append((e, (j + 0.5) / n, physical, share * part / n))
    return out


def table_from_frame(df: pd.DataFrame, source: str, bins: dict[str, int]) -> OccupationTable:
    """Validate an occupation frame and split it into task bins."""
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise OccupationTableError(source, [Problem("columns", missing, "missing columns; "
                                                    f"allowed: a table with {REQUIRED_COLUMNS}")])
    if len(df) == 0:
        raise OccupationTableError(source, [Problem("rows", 0, "empty occupation table; "
                                                    "allowed: at least one occupation")])
    numeric = [c for c in REQUIRED_COLUMNS if c not in ("soc_major", "title")]
    for col in numeric:
        df[col] = _checked_numbers(df[col], col, source)
    share_sum = df[["share_e0", "share_e1", "share_e2"]].sum(axis=1)
    if ((share_sum - 1).abs() > 1e-2).any():
        i = int(np.flatnonzero(((share_sum - 1).abs() > 1e-2).to_numpy())[0])
        raise OccupationTableError(source, [Problem(f"share_e0+share_e1+share_e2 (row {i + 1})",
                                                    float(share_sum.iloc[i]),
                                                    "allowed: sums to 1 (within 0.01)")])
    repeated = df["soc_major"].astype(str).str.strip().duplicated()
    if repeated.any():
        i = int(np.flatnonzero(repeated.to_numpy())[0])
        raise OccupationTableError(source, [Problem(f"soc_major (row {i + 1})",
                                                    df["soc_major"].iloc[i], "repeats an "
                                                    "earlier row; allowed: each code once")])

    rows = []
    for o, (_, row) in enumerate(df.iterrows()):
        norm = float(row[["share_e0", "share_e1", "share_e2"]].sum())
        for e, q, phys, h in _bins_for_row(row, bins):
            rows.append((o, e, q, phys, h / norm, row["verifiability"], row["experiment_share"]))
    arr = np.array(rows, dtype=float)
    tasks = TaskProfile(
        occupation=arr[:, 0].astype(np.intp), exposure=arr[:, 1].astype(np.intp),
        quantile=arr[:, 2], physical=arr[:, 3], hours_share=arr[:, 4],
        verifiability=arr[:, 5], experiment_share=arr[:, 6],
    )
    job_zone = (pd.to_numeric(df["job_zone"], errors="coerce").to_numpy(float)
                if "job_zone" in df else np.full(len(df), np.nan))
    score = (pd.to_numeric(df["dv_rating_beta"], errors="coerce").to_numpy(float)
             if "dv_rating_beta" in df else np.full(len(df), np.nan))
    return OccupationTable(
        codes=tuple(str(c) for c in df["soc_major"]), titles=tuple(str(t) for t in df["title"]),
        employment=df["employment"].to_numpy(float),
        wage_usd_per_hour=df["mean_wage_usd_per_hour"].to_numpy(float),
        tasks=tasks, job_zone=job_zone,
        source=source, exposure_score=score,
    )


def _read_csv(path: Path | str, source: str) -> pd.DataFrame:
    """A CSV occupation table; a missing, unreadable or malformed file is an input error."""
    try:
        return pd.read_csv(path, dtype={"soc_major": str})
    except FileNotFoundError:
        raise OccupationTableError(source, [Problem("(file)", str(path), "file not found; "
                                                    "allowed: an existing CSV file")]) from None
    except OSError as exc:  # a folder, no permission
        raise OccupationTableError(source, [Problem("(file)", str(path), f"{exc.strerror}; "
                                                    "allowed: a readable CSV file")]) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise OccupationTableError(source, [Problem("(file)", str(exc)[:60],
                                                    "allowed: a CSV table")]) from None


def builtin_frame() -> pd.DataFrame:
    """The 22 SOC major groups shipped with the package."""
    with resources.as_file(resources.files("sim.data") / "major_groups.csv") as p:
        return _read_csv(p, "sim/data/major_groups.csv")


def major_group(code: str) -> str:
    """SOC major group of an occupation code: "15-1252" -> "15"; "15" stays "15"."""
    return str(code).strip()[:2]


def sum_by_major_group(codes, values: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Sum per-occupation ``values`` (T, O) into SOC major groups (T, G), groups sorted by code.

    The built-in table's occupations are the major groups themselves; a detailed table's codes
    ("15-1252") are summed by their first two characters.
    """
    groups = [major_group(c) for c in codes]
    order = sorted(set(groups))
    index = np.array([order.index(g) for g in groups])
    out = np.zeros((values.shape[0], len(order)))
    for j in range(len(order)):
        out[:, j] = values[:, index == j].sum(axis=1)
    return order, out


@functools.cache
def major_group_titles() -> dict[str, str]:
    """SOC major group code -> title (the 22 groups of the built-in table)."""
    df = builtin_frame()
    return dict(zip(df["soc_major"].astype(str), df["title"].astype(str), strict=True))


def load_builtin(bins: dict[str, int]) -> OccupationTable:
    """The built-in 22-group table split into task bins."""
    return table_from_frame(builtin_frame(), "sim/data/major_groups.csv", bins)


def load_table_file(path: Path | str, bins: dict[str, int]) -> OccupationTable:
    """An occupation table in the built-in CSV format, from a user's file."""
    return table_from_frame(_read_csv(path, str(path)), str(path), bins)


def load_research_profile(bins: dict[str, int]) -> TaskProfile:
    """Task bins of AI research (O*NET 15-1221, Computer and Information Research Scientists)."""
    with resources.as_file(resources.files("sim.data") / "ai_research_tasks.csv") as p:
        df = _read_csv(p, "sim/data/ai_research_tasks.csv")
    df = df.assign(soc_major="15-1221", title="AI research", employment=1.0,
                   mean_wage_usd_per_hour=1.0)
    return table_from_frame(df, "sim/data/ai_research_tasks.csv", bins).tasks


# --- the table a config asks for -----------------------------------------------------------
def task_bins(config: SimConfig) -> dict[str, int]:
    """Quantile bins per exposure class that ``config`` asks for."""
    r = config.tasks
    return {"e0": r.bins.e0, "e1": r.bins.e1, "e2": r.bins.e2}


def load_occupations(config: SimConfig) -> OccupationTable:
    """The occupation table a config asks for (the detailed one is cached per folder)."""
    if config.occupations.source == "builtin":
        return load_builtin(task_bins(config))
    if config.occupations.source == "detailed":
        return detailed_with_report(config)[0]
    raise OccupationTableError("config", [Problem("occupations.source",
                                                  config.occupations.source,
                                                  "allowed: 'builtin' or 'detailed'")])


def detailed_with_report(config: SimConfig) -> tuple[OccupationTable, dict]:
    """The detailed table and its join report (cached per folder)."""
    from sim.data.detailed import load_detailed

    return load_detailed(config.occupations.data_dir, task_bins(config))
