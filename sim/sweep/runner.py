"""Run a sweep in chunks on any ``concurrent.futures.Executor``: local worker processes by
default, or an existing Dask cluster (``Client.get_executor()``), through one code path.

Each chunk is a batch of runs stepped in lock-step by one model (scenarios of different
structure in separate batches). A worker returns the chunk's table; the sweep process writes it
as one Parquet file, under a temporary name renamed into place, so a file that exists is
complete. ``resume`` skips chunks whose file exists; since a run's seed comes from the sweep seed
and its index, and a scenario's results do not depend on its batch, the final summary table is
the same however the sweep was split, interrupted or distributed.

Layout of a sweep folder::

    sweep.yaml          the definition as run (base config written out in full) and its seed;
                        its last line is the SHA-256 of the rest
    chunks/chunk-NNNNN.parquet   one row per run: parameters, status, outputs
    paths/chunk-NNNNN.parquet    full paths of the chosen aggregates (when asked for)
    corrupt/            chunk files ``--resume`` found unusable, set aside (never deleted)
    summary.parquet     all runs, sorted by run index (built from the chunk files at the end)
    units.json          unit of every column
    manifest.json       version, seed, counts of runs by status
    .lock               held (``flock``) by the process writing the folder

Decisions, so that no interruption loses work or gives a wrong table:

- ``--resume`` reads the definition only after its checksum matches: a ``sweep.yaml`` cut
  short or edited would finish the sweep on another base config (defaults filling the gap).
  A file without the line (cut short, or from before checksums) is refused too; the message
  gives the line to append once the user has checked the file.
- A chunk file ``--resume`` cannot read in full, or that holds other runs or columns, is moved
  to ``corrupt/`` with a one-line note on stderr and its chunk computed again, rather than
  refused: the file is worthless, the recomputation gives the same rows, and the user keeps
  the evidence.
- A second process on the same folder is refused (the lock), and ``--force`` replaces only a
  sweep folder, never a folder of something else.
- Local workers die with the sweep process: the kernel kills them when it dies
  (``PR_SET_PDEATHSIG``, Linux) and a thread in each checks its parent every second.
  SIGTERM and Ctrl-C kill the workers at once (a chunk may take minutes) and raise
  :class:`SweepInterrupted`, whose one-line message says the chunks written are kept.
- A Dask cluster left without workers stops the sweep after ``worker_timeout`` seconds
  (:data:`NO_WORKER_TIMEOUT_S` unless told) with one line; the chunks written stay.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import functools
import hashlib
import multiprocessing
import os
import platform
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.config.schema import SimConfig
from sim.errors import Problem, SimInputError, one_line
from sim.files import (
    LockTaken,
    dump_json,
    exclusive_lock,
    interrupts_deferred,
    probe_writable,
    replacing,
    write_text,
)
from sim.model.recorder import AGGREGATES
from sim.outputs.record import SWEEP_RECORDS
from sim.sweep.sampling import run_seeds, sample_values
from sim.sweep.spec import Outputs, SweepSpec, get_path, load_sweep, set_path

SWEEP_FILE = "sweep.yaml"
SUMMARY_FILE = "summary.parquet"
CHUNKS = "chunks"
PATHS = "paths"
#: chunk records (NetCDF, :func:`sim.outputs.record.chunk_dataset`);
#: ``sim.outputs.record.open_sweep`` opens them as one lazy Dataset
RECORDS = SWEEP_RECORDS
CORRUPT = "corrupt"
LOCK_FILE = ".lock"
CHUNK_NAME = re.compile(r"chunk-\d{5,}\.parquet")
CHECKSUM_PREFIX = "# sha256: "
#: The tag of the hidden temporary names files are written under: ``.NAME.tmp-*``.
TEMPORARY = "tmp"
MAX_RETRIES = 3
ENV_SCHEDULER = "DASK_SCHEDULER_ADDRESS"
#: How long a sweep waits for a Dask cluster that has no workers before it stops.
NO_WORKER_TIMEOUT_S = 60.0
#: How long connecting to a Dask scheduler may take.
CONNECT_TIMEOUT_S = 20.0
#: How often the driver wakes while waiting for chunks (signals, the cluster's workers).
POLL_S = 1.0
#: How often a local worker checks that the sweep process is still its parent.
WATCH_PARENT_S = 1.0
PR_SET_PDEATHSIG = 1  #: from <linux/prctl.h>


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
    from sim.data.occupations import load_builtin
    return load_builtin({"e0": bins[0], "e1": bins[1], "e2": bins[2]})


def _python(v):
    return v.item() if isinstance(v, np.generic) else v


def build_config(base: dict, keys, row, seed: int,
                 validated_base: SimConfig | None = None) -> SimConfig:
    """The validated config of one run; raises :class:`SimInputError` naming the field.

    ``validated_base``, ``base`` already validated (:func:`validated`), saves validating again
    the sections no key changes: they go in as the base's own (frozen) sections, which pydantic
    takes as they are, while the changed sections and the checks across sections run as usual.
    The config is the same either way (``tests/test_sweep_run.py``).
    """
    data = base
    for key, value in zip(keys, row, strict=True):
        data = set_path(data, key, _python(value))
    data = set_path(data, "seed", int(seed))
    if validated_base is not None:
        changed = {key.split(".")[0] for key in keys} | {"seed"}
        fast = {name: value if name in changed or name not in SimConfig.model_fields
                else getattr(validated_base, name) for name, value in data.items()}
    try:
        return SimConfig.model_validate(data if validated_base is None else fast)
    except Exception:  # noqa: BLE001 - re-validate for the named, one-line problem
        from sim.config.loading import validate
        return validate(data, "run config")


def validated(base: dict) -> SimConfig | None:
    """``base`` as a config, for :func:`build_config`; None if it does not validate alone."""
    try:
        return SimConfig.model_validate(base)
    except Exception:  # noqa: BLE001 - each run then validates in full and names its problem
        return None


class InjectedFault(RuntimeError):
    """Raised by the test-only fault hook (:attr:`SweepSpec.inject_fault`)."""


def check_fault(fault: dict | None, configs: list[SimConfig]) -> np.ndarray:
    """Test-only fault injection (:attr:`SweepSpec.inject_fault`, set from Python as
    ``{parameter: KEY, above: NUMBER, kind: raise|nan}``): a batch holding a run whose
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
    from sim.outputs.results import year_end_step

    return np.array([year_end_step(times, y) for y in years], dtype=int)


