"""The detailed occupation table: every BLS detailed occupation that has O*NET tasks (~780).

Why: the built-in 22 SOC major groups average away who is displaced; researchers want the
~800 detailed occupations of the public O*NET x BLS exposure data (Eloundou et al. 2023).

Two sources give the same table, bit for bit:

* **shipped** (the default): the derived table in ``sim/data/detailed_occupations.csv``
  (occupations) and ``sim/data/detailed_tasks.csv`` (their pooled tasks), with the join report
  in ``sim/data/detailed_join_report.json``; licence and attribution in ``sim/data/NOTICE``.
  Rebuilt by ``python -m sim.data.build_detailed``; a test checks it equals a fresh build.
* **raw**: the public data folder itself (``--data PATH``, ``occupations.data_dir`` or
  ``SIM_ONET_DATA``), read and joined here (the files are never copied into the project), the
  result cached on disk.

The readers and joins are those of :mod:`sim.data.build_major_groups` (one code path for both
tables). Each occupation's ~25 tasks keep the labels the task-automation rules read: exposure
class (E0/E1/E2), GPT-4 automation rating (T0-T4 as 0-1), physical and experiment flags (keyword
rules), and the occupation's verifiability (O*NET work context). Tasks with identical labels in
one occupation get identical rule outputs, so they are pooled into one task bin (exact, and ~4x
fewer bins than tasks); each class's hours are then split into that class's quantile bins, as
in the built-in table. The pools do not depend on the bin counts, so the shipped table serves
every ``tasks.bins`` setting exactly. Every join is counted in a report: what matched, what was
dropped, why.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data import build_major_groups as bmg
from sim.data.occupations import EXPOSURE_CLASSES, OccupationTable, TaskProfile
from sim.errors import OccupationTableError, Problem
from sim.files import replacing

#: Environment variable naming the data folder when neither ``--data`` nor the config does.
DATA_ENV_VAR = "SIM_ONET_DATA"


def find_data_dir(configured: str | os.PathLike | None = None) -> Path | None:
    """The raw data folder: the configured path (``--data`` or ``occupations.data_dir``), else
    ``$SIM_ONET_DATA``; None when neither is given, which means the table shipped with the
    package. A given path that is not a folder is an input error naming where it came from.

    The folder ``../shared/data/onet_exposure`` beside a checkout is not looked for: a run
    reads the same table wherever it runs, and the shipped table equals a build from that
    folder (tested); pass it with ``--data`` to build from the raw files.
    """
    if configured:
        origin, path = "occupations.data_dir", Path(configured)
    elif os.environ.get(DATA_ENV_VAR):
        origin, path = DATA_ENV_VAR, Path(os.environ[DATA_ENV_VAR])
    else:
        return None
    if not path.is_dir():
        what = "a file" if path.exists() else "no such path"
        raise OccupationTableError(origin, [Problem(
            "data folder", str(path), f"not a folder ({what}); allowed: {bmg.WHERE_FROM}")])
    return path.resolve()


def _count(frame: pd.DataFrame, mask) -> dict:
    return {"occupations": int(mask.sum()),
            "employment": float(frame.loc[mask, "employment"].fillna(0.0).sum())}


def detailed_frames(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Occupations and their tasks after every join, with a report of what was dropped.

    Returns:
        ``(occupations, tasks, report)``: one row per kept BLS detailed occupation (code,
        title, employment, wage, verifiability, Job Zone, ``dv_rating_beta``); one row per
        kept task (``occ_code``, labels, ``time_share``); and the join report.

    """
    data_dir = Path(data_dir)
    _, detailed, all_tasks, scores = bmg.read_and_join(data_dir)
    if detailed.empty:
        raise OccupationTableError(str(data_dir / bmg.BLS_FILE), [Problem(
            "O_GROUP", "(no 'detailed' rows)", "allowed: BLS OEWS national estimates with "
            "detailed occupations")])
    unmatched_tasks = all_tasks["occ_code"].isna()

    no_employment = detailed["employment"].isna() | (detailed["employment"] <= 0)
    no_wage = detailed["hourly_wage"].isna() & ~no_employment
    has_tasks = detailed["occ_code"].isin(all_tasks.loc[~unmatched_tasks, "occ_code"])
    no_tasks = ~has_tasks & ~no_employment & ~no_wage
    keep = has_tasks & ~no_employment & ~no_wage
    report = {
        "data_dir": str(data_dir),
        "tasks_read": len(all_tasks),
        "onet_occupations_read": int(all_tasks["onet_code"].nunique()),
        "tasks_unmatched_code": int(unmatched_tasks.sum()),
        "onet_occupations_unmatched_code": int(
            all_tasks.loc[unmatched_tasks, "onet_code"].nunique()),
        "bls_detailed_occupations": len(detailed),
        "bls_employment": float(detailed["employment"].fillna(0.0).sum()),
        "dropped_no_employment": _count(detailed, no_employment),
        "dropped_no_wage": _count(detailed, no_wage),
        "dropped_no_tasks": _count(detailed, no_tasks),
        "wage_top_coded": int((detailed["wage_top_coded"] & keep).sum()),
    }
    kept_codes = set(detailed.loc[keep, "occ_code"])
    task_kept = all_tasks["occ_code"].isin(kept_codes)
    report["tasks_dropped_with_their_occupation"] = int((~unmatched_tasks & ~task_kept).sum())
    tasks = bmg.task_hour_masses(all_tasks[task_kept])

    occupations = detailed[keep].copy()
    occupations["has_tasks"] = True
    occupations = bmg.detailed_occupation_scores(occupations, scores)
    occupations = occupations.sort_values("occ_code").reset_index(drop=True)
    report.update({
        "occupations_kept": len(occupations),
        "tasks_kept": len(tasks),
        "employment_kept": float(occupations["employment"].sum()),
        "employment_kept_share": float(occupations["employment"].sum()
                                       / report["bls_employment"]),
        "verifiability_from_group_mean": int((~occupations["verifiability_matched"]).sum()),
        "job_zone_from_group_mean": int((~occupations["job_zone_matched"]).sum()),
        "exposure_score_missing": int(occupations["dv_rating_beta"].isna().sum()),
    })
    for column in ("verifiability", "job_zone"):
        _fill_with_overall_mean(occupations, column, data_dir)
    return occupations, tasks, report


