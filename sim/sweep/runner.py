"""Run a sweep in chunks on any ``concurrent.futures.Executor``: local worker processes by
default, or an existing Dask cluster (``Client.get_executor()``), through one code path.

Each chunk is a batch of runs stepped in lock-step by one model (scenarios of different
structure in separate batches). A worker returns the chunk's table; the sweep process writes it
as one Parquet file, under a temporary name renamed into place, so a file that exists is
complete. ``resume`` skips chunks whose file exists; since a run's seed comes from the sweep seed
and its index, and a scenario's results do not depend on its batch, the final summary table is
the same however the sweep was split, interrupted or distributed.

Layout of a sweep folder::

    sweep.yaml          the definition as run (base config written out in full) and its seed
    chunks/chunk-NNNNN.parquet   one row per run: parameters, status, outputs
    paths/chunk-NNNNN.parquet    full paths of the chosen aggregates (when asked for)
    summary.parquet     all runs, sorted by run index (built from the chunk files at the end)
    units.json          unit of every column
    manifest.json       version, seed, counts of runs by status
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
import json
import multiprocessing
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.config import SimConfig
from sim.errors import Problem, SimInputError
from sim.recorder import AGGREGATES
from sim.sweep.sampling import run_seeds, sample_values
from sim.sweep.spec import Outputs, SweepSpec, get_path, load_sweep, set_path

SWEEP_FILE = "sweep.yaml"
SUMMARY_FILE = "summary.parquet"
CHUNKS = "chunks"
PATHS = "paths"
MAX_RETRIES = 3
ENV_SCHEDULER = "DASK_SCHEDULER_ADDRESS"


# --- worker side -------------------------------------------------------------------------------
@dataclass
class ChunkTask:
    """Everything a worker needs for one chunk: small, so it pickles cheaply."""

    index: int
    runs: np.ndarray  #: run indices (int64)
    sweep_seed: int
    keys: tuple[str, ...]
    values: list[np.ndarray]  #: per parameter, its values for these runs
    base: dict
    outputs: Outputs
    fault: dict | None = None


@functools.lru_cache(maxsize=8)
def _table(bins: tuple[int, int, int]):
    from sim.occupations import load_builtin
    return load_builtin({"e0": bins[0], "e1": bins[1], "e2": bins[2]})


def _python(v):
    return v.item() if isinstance(v, np.generic) else v


def build_config(base: dict, keys, row, seed: int) -> SimConfig:
    """The validated config of one run; raises :class:`SimInputError` naming the field."""
    data = base
    for key, value in zip(keys, row, strict=True):
        data = set_path(data, key, _python(value))
    data = set_path(data, "seed", int(seed))
    try:
        return SimConfig.model_validate(data)
    except Exception:  # noqa: BLE001 - re-validate for the named, one-line problem
        from sim.loading import validate
        return validate(data, "run config")


class InjectedFault(RuntimeError):
    """Raised by the test-only ``inject_fault`` hook of a sweep file."""


def check_fault(fault: dict | None, configs: list[SimConfig]) -> np.ndarray:
    """Test-only fault injection (``inject_fault`` in a sweep file): a batch holding a run whose
    ``parameter`` exceeds ``above`` raises (``kind: raise``), or those runs' outputs become NaN
    (``kind: nan``). Returns the mask of runs the fault hits.
    """
    if not fault:
        return np.zeros(len(configs), dtype=bool)
    data = [c.model_dump(mode="python") for c in configs]
    hit = np.array([get_path(d, fault["parameter"]) > fault["above"] for d in data])
    if hit.any() and fault.get("kind", "raise") == "raise":
        raise InjectedFault(f"injected fault: {fault['parameter']} > {fault['above']}")
    return hit


def _year_index(times: np.ndarray, years) -> np.ndarray:
    """Step index of the last month of each year (as ``Results.value_at``)."""
    idx = np.searchsorted(times, np.asarray(years, dtype=float) + 1.0 - 1e-9) - 1
    return np.clip(idx, 0, len(times) - 1)


def release_models() -> None:
    """Let finished models be freed. Mesa 3.3 keys a class-level id counter by model
    (``mesa.Agent._ids``), which keeps every model ever built alive; a worker running
    hundreds of chunks would grow by a whole model per chunk.
    """
    import mesa

    from sim.model import AIEconomyModel

    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        for model in [m for m in ids if isinstance(m, AIEconomyModel)]:
            del ids[model]


def _simulate(configs: list[SimConfig], outputs: Outputs, fault) -> dict:
    """Step ``configs`` as one batch; returns output columns and paths, and the non-finite
    runs' first bad output (or '' for finite runs).
    """
    from sim.runner import run_batch

    hit = check_fault(fault, configs)
    first = configs[0]
    bins = (first.tasks.e0.bins, first.tasks.e1.bins, first.tasks.e2.bins)
    try:
        res = run_batch(configs, record_occupations=False,
                        table=_table(bins) if first.occupations.source == "builtin" else None,
                        record_aggregates={*outputs.aggregates, *outputs.paths})
    finally:
        release_models()
    years_idx = _year_index(res.times, outputs.years)
    cols: dict[str, np.ndarray] = {}
    for name in outputs.aggregates:
        series = res.aggregates[name]
        for y, i in zip(outputs.years, years_idx, strict=True):
            cols[f"{name}@{y}"] = series[i].copy()
    every = outputs.paths_every_months  # the last step of each period, as the year columns
    paths = {name: res.aggregates[name][every - 1::every].copy() for name in outputs.paths}
    if hit.any():  # test-only: make those runs' outputs non-finite
        for v in (*cols.values(), *paths.values()):
            v[..., hit] = np.nan
    bad = np.full(len(configs), "", dtype=object)
    for name, v in [*cols.items(), *((f"path {k}", v) for k, v in paths.items())]:
        nonfinite = ~np.isfinite(v) if v.ndim == 1 else ~np.isfinite(v).all(axis=0)
        for b in np.flatnonzero(nonfinite & (bad == "")):
            bad[b] = f"non-finite output: {name}"
    if outputs.milestones:
        for name, years in res.milestones.items():
            cols[f"milestone.{name}"] = years.copy()
    return {"cols": cols, "paths": paths, "bad": bad, "times": res.times}


def _isolate(configs: list[SimConfig], outputs: Outputs, fault) -> list[dict | str]:
    """Per run: its outputs, or the error that made it fail.

    A batch that raises is split in halves until the failing runs stand alone; runs with
    non-finite outputs are re-run alone to confirm. The other runs' results are unchanged by
    the split, because a scenario's results do not depend on its batch.
    """
    try:
        out = _simulate(configs, outputs, fault)
    except Exception as exc:  # noqa: BLE001 - any model failure is recorded, not raised
        if len(configs) == 1:
            return [f"{type(exc).__name__}: {exc}"]
        half = len(configs) // 2
        return _isolate(configs[:half], outputs, fault) + _isolate(configs[half:], outputs, fault)
    results: list[dict | str] = []
    for b in range(len(configs)):
        if out["bad"][b]:
            results.append(out["bad"][b] if len(configs) == 1
                           else _isolate([configs[b]], outputs, fault)[0])
        else:
            results.append({"cols": {k: v[b] for k, v in out["cols"].items()},
                            "paths": {k: v[:, b] for k, v in out["paths"].items()},
                            "times": out["times"]})
    return results


def run_chunk(task: ChunkTask) -> dict:
    """Run one chunk on a worker; returns its table as columns (and paths, if kept)."""
    seeds = run_seeds(task.sweep_seed, task.runs)
    n = len(task.runs)
    status = np.full(n, "ok", dtype=object)
    error = np.full(n, "", dtype=object)
    configs: dict[int, SimConfig] = {}
    for i in range(n):
        row = [v[i] for v in task.values]
        try:
            configs[i] = build_config(task.base, task.keys, row, int(seeds[i]))
        except SimInputError as exc:
            status[i], error[i] = "invalid", str(exc)
    groups: dict[tuple, list[int]] = {}
    for i, c in configs.items():
        groups.setdefault(c.structure_key(), []).append(i)
    per_run: dict[int, dict] = {}
    with np.errstate(all="ignore"):  # the same numerics in every process; bad runs are caught
        for members in groups.values():
            results = _isolate([configs[i] for i in members], task.outputs, task.fault)
            for i, r in zip(members, results, strict=True):
                if isinstance(r, str):
                    status[i], error[i] = "failed", r
                else:
                    per_run[i] = r
    cols = {"run": task.runs.astype(np.int64), "seed": seeds, "status": status, "error": error}
    for key, v in zip(task.keys, task.values, strict=True):
        cols[key] = v
    names = output_columns(task.outputs, task.base["milestones"]["levels"])
    for name in names:
        col = np.full(n, np.nan)
        for i, r in per_run.items():
            col[i] = r["cols"][name]
        cols[name] = col
    paths = None
    if task.outputs.paths and per_run:
        every = task.outputs.paths_every_months
        times = next(iter(per_run.values()))["times"][every - 1::every]
        ok = sorted(per_run)
        paths = {"run": np.repeat(task.runs[ok], len(times)).astype(np.int64),
                 "year": np.tile(times, len(ok))}
        for name in task.outputs.paths:
            paths[name] = np.concatenate([per_run[i]["paths"][name] for i in ok])
    return {"index": task.index, "columns": cols, "paths": paths}


def output_columns(outputs: Outputs, levels) -> list[str]:
    """Names of the output columns, in order (``levels``: the milestone levels)."""
    names = [f"{a}@{y}" for a in outputs.aggregates for y in outputs.years]
    return names + (milestone_names(levels) if outputs.milestones else [])


def milestone_names(levels) -> list[str]:
    """Milestone columns for the given levels (as ``sim.milestones.milestone_years``)."""
    out = []
    for level in levels:
        pct = int(round(level * 100))
        out += [f"milestone.capable_{pct}pct", f"milestone.adopted_{pct}pct"]
    return out + ["milestone.automated_ai_researcher"]


# --- sweep side --------------------------------------------------------------------------------
class InlineExecutor(cf.Executor):
    """Runs each task in the calling process when it is submitted (``--workers 1``)."""

    def submit(self, fn, /, *args, **kwargs):  # noqa: D102
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


def _warm_worker():
    """Import the model and load the occupation table once per worker process."""
    _table((4, 1, 1))


@contextlib.contextmanager
def open_executor(workers: int | None = None, scheduler: str | None = None
                  ) -> Iterator[tuple[cf.Executor, int, Callable[[], cf.Executor] | None]]:
    """An executor for chunks, how many chunks it runs at once, and (for local pools) a way
    to make a fresh one if a worker process dies.
    """
    scheduler = scheduler or os.environ.get(ENV_SCHEDULER) or None
    if scheduler:
        client = connect(scheduler)
        try:
            slots = sum(w.get("nthreads", 1) for w in
                        client.scheduler_info()["workers"].values()) or 1
            yield client.get_executor(pure=False), slots, None
        finally:
            client.close()
        return
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        yield InlineExecutor(), 1, None
        return
    method = "fork" if sys.platform.startswith("linux") else "spawn"

    def make():
        return cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                                      initializer=_warm_worker)
    holder = [make()]

    def fresh():
        holder[0].shutdown(wait=False, cancel_futures=True)
        holder[0] = make()
        return holder[0]
    try:
        yield holder[0], workers, fresh
    finally:
        holder[0].shutdown(wait=True, cancel_futures=True)


def _probe_worker() -> str:
    import sim
    return sim.__version__


def connect(address: str):
    """A Dask client for an existing cluster whose workers can import this package."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - dask is a dependency
        raise SimInputError("--scheduler", [Problem("scheduler", address, "dask.distributed is "
                            "not installed; allowed: pip install 'dask[distributed]'")]) from None
    try:
        client = Client(address, timeout="20s")
    except OSError as exc:
        raise SimInputError("--scheduler", [Problem("scheduler", address, f"cannot connect "
                            f"({exc}); allowed: the address of a running Dask scheduler, "
                            "e.g. tcp://10.0.0.5:8786")]) from None
    try:
        versions = client.run(_probe_worker)
    except Exception as exc:  # noqa: BLE001 - a worker without the package
        client.close()
        raise SimInputError("--scheduler", [Problem("workers", address, f"a worker cannot "
                            f"import sim ({exc}); allowed: workers with the package installed "
                            "(see README, Experiments and sweeps)")]) from None
    if not versions:
        client.close()
        raise SimInputError("--scheduler", [Problem("workers", 0, "the cluster has no "
                                                    "workers; allowed: at least one")])
    return client