def release_models() -> None:
    """Let finished models be freed. Mesa 3.3 keys a class-level id counter by model
    (``mesa.Agent._ids``), which keeps every model ever built alive; a worker running
    hundreds of chunks would grow by a whole model per chunk.
    """
    import mesa

    from sim.model.model import AIEconomyModel

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
    bins = (first.tasks.bins.e0, first.tasks.bins.e1, first.tasks.bins.e2)
    try:
        res = run_batch(configs, record_occupations=False,
                        table=_table(bins) if first.occupations.source == "builtin" else None,
                        record_aggregates={*outputs.aggregates, *outputs.paths}).sim
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
    base = validated(task.base)
    for i in range(n):
        row = [v[i] for v in task.values]
        try:
            configs[i] = build_config(task.base, task.keys, row, int(seeds[i]), base)
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
    """Milestone columns for the given levels (as ``sim.outputs.milestones.milestone_years``)."""
    out = []
    for level in levels:
        pct = int(round(level * 100))
        out += [f"milestone.capable_{pct}pct", f"milestone.adopted_{pct}pct"]
    return out + ["milestone.automated_ai_researcher"]


# --- sweep side --------------------------------------------------------------------------------
class InlineExecutor(cf.Executor):
    """Runs each task in the calling process when it is submitted (``--workers 1``).

    Only ``Exception`` goes into the future: Ctrl-C and SIGTERM (:class:`SweepInterrupted`)
    stop the sweep at once.
    """

    def submit(self, fn, /, *args, **kwargs):  # noqa: D102
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped a sweep. The chunks written so far are complete files and
    stay for ``--resume``; the local workers were stopped. A ``KeyboardInterrupt``, so that
    callers that stop on Ctrl-C stop on it too.
    """

    def __init__(self, signal_name: str = "SIGINT"):
        super().__init__(signal_name)
        self.signal_name = signal_name
        self.out: Path | None = None
        self.done = 0
        self.total = 0

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as a shell reports a process the signal ended."""
        return 128 + int(getattr(signal, self.signal_name, signal.SIGINT))

    def message(self) -> str:
        """One line: what stopped the sweep, what is kept, how to finish it."""
        return (f"stopped by {self.signal_name}: the {self.done} of {self.total} chunks written "
                f"so far are kept in {self.out}; finish with `sim sweep --resume {self.out}`")


