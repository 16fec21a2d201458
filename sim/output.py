"""Write a result folder atomically: everything goes into a hidden temporary folder beside the
target, and the folder is renamed into place only when complete (manifest written last).

A run killed part-way leaves only ``.NAME.partial-*``, never a folder that looks complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import Problem, SimInputError
from sim.loading import config_to_yaml
from sim.results import Results

MANIFEST = "manifest.json"


def write_table(df: pd.DataFrame, path_stem: Path, fmt: str) -> Path:
    """Write a table as Parquet or CSV; returns the file written."""
    if fmt == "parquet":
        path = path_stem.with_suffix(".parquet")
        df.to_parquet(path, index=False)
    else:
        path = path_stem.with_suffix(".csv")
        df.to_csv(path, index=False)
    return path


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def prepare_target(out: Path, force: bool) -> None:
    """Refuse to overwrite an existing result unless asked to."""
    if out.exists() and any(out.iterdir()) and not force:
        raise SimInputError("--out", [Problem("out", str(out), "folder exists and is not "
                                              "empty; allowed: a new folder, or --force to "
                                              "replace it")])


def write_run(results: Results, out: Path | str, *, fmt: str = "parquet", plots: bool = True,
              force: bool = False, command: str = "") -> Path:
    """Write tables, config, seed, version, summary, figures and manifest to ``out``."""
    from sim import __version__

    out = Path(out)
    prepare_target(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; a result folder is not
    try:
        files = [
            write_table(results.aggregates_frame(), tmp / "aggregates", fmt),
            write_table(results.milestones_frame(), tmp / "milestones", fmt),
        ]
        if results.occupations:
            files.append(write_table(results.occupations_frame(), tmp / "occupations", fmt))
        if results.occupation_info is not None:
            files.append(write_table(results.occupation_info, tmp / "occupation_info", fmt))
        (tmp / "config.yaml").write_text(config_to_yaml(results.configs[0]))
        (tmp / "seed.txt").write_text(f"{results.configs[0].seed}\n")
        summaries = [results.summary(b) for b in range(results.n_scenarios)]
        (tmp / "summary.json").write_text(json.dumps(
            summaries[0] if len(summaries) == 1 else summaries, indent=2))
        (tmp / "units.json").write_text(json.dumps(results.units(), indent=2))
        files += [tmp / n for n in ("config.yaml", "seed.txt", "summary.json", "units.json")]
        if results.join_report:
            (tmp / "join_report.json").write_text(json.dumps(results.join_report, indent=2))
            files.append(tmp / "join_report.json")
        if plots:
            from sim.plots import make_figures
            files += make_figures(results, tmp / "figures", label=out.name)
        manifest = {
            "package": "ai-economy-sim", "version": __version__,
            "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "command": command, "python": platform.python_version(),
            "numpy": np.__version__, "seed": results.configs[0].seed,
            "scenarios": results.n_scenarios, "format": fmt,
            "files": {str(p.relative_to(tmp)): {"bytes": p.stat().st_size,
                                                "sha256": _sha256(p)} for p in files},
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))
        if out.exists():
            trash = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, trash)
            os.replace(tmp, out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def is_complete(folder: Path | str) -> bool:
    """True if ``folder`` holds a manifest whose files all exist with the recorded sizes."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    return all((folder / name).is_file() and (folder / name).stat().st_size == meta["bytes"]
               for name, meta in manifest["files"].items())