def _fill_with_overall_mean(occupations: pd.DataFrame, column: str, data_dir: Path) -> None:
    """Where a whole major group matched no title, take the employment-weighted mean of all
    occupations; none matched at all is an input error (there is nothing to fall back on).
    """
    missing = occupations[column].isna()
    if not missing.any():
        return
    if missing.all():
        name = bmg.WORK_CONTEXT_FILE if column == "verifiability" else bmg.SKILLS_FILE
        raise OccupationTableError(str(data_dir / name), [Problem(
            "occupation titles", "(none matched)", "allowed: the O*NET titles of the kept "
            "occupations")])
    known = occupations.loc[~missing]
    occupations.loc[missing, column] = float(np.average(known[column],
                                                        weights=known["employment"]))


def _workers(n: float) -> str:
    return f"{n / 1e6:.2f}M" if n >= 1e5 else f"{n:,.0f}"


def format_join_report(r: dict) -> str:
    """The join report as lines a user can read."""
    def drop(key, why):
        d = r[key]
        return (f"  dropped {d['occupations']:>4} BLS occupations ({_workers(d['employment'])} "
                f"workers): {why}")
    return "\n".join([
        f"O*NET x BLS data: {r['data_dir']}",
        f"  tasks: {r['tasks_read']:,} read, {r['tasks_kept']:,} kept; "
        f"{r['tasks_unmatched_code']:,} tasks of {r['onet_occupations_unmatched_code']} O*NET "
        "occupations match no BLS detailed code (dropped); "
        f"{r['tasks_dropped_with_their_occupation']} dropped with their occupation",
        f"  occupations: {r['occupations_kept']} of {r['bls_detailed_occupations']} BLS "
        f"detailed occupations kept, {_workers(r['employment_kept'])} of "
        f"{_workers(r['bls_employment'])} workers ({r['employment_kept_share']:.1%})",
        drop("dropped_no_tasks", "no O*NET tasks (mostly 'All Other' residual codes)"),
        drop("dropped_no_wage", "no published mean wage"),
        drop("dropped_no_employment", "no published employment"),
        f"  {r['wage_top_coded']} top-coded wages taken at the BLS top code; "
        f"verifiability from the major-group mean for {r['verifiability_from_group_mean']}, "
        f"Job Zone for {r['job_zone_from_group_mean']}; no exposure score for "
        f"{r['exposure_score_missing']}",
    ])