#: Set by the SIGTERM handler; the chunk loop raises again from it, should the handler's own
#: exception have been swallowed (Python ignores an exception raised while it runs a weakref
#: or ``__del__`` callback, where a signal can land).
_TERMINATED = threading.Event()


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """SIGTERM stops a sweep as Ctrl-C does (raising :class:`SweepInterrupted` in the main
    thread), so the workers are stopped and the message is written. A second SIGTERM during
    that clean-up is ignored; the workers die with this process whatever happens.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _TERMINATED.set()
        raise SweepInterrupted("SIGTERM")

    def unraisable(info, previous=sys.unraisablehook):
        if not isinstance(info.exc_value, SweepInterrupted):  # ours is raised again: no noise
            previous(info)

    _TERMINATED.clear()
    old, old_hook = signal.signal(signal.SIGTERM, on_term), sys.unraisablehook
    sys.unraisablehook = unraisable
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old if old is not None else signal.SIG_DFL)
        sys.unraisablehook = old_hook


def _init_worker(parent: int) -> None:
    """Set up a local worker process: it ignores Ctrl-C (the sweep process stops it), takes
    the default action on SIGTERM (not the handler inherited through fork), and dies with
    the sweep process, even one killed with SIGKILL.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    _warm_worker()


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``). Elsewhere,
    and as a second line, a thread checks every :data:`WATCH_PARENT_S` s that the parent is
    still the same process.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the thread remains
            pass
    if os.getppid() != parent:  # the parent died before the kernel was asked to tell us
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="sweep-parent-watch",
                     daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_PARENT_S)
    os._exit(1)


def _warm_worker():
    """Import the model and load the occupation table once per worker process."""
    _table((4, 1, 1))


@dataclass
class Pool:
    """Where chunks run: an executor, how many chunks it runs at once, and what the driver
    may need: a fresh local pool when a worker process dies, and a cluster's worker count.
    """

    executor: cf.Executor
    slots: int
    fresh: Callable[[], cf.Executor] | None = None
    workers: Callable[[], int] | None = None  #: a cluster's live workers now
    where: str = ""  #: the option or variable that chose the cluster, for messages


def _kill_pool(executor: cf.ProcessPoolExecutor) -> None:
    """Stop a local pool now: its workers are killed, not waited for (a chunk may take
    minutes); what they were computing is recomputed by ``--resume``.
    """
    procs = list((getattr(executor, "_processes", None) or {}).values())
    for p in procs:
        with contextlib.suppress(Exception):
            p.kill()
    executor.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(timeout=2)


@contextlib.contextmanager
def open_executor(workers: int | None = None, scheduler: str | None = None
                  ) -> Iterator[Pool]:
    """Local worker processes, this process (``workers=1``), or a Dask cluster.

    ``scheduler`` (or, when neither it nor ``workers`` is given, ``$DASK_SCHEDULER_ADDRESS``)
    names a cluster; an explicit ``workers`` means local processes whatever the environment.
    """
    where = "--scheduler"
    if scheduler is None and workers is None and os.environ.get(ENV_SCHEDULER):
        scheduler, where = os.environ[ENV_SCHEDULER], f"${ENV_SCHEDULER}"
    if scheduler is not None:
        with _cluster(scheduler, where) as pool:
            yield pool
        return
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        yield Pool(InlineExecutor(), 1)
        return
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    parent = os.getpid()

    def make():
        return cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                                      initializer=_init_worker, initargs=(parent,))
    holder = [make()]

    def fresh():
        _kill_pool(holder[0])
        holder[0] = make()
        return holder[0]
    try:
        yield Pool(holder[0], workers, fresh)
    except BaseException:
        _kill_pool(holder[0])
        raise
    holder[0].shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _cluster(address: str, where: str) -> Iterator[Pool]:
    client = connect(address, where)
    try:
        slots = sum(client.nthreads().values()) or 1
        yield Pool(client.get_executor(pure=False), slots, None,
                   functools.partial(cluster_workers, client), f"{where} {address}")
    finally:
        client.close()


def cluster_workers(client) -> int:
    """Workers a Dask cluster has now (0 if its scheduler cannot be reached)."""
    try:
        if client.status != "running":
            return 0
        return len(client.scheduler_info()["workers"])
    except Exception:  # noqa: BLE001 - any failure to ask means no usable workers
        return 0


def _probe_worker() -> str:
    import sim
    return sim.__version__


def check_address(address: str, where: str = "--scheduler") -> None:
    """A scheduler address Dask can parse (``tcp://HOST:PORT`` and the like), or an input
    error naming ``where``.
    """
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    allowed = (f"allowed: a Dask scheduler address such as tcp://10.0.0.5:8786 (schemes: "
               f"{', '.join(sorted(backends))})")
    try:
        if not address or address != address.strip() or any(c.isspace() for c in address):
            raise ValueError("blank or spaces")
        scheme, location = parse_address(address)
        if scheme not in backends:
            raise ValueError(f"unknown scheme {scheme}")
        if scheme in ("tcp", "tls", "ws", "wss"):
            host, port = parse_host_port(location)
            if not host or not 0 < int(port) < 65536:
                raise ValueError("no host or port")
    except Exception as exc:  # noqa: BLE001 - the parser raises several kinds
        raise SimInputError(where, [Problem("scheduler", address, f"not a scheduler address "
                                            f"({one_line(str(exc), 60)}); {allowed}")]) from None