def _write_atomic(table, path: Path) -> None:
    import pyarrow.parquet as pq
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        pq.write_table(table, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def chunk_path(out: Path, index: int, kind: str = CHUNKS) -> Path:
    """Where a chunk's table is written."""
    return out / kind / f"chunk-{index:05d}.parquet"


def _arrow_table(columns: dict):
    import pyarrow as pa
    arrays = {}
    for k, v in columns.items():
        if v.dtype == object:
            arrays[k] = pa.array(list(v), type=pa.string() if all(isinstance(x, str) for x in v)
                                 else None)
        else:
            arrays[k] = pa.array(v)
    return pa.table(arrays)


def write_chunk(out: Path, result: dict) -> None:
    """Paths first, then the table: a chunk counts as done only when its table exists."""
    if result["paths"] is not None:
        _write_atomic(_arrow_table(result["paths"]), chunk_path(out, result["index"], PATHS))
    _write_atomic(_arrow_table(result["columns"]), chunk_path(out, result["index"]))


def tasks_for(spec: SweepSpec, values: list[np.ndarray], chunks) -> Iterator[ChunkTask]:
    """One task per chunk index: runs ``[i * chunk_size, (i + 1) * chunk_size)``."""
    for i in chunks:
        lo, hi = i * spec.chunk_size, min((i + 1) * spec.chunk_size, spec.runs)
        yield ChunkTask(index=i, runs=np.arange(lo, hi, dtype=np.int64),
                        sweep_seed=spec.seed, keys=spec.keys,
                        values=[v[lo:hi] for v in values], base=spec.base,
                        outputs=spec.outputs, fault=spec.inject_fault)


def prepare_folder(spec: SweepSpec, out: Path, force: bool) -> None:
    """A new sweep folder holding the definition; refuses a non-empty folder unless forced."""
    if out.exists() and any(out.iterdir()):
        if not force:
            raise SimInputError("--out", [Problem("out", str(out), "folder exists and is not "
                                "empty; allowed: a new folder, --resume to finish it, or "
                                "--force to replace it")])
        import shutil
        shutil.rmtree(out)
    (out / CHUNKS).mkdir(parents=True)
    tmp = out / f".{SWEEP_FILE}.tmp"
    tmp.write_text(spec.to_yaml())
    os.replace(tmp, out / SWEEP_FILE)


def load_folder(out: Path) -> SweepSpec:
    """The sweep definition stored in a sweep folder (for ``--resume`` and ``analyze``)."""
    path = Path(out) / SWEEP_FILE
    if not path.is_file():
        raise SimInputError(str(out), [Problem(SWEEP_FILE, "(missing)", "not a sweep folder; "
                                               "allowed: a folder written by `sim sweep`")])
    return load_sweep(path, text=path.read_text())


def finished_chunks(out: Path) -> set[int]:
    """Chunks whose table exists (written atomically, so complete); stale temporaries go."""
    done = set()
    for kind in (CHUNKS, PATHS):
        for p in (out / kind).glob(".chunk-*.tmp-*"):
            p.unlink(missing_ok=True)
    for p in (out / CHUNKS).glob("chunk-*.parquet"):
        done.add(int(p.stem.split("-")[1]))
    return done


def run_sweep(spec: SweepSpec | None, out: Path | str, *, workers: int | None = None,
              scheduler: str | None = None, resume: bool = False, force: bool = False,
              progress: bool = True, on_chunk: Callable[[int], None] | None = None,
              executor: cf.Executor | None = None, slots: int | None = None) -> Path:
    """Run (or finish, with ``resume``) a sweep into ``out``; returns the summary file.

    ``executor`` may be any ``concurrent.futures.Executor`` (a Dask ``ClientExecutor``
    included); otherwise one is opened from ``workers`` / ``scheduler``. ``on_chunk`` is called
    with each chunk index as its file is written.
    """
    from tqdm.auto import tqdm

    out = Path(out)
    if resume:
        spec = load_folder(out)
        (out / CHUNKS).mkdir(exist_ok=True)
    else:
        prepare_folder(spec, out, force)
    if spec.outputs.paths:
        (out / PATHS).mkdir(exist_ok=True)
    done = finished_chunks(out)
    todo = [i for i in range(spec.n_chunks) if i not in done]
    values = sample_values(spec)
    runs_done = sum(min(spec.chunk_size, spec.runs - i * spec.chunk_size) for i in done)
    t0 = time.perf_counter()
    bar = tqdm(total=spec.runs, initial=runs_done, unit="run", disable=not progress,
               desc=f"sweep {spec.name}", dynamic_ncols=True, smoothing=0.1)
    bar.set_postfix_str(f"chunks {len(done)}/{spec.n_chunks}")
    with contextlib.ExitStack() as stack:
        fresh = None
        if executor is None:
            executor, slots, fresh = stack.enter_context(open_executor(workers, scheduler))
        _drive(executor, slots or 1, fresh, tasks_for(spec, values, todo), out, bar, done,
               spec, on_chunk)
    bar.close()
    return finish(spec, out, time.perf_counter() - t0)


def _drive(executor, slots, fresh, tasks, out, bar, done, spec, on_chunk) -> None:
    """Keep ``2 x slots`` chunks in flight; write each as it completes; retry lost chunks."""
    pending: dict[cf.Future, ChunkTask] = {}
    retries: dict[int, int] = {}
    queue: list[ChunkTask] = []
    tasks = iter(tasks)

    def submit(task):
        nonlocal executor
        try:
            pending[executor.submit(run_chunk, task)] = task
        except cf.BrokenExecutor:
            if fresh is None:
                raise
            executor = fresh()
            pending[executor.submit(run_chunk, task)] = task

    def fill():
        while len(pending) < 2 * slots:
            task = queue.pop(0) if queue else next(tasks, None)
            if task is None:
                return
            submit(task)

    fill()
    while pending:
        finished, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
        for fut in finished:
            task = pending.pop(fut)
            try:
                result = fut.result()
            except Exception as exc:  # a lost worker, not a model error (those are recorded)
                retries[task.index] = retries.get(task.index, 0) + 1
                if retries[task.index] > MAX_RETRIES:
                    raise RuntimeError(f"chunk {task.index} failed {MAX_RETRIES + 1} times: "
                                       f"{type(exc).__name__}: {exc}") from exc
                if isinstance(exc, cf.BrokenExecutor) and fresh is not None:
                    lost = [pending.pop(f) for f in list(pending)]
                    executor = fresh()
                    queue.extend(lost)
                queue.append(task)
                continue
            write_chunk(out, result)
            done.add(task.index)
            bar.update(len(task.runs))
            bar.set_postfix_str(f"chunks {len(done)}/{spec.n_chunks}")
            if on_chunk is not None:
                on_chunk(task.index)
        fill()


def units(spec: SweepSpec) -> dict[str, str]:
    """Unit of every summary column."""
    from sim.paramdoc import parameter_rows

    docs = {r["name"]: r["doc"] for r in parameter_rows()}
    out = {"run": "index of the run in the sample (0-based)",
           "seed": "integer seed of the run's random stream (from the sweep seed and run)",
           "status": "ok | failed (error in the model or non-finite output) | invalid (config "
                     "rejected by the schema)",
           "error": "why the run failed (empty if ok)"}
    for key in spec.keys:
        generic = ".".join(p if not p.isdigit() else "0" for p in key.split("."))
        doc = docs.get(key) or docs.get(generic) or _doc_by_suffix(docs, key)
        out[key] = doc.split("]")[0].lstrip("[") if doc.startswith("[") else "see `sim params`"
    for name in spec.outputs.aggregates:
        for y in spec.outputs.years:
            out[f"{name}@{y}"] = f"{AGGREGATES[name][0]}, in December {y}"
    if spec.outputs.milestones:
        for name in milestone_names(spec.base["milestones"]["levels"]):
            out[name] = "calendar year (decimal) first reached; NaN if not by the end"
    for name in spec.outputs.paths:
        out[f"paths.{name}"] = AGGREGATES[name][0]
    out["paths.year"] = "calendar year (decimal) at the start of the step"
    return out


def _doc_by_suffix(docs: dict, key: str) -> str:
    tail = key.split(".")
    for name, doc in docs.items():
        parts = name.split(".")
        if parts[0] == tail[0] and parts[-1] == tail[-1]:
            return doc
    return ""


def finish(spec: SweepSpec, out: Path, seconds: float) -> Path:
    """Build the summary table from the chunk files; write units and manifest."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from sim import __version__

    files = sorted((out / CHUNKS).glob("chunk-*.parquet"))
    table = pa.concat_tables([pq.read_table(f) for f in files], promote_options="permissive")
    table = table.sort_by("run")
    _write_atomic(table, out / SUMMARY_FILE)
    status = table.column("status")
    counts = {s: int(pc.sum(pc.equal(status, s)).as_py() or 0) for s in
              ("ok", "failed", "invalid")}
    (out / "units.json").write_text(json.dumps(units(spec), indent=2))
    manifest = {"package": "ai-economy-sim", "version": __version__, "name": spec.name,
                "seed": spec.seed, "sampler": spec.sampler, "runs": spec.runs,
                "chunk_size": spec.chunk_size, "chunks": spec.n_chunks, "status": counts,
                "python": platform.python_version(), "numpy": np.__version__,
                "last_session_seconds": round(seconds, 3),
                "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return out / SUMMARY_FILE
