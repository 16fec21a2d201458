"""A run's result folder: what it holds, the checks on where it goes, and reading it back.

The folder is written as :mod:`sim.files` writes anything: into a hidden temporary folder
beside the target, renamed into place only when complete (its manifest last). A run killed
part-way leaves only ``.NAME.partial-*``, never a folder that looks complete. The check that
the target is free and the rename happen under an exclusive lock, so two runs writing to one
folder at once never silently replace each other's result.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import Problem, SimInputError
from sim.files import dump_json, move_into_place, probe_writable, staging, write_text
from sim.outputs.manifest import MANIFEST, MANIFEST_MAX_BYTES, file_entry
from sim.outputs.results import Results, year_month

ALLOWED_OUT = "allowed: a folder you can write to, on a disk with free space"


class NonFiniteResultError(ValueError):
    """A valid config whose run produced NaN or inf: a failed run, never written as a result."""


def write_table(df: pd.DataFrame, path_stem: Path, fmt: str) -> Path:
    """Write a table as Parquet or CSV; returns the file written."""
    if fmt == "parquet":
        path = path_stem.with_suffix(".parquet")
        df.to_parquet(path, index=False)
    else:
        path = path_stem.with_suffix(".csv")
        df.to_csv(path, index=False)
    return path


# ----------------------------------------------------------------------------- the target


def cannot_write(arg: str, target: Path, exc: OSError) -> SimInputError:
    """The input error for a target that cannot be written (read-only, disk full, ...)."""
    reason = exc.strerror or type(exc).__name__
    return SimInputError(arg, [Problem(arg.lstrip("-"), str(target), f"cannot be written "
                                       f"({reason}); nothing was written there; {ALLOWED_OUT}")])


def check_writable(target: Path, arg: str = "--out") -> None:
    """Fail now, before any work, if nothing can be written beside ``target``: create its
    parent and write and remove a hidden file there (as the real write will).
    """
    try:
        probe_writable(target)
    except OSError as exc:
        raise cannot_write(arg, target, exc) from None


def _refuse(arg: str, target: Path, why: str, allowed: str) -> SimInputError:
    return SimInputError(arg, [Problem(arg.lstrip("-"), str(target), f"{why}; nothing was "
                                       f"written there; allowed: {allowed}")])


def holds_anything(folder: Path, arg: str = "--out") -> bool:
    """True if ``folder`` exists and is not empty; an unreadable folder is an input error."""
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is not None
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise cannot_write(arg, folder, exc) from None


def is_result_folder(folder: Path) -> bool:
    """True if ``folder`` holds a manifest written by :func:`write_run`."""
    try:
        with open(folder / MANIFEST, "rb") as f:
            manifest = json.loads(f.read(MANIFEST_MAX_BYTES))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(manifest, dict) and isinstance(manifest.get("files"), dict)


def existing_kind(target: Path, arg: str = "--out") -> str:
    """``"folder"``, ``"file"`` or ``""`` (nothing there); a path the system cannot look at
    (a name too long, a parent that may not be read) is an input error naming ``arg``.
    """
    try:
        return "folder" if target.is_dir() else "file" if target.exists() else ""
    except OSError as exc:
        raise cannot_write(arg, target, exc) from None


def check_target_name(target: Path, arg: str = "--out") -> None:
    """A target must be a name that can be renamed into (not ``.``, ``..`` or ``/``)."""
    if target.name in ("", ".", ".."):
        raise _refuse(arg, target, "names no new entry", "a path ending in a folder name")


def prepare_target(out: Path, force: bool, arg: str = "--out") -> None:
    """Refuse, before any work, a target that is a file, a non-empty folder (without
    ``force``; with it, only a result folder is replaced), or not writable.
    """
    check_target_name(out, arg)
    if existing_kind(out, arg) == "file":
        raise _refuse(arg, out, "is a file", "a new folder, or a result folder with --force")
    if holds_anything(out, arg):
        if not force:
            raise _refuse(arg, out, "folder exists and is not empty",
                          "a new folder, or --force to replace it")
        if not is_result_folder(out):
            raise _refuse(arg, out, "folder is not a result folder (no manifest.json), and "
                          "--force replaces only result folders", "a new or empty folder")
    check_writable(out, arg)


def publish(tmp: Path, out: Path, *, replace: bool, arg: str = "--out") -> None:
    """Move the finished folder ``tmp`` to ``out``, under the target's lock: an ``out`` that
    is not empty is replaced only if ``replace``; otherwise nothing is written there.
    """
    def check() -> None:
        if holds_anything(out, arg) and not replace:
            raise _refuse(arg, out, "folder exists and is not empty (written meanwhile by "
                          "another run)", "a new folder, or --force to replace it")

    move_into_place(tmp, out, check)


def write_text_atomic(path: Path, text: str, arg: str = "--out") -> Path:
    """Write ``text`` to ``path`` as :func:`sim.files.write_text` does (a reader never
    sees a half-written file); a write that fails is an input error naming ``arg``.
    """
    try:
        return write_text(path, text)
    except OSError as exc:
        raise cannot_write(arg, path, exc) from None


# ----------------------------------------------------------------------------- a run's folder


def _first_bad(series: dict[str, np.ndarray]) -> tuple[int, str, tuple] | None:
    """The earliest step at which any series is not finite: (step, name, index)."""
    found = None
    for name, values in series.items():
        bad = np.argwhere(~np.isfinite(values))
        if len(bad) and (found is None or bad[0][0] < found[0]):
            found = (int(bad[0][0]), name, tuple(int(i) for i in bad[0]))
    return found


def non_finite_message(results: Results) -> str | None:
    """Where a run first went NaN or infinite (aggregates first, then occupations)."""
    for kind, series in (("aggregate", results.aggregates),
                         ("occupation series", results.occupations)):
        found = _first_bad(series)
        if found is None:
            continue
        step, name, idx = found
        value = series[name][idx]
        where = f" of occupation {results.occupation_codes[idx[2]]}" if len(idx) == 3 else ""
        scenario = idx[1] if len(idx) < 3 or results.occupation_scenarios is None \
            else results.occupation_scenarios[idx[1]]
        if results.ensemble is not None:  # name the member so it can be run alone
            scenario = (f"ensemble member {scenario} (model seed "
                        f"{results.configs[scenario].seed})")
        else:
            scenario = f"scenario {scenario}"
        return (f"{kind} {name}{where} = {value} in {scenario} at "
                f"{year_month(float(results.times[step]))} (step {step})")
    return None


def check_finite(results: Results, target: Path | str) -> None:
    """Refuse to keep a run whose outputs hold NaN or inf: a failed run, not a result."""
    where = non_finite_message(results)
    if where is not None:
        raise NonFiniteResultError(f"the model failed: non-finite output, first {where}; "
                                   f"nothing was written to {target}")


def _write_files(results: Results, tmp: Path, fmt: str, plots: bool, label: str,
                 ahead=None) -> list[Path]:
    """Tables, config, seed, summary, units, join report and figures; returns the files."""
    from sim.config.loading import config_to_yaml

    files = [write_table(results.aggregates_frame(), tmp / "aggregates", fmt),
             write_table(results.milestones_frame(), tmp / "milestones", fmt)]
    if results.occupations:
        files.append(write_table(results.occupations_frame(), tmp / "occupations", fmt))
    if results.occupation_info is not None:
        files.append(write_table(results.occupation_info, tmp / "occupation_info", fmt))
    from sim.outputs import record

    files.append(record.write(results.record, tmp / record.RECORD_FILE))
    summaries = [results.summary(b) for b in range(results.n_scenarios)]
    config = results.ensemble.base if results.ensemble is not None else results.configs[0]
    texts = {"config.yaml": config_to_yaml(config),
             "seed.txt": f"{config.seed}\n",
             "summary.json": dump_json(summaries[0] if len(summaries) == 1 else summaries),
             "units.json": dump_json(results.units())}
    if results.join_report:
        texts["join_report.json"] = dump_json(results.join_report)
    if results.ensemble is not None:  # the members' draws, and the same members as a sweep
        from sim.ensemble import summary

        files.append(write_table(results.ensemble.members_frame(), tmp / "members", fmt))
        texts["ensemble.json"] = dump_json(summary(results))
        texts["ensemble.yaml"] = results.ensemble.spec.to_yaml()
    for name, text in texts.items():
        (tmp / name).write_text(text)
        files.append(tmp / name)
    if plots:
        from sim.figures.run import make_figures
        files += make_figures(results, tmp / "figures", label=label, ahead=ahead)
    return files


def _manifest(results: Results, tmp: Path, files: list[Path], fmt: str, command: str) -> dict:
    from sim import __version__

    return {"package": "ai-economy-sim", "version": __version__,
            "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "command": command, "python": platform.python_version(),
            "numpy": np.__version__,
            "seed": (results.ensemble.seed if results.ensemble is not None
                     else results.configs[0].seed),
            "scenarios": results.n_scenarios, "format": fmt,
            "files": {p.relative_to(tmp).as_posix(): file_entry(p) for p in files}}


def write_run(record, out: Path | str, *, fmt: str = "parquet", plots: bool = True,
              force: bool = False, command: str = "", arg: str = "--out", ahead=None) -> Path:
    """Write a run's record (:func:`sim.run`'s result) to ``out``: the record itself, and
    tables, config, seed, version, summary, figures and manifest drawn from it (``ahead``:
    figures already being drawn, :func:`sim.figures.run.draw_ahead`).

    Raises :class:`NonFiniteResultError` (nothing written) for a run with NaN or inf outputs,
    and :class:`SimInputError` naming ``arg`` when ``out`` is taken or cannot be written.
    """
    out = Path(out)
    results = record.sim
    check_finite(results, out)
    prepare_target(out, force, arg)
    try:
        with staging(out, folder=True) as tmp:
            files = _write_files(results, tmp, fmt, plots, out.name, ahead)
            manifest = _manifest(results, tmp, files, fmt, command)
            (tmp / MANIFEST).write_text(dump_json(manifest))
            publish(tmp, out, replace=force, arg=arg)
    except OSError as exc:
        raise cannot_write(arg, out, exc) from None
    return out