def connect(address: str, where: str = "--scheduler"):
    """A Dask client for an existing cluster whose workers can import this package."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - dask is a dependency
        raise SimInputError(where, [Problem("scheduler", address, "dask.distributed is "
                            "not installed; allowed: pip install 'dask[distributed]'")]) from None
    check_address(address, where)
    try:
        client = Client(address, timeout=f"{CONNECT_TIMEOUT_S}s")
    except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError and Dask's own kinds
        raise SimInputError(where, [Problem("scheduler", address, f"cannot connect within "
                            f"{CONNECT_TIMEOUT_S:g} s ({type(exc).__name__}: "
                            f"{one_line(str(exc), 80)}); allowed: the address of a running "
                            "Dask scheduler, e.g. tcp://10.0.0.5:8786")]) from None
    try:
        versions = client.run(_probe_worker)
    except Exception as exc:  # noqa: BLE001 - a worker without the package
        client.close()
        raise SimInputError(where, [Problem("workers", address, f"a worker cannot "
                            f"import sim ({one_line(str(exc), 80)}); allowed: workers with the "
                            "package installed (see README, Experiments and sweeps)")]) from None
    if not versions:
        client.close()
        raise SimInputError(where, [Problem("workers", 0, "the cluster has no "
                                            "workers; allowed: at least one")])
    return client


def max_workers() -> int:
    """Most local worker processes ``--workers`` accepts: 4 per core (each takes ~330 MiB)."""
    return 4 * (os.cpu_count() or 1)


def check_options(*, sweep_file=None, resume_dir=None, out=None, workers=None,
                  scheduler=None, force=False) -> None:
    """``sim sweep`` options that cannot go together, each refused on its own line, before
    anything is read: none of them may be silently ignored.
    """
    problems = []
    if (sweep_file is None) == (resume_dir is None):
        problems.append(Problem("SWEEP_FILE / --resume", sweep_file or "", "allowed: a sweep "
                                "file, or --resume DIR (not both)"))
    if resume_dir is not None and out is not None and _same_path(out, resume_dir) is False:
        problems.append(Problem("--out", out, "--resume finishes the sweep in its own folder; "
                                "allowed: --resume DIR without --out"))
    if resume_dir is not None and force:
        problems.append(Problem("--force", True, "--resume finishes a folder, --force "
                                "replaces one; allowed: one of them"))
    if workers is not None and scheduler is not None:
        problems.append(Problem("--workers", workers, "local processes and a Dask cluster "
                                "exclude each other; allowed: --workers N or --scheduler "
                                "ADDRESS"))
    if workers is not None and workers > max_workers():
        problems.append(Problem("--workers", workers, f"allowed: 1..{max_workers()} (4 per "
                                "core; each worker takes ~330 MiB)"))
    if problems:
        raise SimInputError("command line", problems)
    if scheduler is not None:
        check_address(scheduler, "--scheduler")


def _same_path(a, b) -> bool:
    return os.path.normpath(os.path.abspath(a)) == os.path.normpath(os.path.abspath(b))


# --- the sweep folder --------------------------------------------------------------------------
def _write_table(table, path: Path) -> None:
    """Write a Parquet file as :func:`sim.files.replacing` does: a file under the real
    name is always complete. Only SIGKILL can leave the temporary, which ``--resume`` clears.
    """
    import pyarrow.parquet as pq

    with replacing(path, TEMPORARY) as tmp:
        pq.write_table(table, tmp)


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
    """Paths and the record first, then the table: a chunk counts as done only when its
    table exists. Ctrl-C and SIGTERM wait for the chunk (a few milliseconds), so no writer
    is stopped half-way (one left half-built prints errors as it is cleared away).
    """
    from sim.outputs import record

    with interrupts_deferred(signal.SIGINT, signal.SIGTERM):
        if result["paths"] is not None:
            _write_table(_arrow_table(result["paths"]), chunk_path(out, result["index"], PATHS))
        path = out / RECORDS / f"chunk-{result['index']:05d}.nc"
        path.parent.mkdir(exist_ok=True)
        with replacing(path, TEMPORARY) as tmp:
            record.write(record.chunk_dataset(result["columns"]), tmp)
        _write_table(_arrow_table(result["columns"]), chunk_path(out, result["index"]))


def tasks_for(spec: SweepSpec, values: list[np.ndarray], chunks) -> Iterator[ChunkTask]:
    """One task per chunk index: runs ``[i * chunk_size, (i + 1) * chunk_size)``."""
    for i in chunks:
        lo, hi = _chunk_runs(spec, i)
        yield ChunkTask(index=i, runs=np.arange(lo, hi, dtype=np.int64),
                        sweep_seed=spec.seed, keys=spec.keys,
                        values=[v[lo:hi] for v in values], base=spec.base,
                        outputs=spec.outputs, fault=spec.inject_fault)


def _chunk_runs(spec: SweepSpec, i: int) -> tuple[int, int]:
    return i * spec.chunk_size, min((i + 1) * spec.chunk_size, spec.runs)


def definition_text(spec: SweepSpec) -> str:
    """``sweep.yaml``: the definition, then a last line with the SHA-256 of all above it."""
    body = spec.to_yaml()
    return f"{body}{CHECKSUM_PREFIX}{_sha256(body)}\n"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verified_definition(path: Path) -> str:
    """The text of a stored ``sweep.yaml`` after its checksum line: a file cut short or
    edited since ``sim sweep`` wrote it would finish the sweep on another definition.
    """
    from sim.config.yaml_io import MAX_BYTES

    def refuse(value, why: str):
        return SimInputError(str(path), [Problem("sha256", value, why)])
    try:
        if path.stat().st_size > MAX_BYTES:
            raise refuse(f"{path.stat().st_size:,} bytes", f"not a definition `sim sweep` "
                         f"wrote; allowed: at most {MAX_BYTES:,} bytes")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise refuse("(unreadable)", "not UTF-8 text; allowed: sweep.yaml as `sim sweep` "
                     "wrote it") from None
    except OSError as exc:
        raise refuse("(unreadable)", f"cannot be read ({exc.strerror}); allowed: sweep.yaml "
                     "as `sim sweep` wrote it") from None
    lines = text.splitlines(keepends=True)
    last = lines[-1] if lines else ""
    body = "".join(lines[:-1])
    if not last.startswith(CHECKSUM_PREFIX):
        whole = text if text.endswith("\n") or not text else text + "\n"
        raise refuse("(missing)", "no checksum line: the file was cut short, or written before "
                     "sweeps stored one; allowed: sweep.yaml as `sim sweep` wrote it (if you "
                     f"have checked it is complete, append the line "
                     f"'{CHECKSUM_PREFIX}{_sha256(whole)}')")
    stored = last[len(CHECKSUM_PREFIX):].strip()
    if stored != _sha256(body):
        raise refuse(stored, "does not match the definition above it: the file was cut "
                     "short or edited; allowed: sweep.yaml as `sim sweep` wrote it (or start "
                     "the sweep again in a new folder)")
    return body


def load_folder(out: Path | str) -> SweepSpec:
    """The sweep definition stored in a sweep folder (for ``--resume`` and ``analyze``),
    after its checksum.
    """
    path = Path(out) / SWEEP_FILE
    if not path.is_file():
        raise SimInputError(str(out), [Problem(SWEEP_FILE, "(missing)", "not a sweep folder; "
                                               "allowed: a folder written by `sim sweep`")])
    return load_sweep(path, text=verified_definition(path))


def check_resume(spec: SweepSpec, out: Path | str, seed: int | None = None,
                 chunk_size: int | None = None) -> None:
    """``--seed`` and ``--chunk-size`` with ``--resume`` must repeat what the folder stores:
    a resumed sweep keeps its definition, and silently ignoring them would mislead.
    """
    problems = []
    for flag, given, stored in (("--seed", seed, spec.seed),
                                ("--chunk-size", chunk_size, spec.chunk_size)):
        if given is not None and given != stored:
            problems.append(Problem(flag, given, f"the sweep in this folder runs with {flag} "
                                    f"{stored}; allowed: {flag} {stored}, or leave it out (a "
                                    "resumed sweep keeps its definition)"))
    if problems:
        raise SimInputError(f"--resume {out}", problems)


def _check_target(out: Path, force: bool) -> None:
    """A new sweep goes into a new or empty folder; ``force`` replaces only a sweep folder,
    never a folder of something else (``--out . --force`` must not delete the project).
    """
    if out.exists() and not out.is_dir():
        raise SimInputError("--out", [Problem("out", str(out), "exists and is not a folder; "
                                              "allowed: a new folder")])
    if not out.is_dir() or _unused(out):
        return
    if not force:
        raise SimInputError("--out", [Problem("out", str(out), "folder exists and is not "
                            "empty; allowed: a new folder, --resume to finish it, or "
                            "--force to replace it")])
    if not (out / SWEEP_FILE).is_file():
        raise SimInputError("--out", [Problem("out", str(out), f"not a sweep folder (no "
                            f"{SWEEP_FILE}), so --force will not delete it; allowed: a new or "
                            "empty folder, or a sweep folder to replace with --force")])


def _unused(out: Path) -> bool:
    """Empty, or holding only what a sweep killed before writing its definition leaves (an
    empty ``chunks/``, the lock): nothing to lose.
    """
    for entry in out.iterdir():
        if entry.name == LOCK_FILE or (entry.name == CHUNKS and entry.is_dir()
                                       and not any(entry.iterdir())):
            continue
        return False
    return True


def _make_writable(out: Path, flag: str) -> None:
    """Create the folder and prove it can be written, before any run."""
    try:
        probe_writable(out / CHUNKS / "write-test")
    except OSError as exc:
        raise SimInputError(flag, [Problem("out", str(out), f"cannot be written "
                            f"({exc.strerror or type(exc).__name__}); allowed: a folder this "
                            "user can create and write, on a file system with free space")]
                            ) from None


@contextlib.contextmanager
def folder_lock(out: Path, flag: str) -> Iterator[None]:
    """An exclusive lock on the sweep folder while a sweep writes it: two processes on one
    folder would race on its chunk files. The kernel drops it when the process ends, killed
    or not, so a stale lock never blocks ``--resume``.
    """
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(exclusive_lock(out / LOCK_FILE, wait=False, keep=True))
        except LockTaken:
            raise SimInputError(flag, [Problem("out", str(out), "another `sim sweep` is "
                                "writing this folder; allowed: wait for it to end, or a "
                                "different folder")]) from None
        yield


def _write_definition(spec: SweepSpec, out: Path) -> None:
    """Empty the folder and write the definition with its checksum. The lock stays, and the
    old definition goes last (replaced in one step): killed at any point, the folder is
    still a sweep folder that ``--force`` may replace or ``--resume`` finish.
    """
    import shutil

    for entry in out.iterdir():
        if entry.name in (LOCK_FILE, SWEEP_FILE):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    (out / CHUNKS).mkdir()
    write_text(out / SWEEP_FILE, definition_text(spec), TEMPORARY)


def finished_chunks(out: Path) -> set[int]:
    """Chunks whose table exists (written atomically, so complete). Only looks: safe to call
    while a sweep writes the folder.
    """
    return {int(p.stem[len("chunk-"):]) for p in (out / CHUNKS).glob("chunk-*.parquet")
            if CHUNK_NAME.fullmatch(p.name)}


def _clear_temporaries(out: Path) -> None:
    """Chunk files a killed sweep was writing; only under the folder's lock, where no other
    process can be writing them.
    """
    for kind in (CHUNKS, PATHS, RECORDS):
        for p in (out / kind).glob(f".chunk-*.{TEMPORARY}-*"):
            p.unlink(missing_ok=True)


def usable_chunks(out: Path, spec: SweepSpec, note: Callable[[str], None]) -> set[int]:
    """Chunks of this sweep whose files hold what it writes. A file that cannot be read, or
    holds other runs or columns (damaged, or from another definition), is moved to
    ``corrupt/`` with a note, and its chunk computed again: the sweep ends complete and right,
    and nothing is deleted.
    """
    _clear_temporaries(out)
    done = set()
    columns = expected_columns(spec)
    for i in sorted(finished_chunks(out)):
        if i >= spec.n_chunks:
            why = f"chunk {i} is beyond this sweep's {spec.n_chunks} chunks"
        else:
            why = _chunk_problem(out, spec, i, columns)
        if why is None:
            done.add(i)
            continue
        moved = [_set_aside(out, chunk_path(out, i, kind)) for kind in (CHUNKS, PATHS)
                 if chunk_path(out, i, kind).exists()]
        note(f"{chunk_path(out, i)} cannot be used ({why}); set aside in "
             f"{out / CORRUPT} ({', '.join(moved)})"
             + (" and computed again" if i < spec.n_chunks else ""))
    return done


def expected_columns(spec: SweepSpec) -> list[str]:
    """The columns of a chunk table, in order."""
    return ["run", "seed", "status", "error", *spec.keys,
            *output_columns(spec.outputs, spec.base["milestones"]["levels"])]


def _chunk_problem(out: Path, spec: SweepSpec, i: int, columns: list[str]) -> str | None:
    """Why chunk ``i``'s files cannot be used, or None: both read in full, the table holds
    exactly this chunk's runs and columns, the paths file (if kept) only its runs.
    """
    import pyarrow.parquet as pq

    lo, hi = _chunk_runs(spec, i)
    try:
        table = pq.read_table(chunk_path(out, i))
        if table.column_names != columns:
            return "its columns are not this sweep's"
        if table.column("run").to_pylist() != list(range(lo, hi)):
            return f"it does not hold runs {lo}..{hi - 1}"
        if not spec.outputs.paths:
            return None
        any_ok = "ok" in table.column("status").to_pylist()
        path = chunk_path(out, i, PATHS)
        if not path.exists():
            return "its paths file is missing" if any_ok else None
        paths = pq.read_table(path)
        if paths.column_names != ["run", "year", *spec.outputs.paths]:
            return "its paths file's columns are not this sweep's"
        if not set(paths.column("run").to_pylist()) <= set(range(lo, hi)):
            return "its paths file holds other runs"
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds on bad bytes
        return f"unreadable: {type(exc).__name__}: {one_line(str(exc), 80)}"
    return None


def _set_aside(out: Path, path: Path) -> str:
    """Move a damaged chunk file to ``corrupt/`` (never over an earlier one)."""
    target_dir = out / CORRUPT
    target_dir.mkdir(exist_ok=True)
    stem = f"{path.parent.name}-{path.name}"
    target = target_dir / stem
    n = 1
    while target.exists():
        target, n = target_dir / f"{stem}.{n}", n + 1
    os.replace(path, target)
    return f"{CORRUPT}/{target.name}"


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr, flush=True)


# --- running -----------------------------------------------------------------------------------
def run_sweep(spec: SweepSpec | None, out: Path | str, *, workers: int | None = None,
              scheduler: str | None = None, resume: bool = False, force: bool = False,
              progress: bool = True, on_chunk: Callable[[int], None] | None = None,
              executor: cf.Executor | None = None, slots: int | None = None,
              worker_timeout: float = NO_WORKER_TIMEOUT_S,
              note: Callable[[str], None] = _note) -> Path:
    """Run (or finish, with ``resume``) a sweep into ``out``; returns the summary file.

    ``executor`` may be any ``concurrent.futures.Executor`` (a Dask ``ClientExecutor``
    included); otherwise one is opened from ``workers`` / ``scheduler``. ``on_chunk`` is called
    with each chunk index as its file is written. With ``resume``, the definition is the
    folder's (``spec``, if given, must equal it). A cluster without workers for
    ``worker_timeout`` seconds stops the sweep (an input error naming the cluster); Ctrl-C
    or SIGTERM raise :class:`SweepInterrupted`. Either way the chunks written so far stay.
    """
    out = Path(out)
    flag = "--resume" if resume else "--out"
    if resume:
        spec = _resumed_spec(spec, out)
    else:
        _check_target(out, force)
    done: set[int] = set()
    t0 = time.perf_counter()
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(_stop_on_sigterm())
            # connect first: a cluster that cannot be used leaves no folder behind
            pool = stack.enter_context(_pool(executor, slots, workers, scheduler))
            _make_writable(out, flag)
            stack.enter_context(folder_lock(out, flag))
            if resume:
                done |= usable_chunks(out, spec, note)
            else:
                _write_definition(spec, out)
            if spec.outputs.paths:
                (out / PATHS).mkdir(exist_ok=True)
            _run_chunks(spec, out, done, pool, progress, on_chunk, worker_timeout)
            return finish(spec, out, time.perf_counter() - t0)
    except KeyboardInterrupt as exc:
        stopped = exc if isinstance(exc, SweepInterrupted) else SweepInterrupted("SIGINT")
        stopped.out, stopped.done, stopped.total = out, len(done), spec.n_chunks
        if stopped is exc:
            raise
        raise stopped from exc


def _resumed_spec(spec: SweepSpec | None, out: Path) -> SweepSpec:
    stored = load_folder(out)
    if spec is not None and spec.to_yaml() != stored.to_yaml():
        raise SimInputError(f"--resume {out}", [Problem("definition", spec.name, "differs "
                            f"from the folder's {SWEEP_FILE}; allowed: the stored definition "
                            "(pass spec=None to read it)")])
    return stored


@contextlib.contextmanager
def _pool(executor, slots, workers, scheduler) -> Iterator[Pool]:
    """The caller's executor as a :class:`Pool`, or one opened from the options."""
    if executor is None:
        with open_executor(workers, scheduler) as pool:
            yield pool
        return
    client = getattr(executor, "_client", None)  # a Dask ClientExecutor: watch its workers
    yield Pool(executor, slots or 1, None,
               None if client is None else functools.partial(cluster_workers, client),
               "executor")