#: Labels a task bin's rule outputs depend on: tasks of one occupation that share them are
#: pooled (their hours summed) before the classes are split into quantile bins.
POOL_KEYS = ("occ", "exposure", "physical", "automation", "experiment")


def pool_tasks(occupations: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    """Each occupation's tasks with identical labels pooled into one row.

    Returns:
        One row per pool, sorted by :data:`POOL_KEYS`: ``occ`` (index into ``occupations``),
        ``exposure`` (0-2), ``physical``, ``automation``, ``experiment`` (floats) and ``share``
        (the pool's share of its occupation's task-hours). It does not depend on the bin
        counts, so it is what the package ships (:func:`write_shipped`).

    """
    index = pd.Series(np.arange(len(occupations)), index=occupations["occ_code"])
    t = pd.DataFrame({
        "occ": tasks["occ_code"].map(index).to_numpy(),
        "exposure": tasks["exposure"].map({c.upper(): i for i, c in
                                           enumerate(EXPOSURE_CLASSES)}).to_numpy(),
        "automation": tasks["automation"].to_numpy(float),
        "physical": tasks["physical"].to_numpy(float),
        "experiment": tasks["experiment"].to_numpy(float),
        "share": tasks["time_share"].to_numpy(float),
    })
    return t.groupby(list(POOL_KEYS), sort=True)["share"].sum().reset_index()


def split_bins(pools: pd.DataFrame, verifiability: np.ndarray, bins: dict[str, int]
               ) -> TaskProfile:
    """Split each pool of :func:`pool_tasks` into its class's quantile bins; stored occupation
    by occupation, as :class:`~sim.model.task_market.TaskMarket` needs.
    """
    g = pools
    n = g["exposure"].map({i: bins[c] for i, c in enumerate(EXPOSURE_CLASSES)}).to_numpy()
    rows = np.repeat(np.arange(len(g)), n)
    j = np.arange(len(rows)) - np.repeat(np.cumsum(n) - n, n)
    out = g.iloc[rows].reset_index(drop=True)
    out["quantile"] = (j + 0.5) / n[rows]
    out["share"] = out["share"] / n[rows]
    out = out.sort_values(["occ", "exposure", "physical", "quantile", "automation",
                           "experiment"], kind="stable").reset_index(drop=True)
    verif = np.asarray(verifiability, float)
    occ = out["occ"].to_numpy(np.intp)
    return TaskProfile(
        occupation=occ, hours_share=out["share"].to_numpy(float),
        exposure=out["exposure"].to_numpy(np.intp), quantile=out["quantile"].to_numpy(float),
        physical=out["physical"].to_numpy(float), verifiability=verif[occ],
        experiment_share=out["experiment"].to_numpy(float),
        automation=out["automation"].to_numpy(float),
    )


def task_bins(occupations: pd.DataFrame, tasks: pd.DataFrame, bins: dict[str, int]
              ) -> TaskProfile:
    """Pool each occupation's tasks with identical labels, then split classes into quantile
    bins (:func:`pool_tasks`, then :func:`split_bins`).
    """
    return split_bins(pool_tasks(occupations, tasks), occupations["verifiability"], bins)


def _table(occupations: pd.DataFrame, pools: pd.DataFrame, bins: dict[str, int],
           source: str) -> OccupationTable:
    """The table of kept occupations and their task pools (raw and shipped alike)."""
    return OccupationTable(
        codes=tuple(occupations["occ_code"]), titles=tuple(occupations["title"]),
        employment=occupations["employment"].to_numpy(float),
        wage_usd_per_hour=occupations["hourly_wage"].to_numpy(float),
        tasks=split_bins(pools, occupations["verifiability"], bins),
        job_zone=occupations["job_zone"].to_numpy(float), source=source,
        exposure_score=occupations["dv_rating_beta"].to_numpy(float),
    )


def _build(data_dir: Path, bins: dict[str, int]) -> tuple[OccupationTable, dict]:
    occupations, tasks, report = detailed_frames(data_dir)
    table = _table(occupations, pool_tasks(occupations, tasks), bins,
                   f"detailed O*NET x BLS occupations from {data_dir}")
    report["task_bins"] = table.tasks.n_tasks
    return table, report


# ----------------------------------------------------------------------------- shipped table

#: Files of the shipped table, in ``sim/data/`` (written by :func:`write_shipped`).
SHIPPED_OCCUPATIONS = "detailed_occupations.csv"
SHIPPED_TASKS = "detailed_tasks.csv"
SHIPPED_REPORT = "detailed_join_report.json"
SHIPPED_FILES = (SHIPPED_OCCUPATIONS, SHIPPED_TASKS, SHIPPED_REPORT)
#: Columns of the shipped files. Occupations: code, title, employment, mean hourly wage (USD
#: 2021), Job Zone, the data's exposure score ``dv_rating_beta``, verifiability. Tasks: one
#: row per pool of :func:`pool_tasks`, with its occupation's code and exposure label.
OCCUPATION_COLUMNS = ("occ_code", "title", "employment", "hourly_wage", "job_zone",
                      "dv_rating_beta", "verifiability")
TASK_COLUMNS = ("occ_code", "exposure", "physical", "automation", "experiment", "time_share")
#: ``data_dir`` of the shipped join report, and the shipped table's ``source``.
SHIPPED_SOURCE = ("the table shipped with the package (sim/data/detailed_*.csv, built from the "
                  "O*NET x BLS exposure data of Eloundou et al. 2023; see sim/data/NOTICE)")
_LABELS = tuple(c.upper() for c in EXPOSURE_CLASSES)


def shipped_frames(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The shipped files' contents, built from the raw folder: occupations, task pools (both
    with the columns above) and the join report (its ``data_dir`` names the shipped table).
    """
    occupations, tasks, report = detailed_frames(data_dir)
    pools = pool_tasks(occupations, tasks)
    occ = occupations[list(OCCUPATION_COLUMNS)].reset_index(drop=True)
    task_frame = pd.DataFrame({
        "occ_code": occ["occ_code"].to_numpy(object)[pools["occ"].to_numpy(np.intp)],
        "exposure": np.array(_LABELS, dtype=object)[pools["exposure"].to_numpy(np.intp)],
        "physical": pools["physical"].to_numpy(np.int64),
        "automation": pools["automation"].to_numpy(float),
        "experiment": pools["experiment"].to_numpy(np.int64),
        "time_share": pools["share"].to_numpy(float),
    })
    return occ, task_frame, dict(report, data_dir=SHIPPED_SOURCE)


def write_shipped(data_dir: Path, out_dir: Path) -> tuple[dict, list[Path]]:
    """Build from the raw folder and write the three shipped files into ``out_dir``
    (atomically, each); floats are written in full (shortest round-trip form), so the table
    read back is the built one, bit for bit. Returns the join report and the paths written.
    """
    occupations, tasks, report = shipped_frames(Path(data_dir))
    out_dir = Path(out_dir)
    written = []
    for name, frame in ((SHIPPED_OCCUPATIONS, occupations), (SHIPPED_TASKS, tasks)):
        with replacing(out_dir / name) as tmp, open(tmp, "w", encoding="utf-8",
                                                     newline="") as f:
            frame.to_csv(f, index=False, lineterminator="\n")
        written.append(out_dir / name)
    with replacing(out_dir / SHIPPED_REPORT) as tmp:
        Path(tmp).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    written.append(out_dir / SHIPPED_REPORT)
    return report, written


def _floats(values: pd.Series) -> np.ndarray:
    """Exact floats of CSV text (Python's correctly rounded parser; empty is NaN)."""
    return np.array([float(v) if v != "" else np.nan for v in values], dtype=float)


def _shipped_csv(base, name: str, columns: tuple[str, ...], text: int) -> pd.DataFrame:
    """One shipped CSV with exactly ``columns``; all but the first ``text`` as exact floats."""
    with resources.as_file(base / name) as p:
        frame = pd.read_csv(p, dtype=str, keep_default_na=False)
    if tuple(frame.columns) != columns:
        raise ValueError(f"columns {list(frame.columns)}, expected {list(columns)}")
    return frame.assign(**{c: _floats(frame[c]) for c in columns[text:]})


def read_shipped(folder: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The shipped occupations, task pools (as :func:`pool_tasks` returns them) and join
    report, from ``folder`` (default: the package's ``sim/data``). A missing or damaged file
    is an input error naming it.
    """
    base = resources.files("sim.data") if folder is None else Path(folder)
    name = SHIPPED_OCCUPATIONS
    try:
        occ = _shipped_csv(base, name, OCCUPATION_COLUMNS, 2)
        name = SHIPPED_TASKS
        tasks = _shipped_csv(base, name, TASK_COLUMNS, 2)
        index = pd.Series(np.arange(len(occ)), index=occ["occ_code"])
        pools = pd.DataFrame({
            "occ": tasks["occ_code"].map(index).to_numpy(float),
            "exposure": tasks["exposure"].map({c: i for i, c in enumerate(_LABELS)})
                                         .to_numpy(float),
            **{k: tasks[k].to_numpy(float) for k in ("physical", "automation", "experiment")},
            "share": tasks["time_share"].to_numpy(float),
        })
        if pools[["occ", "exposure"]].isna().any().any():
            raise ValueError("a task of an unknown occupation or exposure class")
        pools = pools.astype({"occ": np.int64, "exposure": np.int64})
        name = SHIPPED_REPORT
        with resources.as_file(base / name) as p:
            report = json.loads(Path(p).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        raise OccupationTableError(f"sim/data/{name}", [Problem(
            "(file)", str(exc)[:80], "allowed: the file as `python -m sim.data.build_detailed` "
            "writes it (reinstall the package, or give --data to build from the raw files)")]
            ) from None
    return occ, pools, report


@functools.lru_cache(maxsize=4)
def _shipped(bins: tuple) -> tuple[OccupationTable, dict]:
    occupations, pools, report = read_shipped()
    table = _table(occupations, pools, dict(bins), f"detailed O*NET x BLS occupations from "
                   f"{SHIPPED_SOURCE}")
    try:
        _check_consistent(table)
    except ValueError:
        raise OccupationTableError(f"sim/data/{SHIPPED_TASKS}", [Problem(
            "(file)", "inconsistent table", "allowed: the files as `python -m "
            "sim.data.build_detailed` writes them")]) from None
    report["task_bins"] = table.tasks.n_tasks
    return table, report


def load_shipped(bins: dict[str, int]) -> tuple[OccupationTable, dict]:
    """The detailed table shipped with the package, split into ``bins`` (any bin counts:
    the shipped task pools do not depend on them), and its join report; ~0.1 s, cached in
    memory.
    """
    table, report = _shipped(tuple(sorted(bins.items())))
    return table, dict(report)


#: Arrays of a table and of its task profile, as stored in the cache.
_TABLE_ARRAYS = ("employment", "wage_usd_per_hour", "job_zone", "exposure_score")
_TASK_ARRAYS = tuple(f.name for f in dataclasses.fields(TaskProfile))


def cache_dir() -> Path:
    """Where built tables are cached: ``$SIM_CACHE_DIR``, else ``~/.cache/ai-economy-sim``."""
    return Path(os.environ.get("SIM_CACHE_DIR") or Path.home() / ".cache" / "ai-economy-sim")


def _cache_key(data_dir: Path, bins: dict[str, int]) -> str:
    """Changes with the data files (name, size, time), the bins and this loader's code."""
    h = hashlib.sha256(repr(sorted(bins.items())).encode())
    for p in sorted(data_dir.glob("*")):
        if p.is_file():
            st = p.stat()
            h.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    for module in (__file__, bmg.__file__):
        h.update(Path(module).read_bytes())
    return h.hexdigest()[:24]


def _save(path: Path, table: OccupationTable, report: dict) -> None:
    arrays = {f"table.{k}": getattr(table, k) for k in _TABLE_ARRAYS}
    arrays.update({f"tasks.{k}": getattr(table.tasks, k) for k in _TASK_ARRAYS})
    meta = {"codes": table.codes, "titles": table.titles, "source": table.source,
            "report": report}
    with replacing(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **arrays)


def _load(path: Path) -> tuple[OccupationTable, dict]:
    """A cached table; anything but a complete, consistent one raises (and is rebuilt)."""
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        tasks = TaskProfile(**{k: z[f"tasks.{k}"] for k in _TASK_ARRAYS})
        table = OccupationTable(codes=tuple(meta["codes"]), titles=tuple(meta["titles"]),
                                tasks=tasks, source=meta["source"],
                                **{k: z[f"table.{k}"] for k in _TABLE_ARRAYS})
    _check_consistent(table)
    return table, dict(meta["report"])


def _check_consistent(table: OccupationTable) -> None:
    """One entry per occupation and per task bin, bins pointing at occupations, start figures
    finite: the zip format's checksums catch damaged bytes, this catches a wrong file.
    """
    n, k = table.n_occupations, table.tasks.n_tasks
    sizes = {len(table.titles)} | {len(getattr(table, a)) for a in _TABLE_ARRAYS}
    sizes_k = {len(getattr(table.tasks, a)) for a in _TASK_ARRAYS}
    occ = table.tasks.occupation
    if (sizes != {n} or sizes_k != {k} or n == 0 or occ.min() < 0 or occ.max() >= n
            or not np.all(np.isfinite(table.employment))
            or not np.all(np.isfinite(table.wage_usd_per_hour))):
        raise ValueError("inconsistent cached table")


def _read_cache(path: Path) -> tuple[OccupationTable, dict] | None:
    """The cached table, or None when there is none or it cannot be used.

    A cache is disposable: whatever is wrong with it (missing, truncated, not a zip, written by
    another version, inconsistent), the table is rebuilt from the data and the file replaced,
    so every failure to read it, of any kind, means "rebuild".
    """
    try:
        return _load(path)
    except Exception:  # noqa: BLE001 - see the docstring
        return None


@functools.lru_cache(maxsize=4)
def _cached(data_dir: str, key: str, bins: tuple) -> tuple[OccupationTable, dict]:
    path = cache_dir() / f"detailed-{key}.npz"
    cached = _read_cache(path)
    if cached is not None:
        return cached
    table, report = _build(Path(data_dir), dict(bins))
    try:
        _save(path, table, report)
    except OSError:
        pass  # a read-only home only costs the next run the build time
    return table, report


def load_detailed(data_dir: str | os.PathLike | None, bins: dict[str, int]
                  ) -> tuple[OccupationTable, dict]:
    """The detailed table and its join report: from the raw folder ``data_dir`` (found as
    :func:`find_data_dir` does when None), else the table shipped with the package.

    Building from the raw folder reads every task statement through the keyword rules
    (~5-10 s), so the result is cached in memory and on disk (:func:`cache_dir`), keyed by the
    data files' names, sizes and times, the bins and this loader's code: a change to any of
    them rebuilds.
    """
    data_dir = find_data_dir(data_dir)
    if data_dir is None:
        return load_shipped(bins)
    table, report = _cached(str(data_dir), _cache_key(data_dir, bins),
                            tuple(sorted(bins.items())))
    return table, dict(report)