def _run_chunks(spec, out, done, pool, progress, on_chunk, worker_timeout) -> None:
    """Run the chunks not in ``done`` (adding each to it as its file is written)."""
    from tqdm.auto import tqdm

    todo = [i for i in range(spec.n_chunks) if i not in done]
    values = sample_values(spec)
    runs_done = sum(_chunk_runs(spec, i)[1] - _chunk_runs(spec, i)[0] for i in done)
    bar = tqdm(total=spec.runs, initial=runs_done, unit="run", disable=not progress,
               desc=f"sweep {spec.name}", dynamic_ncols=True, smoothing=0.1)
    bar.set_postfix_str(f"chunks {len(done)}/{spec.n_chunks}")
    try:
        _drive(pool, tasks_for(spec, values, todo), out, bar, done, spec, on_chunk,
               worker_timeout)
    finally:
        bar.close()


def _drive(pool: Pool, tasks, out, bar, done, spec, on_chunk, worker_timeout) -> None:
    """Keep ``2 x slots`` chunks in flight; write each as it completes; retry lost chunks;
    stop when a cluster has had no workers for ``worker_timeout`` seconds.
    """
    pending: dict[cf.Future, ChunkTask] = {}
    retries: dict[int, int] = {}
    queue: list[ChunkTask] = []
    tasks = iter(tasks)
    executor = pool.executor
    idle_since: float | None = None

    def submit(task):
        nonlocal executor
        try:
            pending[executor.submit(run_chunk, task)] = task
        except cf.BrokenExecutor:
            if pool.fresh is None:
                raise
            executor = pool.fresh()
            pending[executor.submit(run_chunk, task)] = task

    def fill():
        while len(pending) < 2 * pool.slots:
            task = queue.pop(0) if queue else next(tasks, None)
            if task is None:
                return
            submit(task)

    fill()
    while pending:
        if _TERMINATED.is_set():  # the handler's exception was swallowed: raise it here
            raise SweepInterrupted("SIGTERM")
        finished, _ = cf.wait(list(pending), timeout=POLL_S, return_when=cf.FIRST_COMPLETED)
        if not finished:
            idle_since = _check_workers(pool, idle_since, worker_timeout, out, done, spec)
            continue
        idle_since = None
        for fut in finished:
            task = pending.pop(fut)
            try:
                result = fut.result()
            except Exception as exc:  # a lost worker, not a model error (those are recorded)
                retries[task.index] = retries.get(task.index, 0) + 1
                if retries[task.index] > MAX_RETRIES:
                    raise RuntimeError(f"chunk {task.index} failed {MAX_RETRIES + 1} times: "
                                       f"{type(exc).__name__}: {exc}") from exc
                if isinstance(exc, cf.BrokenExecutor) and pool.fresh is not None:
                    lost = [pending.pop(f) for f in list(pending)]
                    executor = pool.fresh()
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


def _check_workers(pool: Pool, idle_since, timeout, out, done, spec) -> float | None:
    """When the cluster has no workers: since when (None while it has some). Past
    ``timeout`` seconds, stop with one line that says what is kept.
    """
    if pool.workers is None or pool.workers() > 0:
        return None
    now = time.monotonic()
    if idle_since is None:
        return now
    if now - idle_since < timeout:
        return idle_since
    raise SimInputError(pool.where, [Problem("workers", 0, f"the cluster has had no workers "
                        f"for {timeout:g} s; the {len(done)} of {spec.n_chunks} chunks written "
                        f"so far stay in {out}: finish with `sim sweep --resume {out}`; "
                        "allowed: a cluster with at least one worker (--worker-timeout sets "
                        "the wait)")])


def units(spec: SweepSpec) -> dict[str, str]:
    """Unit of every summary column."""
    from sim.config.paramdoc import parameter_rows

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
    """Build the summary table from this sweep's chunk files; write units and manifest."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from sim import __version__

    files = [chunk_path(out, i) for i in range(spec.n_chunks)]
    table = pa.concat_tables([pq.read_table(f) for f in files], promote_options="permissive")
    table = table.sort_by("run")
    _write_table(table, out / SUMMARY_FILE)
    status = table.column("status")
    counts = {s: int(pc.sum(pc.equal(status, s)).as_py() or 0) for s in
              ("ok", "failed", "invalid")}
    write_text(out / "units.json", dump_json(units(spec)), TEMPORARY)
    manifest = {"package": "ai-economy-sim", "version": __version__, "name": spec.name,
                "seed": spec.seed, "sampler": spec.sampler, "runs": spec.runs,
                "chunk_size": spec.chunk_size, "chunks": spec.n_chunks, "status": counts,
                "python": platform.python_version(), "numpy": np.__version__,
                "last_session_seconds": round(seconds, 3),
                "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    write_text(out / "manifest.json", dump_json(manifest), TEMPORARY)
    return out / SUMMARY_FILE
